"""Crafted exports against the checker's readers (no sandbox: the sandbox cannot stop a student from writing any
bytes it likes to model.json or arrays.npz).  Every field that sets an allocation is bounded before Keras allocates;
arrays are read against a byte budget; whatever the export provokes is ``rejected`` with a reason, never a grader
error."""

from __future__ import annotations

import io
import json
import resource
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.autograde.checker import check_export, rebuild
from grader.autograde.exports import Bounds, Rejected, load_npz, parse_config
from models._keras import keras

L = keras.layers


def _config(model: Any) -> dict[str, Any]:
    return json.loads(model.to_json())


def _set(config: dict[str, Any], class_name: str, **fields: Any) -> str:
    """The config with ``fields`` overwritten in every layer of ``class_name``: what a hostile export writes."""
    for layer in config["config"]["layers"]:
        if layer["class_name"] == class_name:
            layer["config"].update(fields)
    return json.dumps(config)


def _dense(width: int = 64) -> dict[str, Any]:
    x = keras.Input((width,))
    return _config(keras.Model(x, L.Dense(8)(x)))


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("units", 16384.0, "must be an integer, not float"),
        ("units", 1e9, "must be an integer, not float"),
        ("units", True, "must be an integer, not bool"),
        ("units", 10**6, "outside 1–16,384"),
        ("units", 0, "outside"),
        ("units", "8", "not a size"),
    ],
)
def test_a_size_field_must_be_an_integer_in_range(field: str, value: Any, why: str) -> None:
    with pytest.raises(Rejected, match=why):
        rebuild(_set(_dense(), "Dense", **{field: value}))


def _one_layer(layer: Any, shape: tuple[Any, ...], dtype: str = "float32", two_inputs: bool = False) -> dict:
    x = keras.Input(shape, dtype=dtype)
    return _config(keras.Model(x, layer(x, x) if two_inputs else layer(x)))


HOSTILE = {
    # a 16 GB kernel from allowed layers and in-range fields: 262,144 inputs × 16,384 units
    "dense kernel": (_dense(1 << 18), "Dense", {"units": 16384}, "more than 20,000,000 parameters"),
    "repeat count": (_one_layer(L.RepeatVector(2), (4096,)), "RepeatVector", {"n": 60000}, "outputs"),
    "upsampling": (_one_layer(L.UpSampling2D(2), (64, 64, 3)), "UpSampling2D", {"size": [1000, 1000]}, "outputs"),
    "padding": (
        _one_layer(L.ZeroPadding2D(1), (64, 64, 3)),
        "ZeroPadding2D",
        {"padding": [[60000, 60000], [60000, 60000]]},
        "outputs",
    ),
    "cropping float": (_one_layer(L.Cropping1D(1), (64, 3)), "Cropping1D", {"cropping": [1.0, 1]}, "integer"),
    "reshape target": (_one_layer(L.Reshape((8, 8)), (64,)), "Reshape", {"target_shape": [8, 8.0]}, "integer"),
    "attention": (
        _one_layer(L.MultiHeadAttention(2, 8), (4, 64), two_inputs=True),
        "MultiHeadAttention",
        {"num_heads": 256, "key_dim": 4096},
        "more than 20,000,000 parameters",
    ),
    "embedding": (
        _one_layer(L.Embedding(10, 8), (4,), "int32"),
        "Embedding",
        {"input_dim": 16384, "output_dim": 16384},
        "more than 20,000,000 parameters",
    ),
    "input size": (_dense(), "InputLayer", {"batch_shape": [None, 1 << 30]}, "outside"),
    # a free length is counted at the length the checks feed (2048): 2048 × 1024 × 3 values
    "free length": (_one_layer(L.UpSampling1D(2), (None, 3)), "UpSampling1D", {"size": 1024}, "outputs"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_weight_and_output_is_bounded_before_anything_is_allocated(name: str) -> None:
    config, class_name, fields, why = HOSTILE[name]
    before = _maxrss_mib()
    with pytest.raises(Rejected, match=why):
        rebuild(_set(config, class_name, **fields))
    assert _maxrss_mib() - before < 256, "the checker allocated what it should have refused"


def test_a_model_within_the_bounds_is_rebuilt_with_its_weights() -> None:
    x = keras.Input((None, 3))
    y = L.Conv1D(4, 3, padding="causal")(L.UpSampling1D(2)(x))
    m = keras.Model(x, L.RepeatVector(3)(L.GlobalAveragePooling1D()(y)))
    rebuilt = rebuild(m.to_json())
    assert rebuilt.count_params() == m.count_params() == 3 * 3 * 4 + 4
    assert all(np.all(np.isfinite(np.asarray(w))) for w in rebuilt.weights)  # really initialised, not symbolic
    assert tuple(rebuilt(np.ones((1, 5, 3), "float32")).shape) == (1, 3, 4)


def test_the_bounds_are_settable() -> None:
    with pytest.raises(Rejected, match="more than 500 parameters"):
        rebuild(json.dumps(_dense()), Bounds(params=500))
    assert rebuild(json.dumps(_dense()), Bounds(params=520)).count_params() == 64 * 8 + 8


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a": ' * 200 + "1" + "}" * 200, "more than 64 levels"),
        ('{"class_name": "Functional", "config": {"x": NaN}}', "NaN"),
        ('{"class_name": "Functional", "config": {"x": 1e999}}', "not finite"),
        ('{"x": ' + "1" * 5000 + "}", "not JSON"),
    ],
)
def test_a_malformed_config_is_refused_with_its_reason(text: str, why: str) -> None:
    with pytest.raises(Rejected, match=why):
        parse_config(text)


def test_a_deeply_nested_model_json_is_rejected_not_a_grader_error(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text('{"class_name": "Functional", "config": ' + "[" * 50_000 + "]" * 50_000 + "}")
    r = check_export("lenet5", str(tmp_path))
    assert r.verdict == "rejected" and "nested too deeply" in r.message
    assert r.checks and not any(c.passed for c in r.checks)


# -------------------------------------------------------------------------------------------------- arrays


def _npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    b = io.BytesIO()
    np.lib.format.write_array_header_1_0(b, {"descr": descr, "fortran_order": False, "shape": shape})
    return b.getvalue()


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _bomb(path: Path, n_bytes: int) -> Path:
    """A deflated member of ``n_bytes`` zeros: a few KiB on disk."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("arr_0.npy", "w", force_zip64=True) as f:
        f.write(_npy_header((n_bytes // 8,)))
        zeros = bytes(1 << 20)
        for _ in range(n_bytes >> 20):
            f.write(zeros)
    return path


def test_arrays_are_read_against_a_byte_budget_never_trusting_a_declared_shape(tmp_path: Path) -> None:
    small = Bounds(array_bytes=4 << 20)
    bomb = _bomb(tmp_path / "bomb.npz", 32 << 20)
    assert bomb.stat().st_size < 256 << 10  # 32 MiB once inflated
    before = _maxrss_mib()
    with pytest.raises(Rejected, match="declares 33,554,560 bytes"):
        load_npz(bomb, small)
    cases = {
        "tera": ({"arr_0.npy": _npy_header((1 << 40,)) + bytes(64)}, zipfile.ZIP_STORED, "8,796,093,022,208 bytes"),
        "liar": ({"arr_0.npy": _npy_header((1000,)) + bytes(80)}, zipfile.ZIP_STORED, "its member holds 80"),
        "bzip2": ({"arr_0.npy": _npy_header((10,)) + bytes(80)}, zipfile.ZIP_BZIP2, "only deflate"),
        "object": ({"arr_0.npy": _npy_header((10,), "|O") + bytes(80)}, zipfile.ZIP_STORED, "only plain numbers"),
        "name": ({"../x.npy": _npy_header((1,)) + bytes(8)}, zipfile.ZIP_STORED, "unexpected member"),
        "many": ({f"a{i}.npy": _npy_header((0,)) for i in range(300)}, zipfile.ZIP_STORED, "300 members"),
    }
    for name, (members, method, why) in cases.items():
        with pytest.raises(Rejected, match=why):
            load_npz(_zip(tmp_path / f"{name}.npz", members, method), small)
    assert _maxrss_mib() - before < 64
    a, b = np.arange(10.0), np.ones((3, 4), "float32")
    np.savez(tmp_path / "ok.npz", a, b)
    np.savez_compressed(tmp_path / "okc.npz", k=a)
    got = load_npz(tmp_path / "ok.npz", small)
    assert np.array_equal(got["arr_0"], a) and np.array_equal(got["arr_1"], b) and got["arr_1"].dtype == b.dtype
    assert np.array_equal(load_npz(tmp_path / "okc.npz", small)["k"], a)


def test_a_terabyte_npy_header_is_rejected_not_a_grader_error(tmp_path: Path) -> None:
    x = keras.Input((8, 8, 1))
    m = keras.Model(x, L.Dense(10, activation="softmax")(L.Flatten()(x)))
    (tmp_path / "model.json").write_text(m.to_json())
    _zip(tmp_path / "arrays.npz", {"arr_0.npy": _npy_header((1 << 40,)) + bytes(64), "arr_1.npy": b""})
    r = check_export("lenet-train", str(tmp_path))
    assert r.verdict == "rejected" and "8,796,093,022,208 bytes" in r.message
    _bomb(tmp_path / "arrays.npz", 80 << 20)  # beyond the default 64 MiB budget
    r = check_export("lenet-train", str(tmp_path))
    assert r.verdict == "rejected" and "budget" in r.message


def test_an_inflate_export_with_a_forged_array_is_rejected(tmp_path: Path) -> None:
    _zip(tmp_path / "arrays.npz", {"case0.npy": _npy_header((1 << 40,), "<f4") + bytes(64)})
    r = check_export("i3d-inflate", str(tmp_path))
    assert r.verdict == "rejected" and "case0" in r.message
