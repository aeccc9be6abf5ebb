"""The zoo's registry contract: every required name, facts with sources, Keras-free facts, the CLI JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from models.facts import VARIANTS, Fact
from models.registry import builder, list_models
from ui.cli import app

REQUIRED = [
    "lenet5",
    "alexnet",
    "alexnet_2gpu",
    "vgg16",
    "vgg19",
    "googlenet",
    "inception_v3",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnet50_v1_5",
    "densenet121",
    "densenet161",
    "densenet169",
    "densenet201",
    "se_resnet50",
    "mobilenet_v1",
    "mobilenet_v2",
    *[f"efficientnet_b{i}" for i in range(8)],
    "xception",
    "c3d",
    "i3d",
    "slowfast_r50",
    "wavenet",
    "spectrogram_cnn",
    "vit_b16",
]


def test_every_required_model_is_registered() -> None:
    missing = sorted(set(REQUIRED) - set(VARIANTS))
    assert not missing, f"not registered: {missing}"


def test_list_models_glob() -> None:
    assert list_models("resnet1*") == ["resnet101", "resnet152", "resnet18"]
    assert list_models("efficientnet_b?") == [f"efficientnet_b{i}" for i in range(8)]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_declared_facts_have_sources_and_builders_exist(name: str) -> None:
    v = VARIANTS[name]
    assert callable(builder(v)), v.builder
    declared = [f for f in (v.params, v.trainable_params, v.macs, v.output_shape, v.receptive_field) if f is not None]
    declared += list(v.reference.values())
    assert v.params is not None, "every model declares its Keras parameter count"
    for f in declared:
        assert isinstance(f, Fact) and f.source.strip(), f"{name}: a fact without a source: {f}"


def test_facts_and_registry_do_not_import_keras() -> None:
    code = (
        "import sys, models.facts, models.registry; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_models_json_contract() -> None:
    r = CliRunner().invoke(app, ["models", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {row["name"] for row in rows} == set(VARIANTS)
    for row in rows:
        assert set(row) >= {
            "name",
            "family",
            "input_shape",
            "output_shape",
            "params",
            "trainable_params",
            "macs",
            "receptive_field",
            "reference",
        }
        for ref in row["reference"].values():
            assert ref["source"]


def test_weights_are_never_downloaded() -> None:
    from models.registry import get

    with pytest.raises(ValueError, match="never downloads"):
        get("lenet5", weights="imagenet")


@pytest.mark.live
def test_inspect_cli_json() -> None:
    r = CliRunner().invoke(app, ["inspect", "lenet5", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["params"] == VARIANTS["lenet5"].params.value  # type: ignore[union-attr]
    assert data["layers"][0]["type"] and data["flops_2x_macs"] == 2 * data["macs"]
    bad = CliRunner().invoke(app, ["inspect", "lenet5", "--input-shape", "a,b"])
    assert bad.exit_code == 2
