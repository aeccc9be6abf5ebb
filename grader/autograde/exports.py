"""Reading what a submission exported, in the checker, without trusting any of it.

Everything here runs *before* Keras allocates anything for the export:

* ``parse_config``: the JSON text, bounded in size and nesting depth, with no non-finite numbers;
* ``check_fields``: every field that sets a size (units, filters, kernel sizes, repeat counts, upsampling factors,
  padding, cropping, reshape targets, attention heads and dimensions, embedding sizes, axes …) must be an integer
  (``16384.0`` or ``true`` are refused) inside a fixed range;
* ``bound_model``: the model is built once on symbolic tensors inside a Keras ``StatelessScope`` whose variables
  are never initialised (shapes only, nothing allocated), and the element count of every weight and every layer
  output is bounded, so no field and no combination of fields can make the real rebuild allocate more than the
  bounds allow;
* ``load_npz``: arrays are read against a byte budget, member by member, from their ``.npy`` headers: the declared
  shape × item size must fit the budget and equal the member's real size, only stored or deflated members are
  read, and never more bytes than declared (a zip bomb stays a few MiB).

Anything wrong is ``Rejected`` with a reason that names what was refused.
"""

from __future__ import annotations

import copy
import json
import math
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel


class Rejected(ValueError):
    """The export is refused: a disallowed layer or object, a size out of bounds, an unreadable file."""


class Bounds(BaseModel):
    """What the checker accepts from an export.  ``outputs`` count elements per sample; a ``None`` dimension of the
    model's input (a free length) is counted as ``free_extent``, the length the checks feed it."""

    config_bytes: int = 4 << 20
    depth: int = 64  # nesting of the JSON document
    layers: int = 1000  # layer configs, nested models' included
    params: int = 20_000_000  # every weight together (and so each one)
    output: int = 1 << 22  # elements per sample of any one layer output
    outputs: int = 1 << 25  # … of all layer outputs together
    free_extent: int = 2048
    array_bytes: int = 64 << 20  # everything an .npz may hold once read
    array_members: int = 256


DEFAULT_BOUNDS = Bounds()

# the integer fields of the allowed layers, and the range of every integer in them (``None`` also allowed where
# Keras takes it, strings where a field is also a mode, e.g. ``padding="same"``)
MAX_UNITS = 16384
MAX_KERNEL = 64
MAX_EXTENT = 1 << 16
INT_FIELDS: dict[str, tuple[int, int]] = {
    "units": (1, MAX_UNITS),
    "filters": (1, MAX_UNITS),
    "output_dim": (1, MAX_UNITS),
    "input_dim": (1, MAX_UNITS),
    "depth_multiplier": (1, MAX_UNITS),
    "groups": (1, MAX_UNITS),
    "num_heads": (1, 256),
    "key_dim": (1, 4096),
    "value_dim": (1, 4096),
    "kernel_size": (1, MAX_KERNEL),
    "pool_size": (1, MAX_KERNEL * 16),
    "strides": (1, MAX_KERNEL * 16),
    "dilation_rate": (1, MAX_KERNEL * 16),
    "n": (1, MAX_EXTENT),  # RepeatVector
    "size": (1, 1024),  # UpSampling
    "padding": (0, MAX_EXTENT),
    "cropping": (0, MAX_EXTENT),
    "target_shape": (-1, MAX_EXTENT * 64),  # Reshape: -1 is "the rest"
    "output_shape": (1, MAX_EXTENT * 64),  # EinsumDense
    "batch_shape": (1, MAX_EXTENT * 64),
    "batch_input_shape": (1, MAX_EXTENT * 64),
    "shape": (1, MAX_EXTENT * 64),
    "input_shape": (1, MAX_EXTENT * 64),
    "build_input_shape": (1, MAX_EXTENT * 64),
    "batch_size": (1, MAX_EXTENT),
    "dims": (1, 8),  # Permute
    "axis": (-8, 8),
    "axes": (-8, 8),
    "attention_axes": (-8, 8),
}
MODES = {"padding"}  # fields that take a mode name as well as sizes ("same", "valid", "causal")
NAME = re.compile(r"[A-Za-z0-9_]{1,64}")


def parse_config(text: str, bounds: Bounds = DEFAULT_BOUNDS) -> Any:
    """The export's JSON, refused if too large, nested too deeply, or holding NaN/Infinity."""
    if len(text) > bounds.config_bytes:
        raise Rejected(f"the exported config is larger than {bounds.config_bytes >> 20} MiB")
    try:
        config = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except Rejected:
        raise
    except RecursionError:
        raise Rejected("the exported config is nested too deeply to be read") from None
    except ValueError as e:
        raise Rejected(f"the exported config is not JSON: {e}") from None
    _check_depth(config, bounds.depth)
    return config


def _no_constant(name: str) -> Any:
    raise Rejected(f"the exported config holds {name}, which is not a number JSON allows")


def _finite_float(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise Rejected(f"the exported config holds the number {text[:40]}, which is not finite")
    return v


def _check_depth(config: Any, limit: int) -> None:
    stack: list[tuple[Any, int]] = [(config, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise Rejected(f"the exported config is nested more than {limit} levels deep")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def check_field(key: str, value: Any, path: str) -> None:
    """One field of a layer config: if it sets a size, every number in it must be an integer in range."""
    span = INT_FIELDS.get(key)
    if span is None:
        return
    lo, hi = span
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, list | tuple):
            stack.extend(v)
        elif isinstance(v, dict):  # a serialised tuple: {"class_name": "__tuple__", "config": {"value": [...]}}
            inner = v.get("config")
            if v.get("class_name") == "__tuple__" and isinstance(inner, dict):
                stack.append(inner.get("value"))
        elif isinstance(v, bool) or isinstance(v, float):
            raise Rejected(f"{path}: {key}={_short(value)} must be an integer, not {type(v).__name__} {v!r}")
        elif isinstance(v, int):
            if not lo <= v <= hi:
                raise Rejected(f"{path}: {key}={_short(value)} is outside {lo}–{hi:,}")
        elif v is not None and not (isinstance(v, str) and key in MODES):
            raise Rejected(f"{path}: {key}={_short(value)} is not a size")


def brief(e: BaseException, limit: int = 500) -> str:
    """An exception as one bounded line of text (Keras' deserialisation errors repeat the whole config)."""
    text = f"{type(e).__name__}: {e}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "…"


def count_layers(config: Any) -> int:
    """Entries of every model's ``layers`` list, nested models' included."""
    n = 0
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("layers"), list):
                n += len(node["layers"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return n


def _concrete(config: Any, extent: int) -> Any:
    """A copy in which every free (``None``) input dimension but the batch is ``extent``: the size the checks feed."""
    out = copy.deepcopy(config)
    stack = [out]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("class_name") == "InputLayer" and isinstance(node.get("config"), dict):
                c = node["config"]
                for key in ("batch_shape", "batch_input_shape"):
                    if isinstance(c.get(key), list) and c[key]:
                        c[key] = [c[key][0], *(extent if d is None else d for d in c[key][1:])]
                if isinstance(c.get("shape"), list):
                    c["shape"] = [extent if d is None else d for d in c["shape"]]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def _elements(shape: Any, extent: int) -> int:
    return math.prod(extent if d is None else int(d) for d in shape)


def bound_model(config: dict[str, Any], bounds: Bounds = DEFAULT_BOUNDS) -> None:
    """Build the model on symbolic tensors, with variables that are never initialised, and bound every weight and
    every layer output; raise ``Rejected`` before the real rebuild could allocate past the bounds."""
    from keras.src.backend.common import global_state
    from keras.src.backend.common.stateless_scope import StatelessScope

    from models._keras import keras

    n_layers = count_layers(config)
    if n_layers > bounds.layers:
        raise Rejected(f"the model has {n_layers:,} layer configs; at most {bounds.layers:,} are accepted")
    text = json.dumps(_concrete(config, bounds.free_extent))
    try:
        with StatelessScope(initialize_variables=False), keras.saving.custom_object_scope({}):
            try:
                model = keras.models.model_from_json(text)
            except Rejected:
                raise
            except Exception as e:
                raise Rejected(f"Keras could not rebuild the model from its config: {brief(e)}") from None
            _bound_weights(model, bounds)
            _bound_outputs(model, bounds)
    finally:
        # the symbolic model's variables hold no value and must never get one
        global_state.set_global_attribute("uninitialized_variables", [])


def _bound_weights(model: Any, bounds: Bounds) -> None:
    total = 0
    for v in model.weights:
        n = _elements(v.shape, bounds.free_extent)
        total += n
        if total > bounds.params:
            raise Rejected(
                f"the model has more than {bounds.params:,} parameters (at {v.path}, of shape {tuple(v.shape)}); "
                "nothing was allocated"
            )


def _bound_outputs(model: Any, bounds: Bounds) -> None:
    total = 0
    for layer in model._flatten_layers(include_self=True, recursive=True):
        for node in getattr(layer, "_inbound_nodes", []):
            for t in node.output_tensors:
                n = _elements(t.shape[1:], bounds.free_extent)
                if n > bounds.output:
                    raise Rejected(
                        f"layer {layer.name!r} outputs {n:,} values per sample (shape {tuple(t.shape)}); at most "
                        f"{bounds.output:,} are accepted"
                    )
                total += n
                if total > bounds.outputs:
                    raise Rejected(
                        f"the layers output more than {bounds.outputs:,} values per sample together (at layer "
                        f"{layer.name!r})"
                    )


# --------------------------------------------------------------------------------------------- arrays (.npz)

ARRAY_KINDS = "biuf"  # booleans, integers, floats: no objects, strings, structures or complex numbers


def load_npz(path: str | Path, bounds: Bounds = DEFAULT_BOUNDS) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz``, read against ``bounds.array_bytes``: never trusting a declared size beyond it."""
    try:
        return _load_npz(Path(path), bounds)
    except Rejected:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, KeyError) as e:
        raise Rejected(f"the exported arrays are unreadable: {type(e).__name__}: {e}") from None


def _load_npz(path: Path, bounds: Bounds) -> dict[str, np.ndarray]:
    budget = bounds.array_bytes
    out: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > bounds.array_members:
            raise Rejected(f"the exported arrays file has {len(infos):,} members; at most {bounds.array_members}")
        for info in infos:
            key = info.filename.removesuffix(".npy")
            if not info.filename.endswith(".npy") or not NAME.fullmatch(key) or key in out:
                raise Rejected(f"the exported arrays file holds an unexpected member {info.filename[:80]!r}")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Rejected(f"array {key!r} is compressed with method {info.compress_type}; only deflate is read")
            if info.file_size > budget:
                raise Rejected(
                    f"array {key!r} declares {info.file_size:,} bytes, more than the {budget:,} left of the "
                    f"{bounds.array_bytes:,}-byte budget"
                )
            with zf.open(info) as f:
                out[key] = _read_member(f, key, info.file_size, budget)
            budget -= out[key].nbytes
    return out


def _read_member(f: Any, key: str, member_size: int, budget: int) -> np.ndarray:
    fmt = np.lib.format
    version = fmt.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = fmt.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, fortran, dtype = fmt.read_array_header_2_0(f)
    else:
        raise Rejected(f"array {key!r} has an unsupported .npy version {version}")
    if dtype.kind not in ARRAY_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise Rejected(f"array {key!r} has dtype {dtype}; only plain numbers are read")
    if not all(isinstance(d, int) and d >= 0 for d in shape):
        raise Rejected(f"array {key!r} declares the shape {shape}")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > budget:
        raise Rejected(f"array {key!r} declares {nbytes:,} bytes of data (shape {shape}), more than the budget")
    if f.tell() + nbytes != member_size:
        raise Rejected(
            f"array {key!r} declares a shape of {nbytes:,} bytes, but its member holds {member_size - f.tell():,}"
        )
    data = bytearray()
    while len(data) < nbytes:
        chunk = f.read(min(1 << 20, nbytes - len(data)))
        if not chunk:
            raise Rejected(f"array {key!r} ends early")
        data += chunk
    if f.read(1):
        raise Rejected(f"array {key!r} holds more data than its shape")
    arr = np.frombuffer(bytes(data), dtype=dtype)
    return arr.reshape(shape, order="F" if fortran else "C").copy()
