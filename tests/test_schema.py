"""The question schema: witness forms, quantities, and the JSON they read and write."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from quizbank import witness as W
from quizbank.generators import generate
from quizbank.schema import (
    QUANTITIES,
    AnyWitness,
    CombinedWitness,
    LayersWitness,
    ModelWitness,
    ProbeWitness,
    QuestionAdapter,
    QuestionListAdapter,
    ShapeQuestion,
    WitnessAdapter,
    ZooWitness,
)

# the serialized witness as it was written before witnesses had forms: every key, in this order
KEYS = [
    "quantity",
    "input_shape",
    "layers",
    "model",
    "layer",
    "probe",
    "args",
    "expect",
    "zoo",
    "zoo_kwargs",
    "op",
    "parts",
]


def _layers() -> LayersWitness:
    return W.sequential([8, 8, 3], [W.conv2d(4, 3)], "count_params", at="conv")


def _forms() -> list[AnyWitness]:
    g = W.Graph([8, 8, 3])
    y = g.add(W.conv2d(4, 1), g.input)
    return [
        _layers(),
        g.witness(y, "output_shape"),
        W.zoo("resnet50", "macs", at="conv1_conv", input_shape=[160, 160, 3]),
        W.probe("maxpool_grad_routes_to_argmax", expect=True, k=2),
        W.combine("ratio", _layers(), W.zoo("lenet5", "count_params")),
    ]


def test_each_builder_makes_its_form() -> None:
    assert [type(w) for w in _forms()] == [LayersWitness, ModelWitness, ZooWitness, ProbeWitness, CombinedWitness]


@pytest.mark.parametrize("i", range(5))
def test_every_form_writes_every_key_and_reads_back_as_itself(i: int) -> None:
    w = _forms()[i]
    data = w.model_dump(mode="json")
    assert list(data) == KEYS
    back = WitnessAdapter.validate_json(json.dumps(data))
    assert type(back) is type(w) and back == w
    assert back.model_dump(mode="json") == data


def test_keys_a_form_does_not_use_are_written_empty() -> None:
    data = W.probe("gap_loses_layout", expect=True).model_dump(mode="json")
    assert data["layers"] is None and data["zoo"] is None and data["zoo_kwargs"] == {} and data["parts"] is None
    assert (data["quantity"], data["probe"], data["expect"]) == ("probe", "gap_loses_layout", True)
    combined = W.combine("sum", _layers(), _layers()).model_dump(mode="json")
    assert combined["op"] == "sum" and [p["layer"] for p in combined["parts"]] == ["conv", "conv"]
    assert combined["args"] == {} and combined["input_shape"] is None


def test_exclude_none_still_drops_the_unused_keys() -> None:
    assert set(_layers().model_dump(exclude_none=True)) == {"quantity", "input_shape", "layers", "layer"}


def _with(w: AnyWitness, **change: Any) -> dict[str, Any]:
    return {**w.model_dump(mode="json"), **change}


@pytest.mark.parametrize(
    "data",
    [
        _with(_layers(), probe="gap_loses_layout"),
        _with(_layers(), zoo="lenet5"),
        _with(_layers(), zoo_kwargs={"input_shape": [32, 32, 1]}),
        _with(W.zoo("lenet5", "macs"), args={"k": 3}),
        _with(W.probe("gap_loses_layout"), layer="conv"),
        _with(W.probe("gap_loses_layout"), input_shape=[8, 8, 3]),
    ],
    ids=["layers+probe", "layers+zoo", "layers+zoo_kwargs", "zoo+args", "probe+layer", "probe+shape"],
)
def test_a_key_of_another_form_is_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        WitnessAdapter.validate_python(data)


def test_a_form_refuses_foreign_keywords() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        LayersWitness(quantity="count_params", input_shape=[8, 8, 3], layers=[], probe="gap_loses_layout")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ProbeWitness(probe="gap_loses_layout", zoo="lenet5")  # type: ignore[call-arg]


def test_malformed_witnesses_are_refused() -> None:
    with pytest.raises(ValidationError, match="exactly one of 'layers', 'model', 'zoo', 'probe' or 'op'"):
        WitnessAdapter.validate_python({"quantity": "count_params"})
    with pytest.raises(ValidationError, match="input_shape"):
        WitnessAdapter.validate_python({"quantity": "count_params", "layers": []})
    with pytest.raises(ValidationError, match="at least 1 item"):
        WitnessAdapter.validate_python({"quantity": "count_params", "op": "ratio", "parts": []})
    with pytest.raises(ValidationError, match="quantity"):
        WitnessAdapter.validate_python(_with(_layers(), quantity="flops"))
    with pytest.raises(ValidationError, match="quantity"):  # a layer stack measures, it does not probe
        LayersWitness(quantity="probe", input_shape=[8, 8, 3], layers=[])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="op"):
        W.combine("product", _layers(), _layers())


def test_quantities_are_the_literal() -> None:
    assert len(QUANTITIES) == len(set(QUANTITIES)) == 8
    assert {"count_params", "output_shape", "receptive_field", "macs", "probe"} <= set(QUANTITIES)
    assert all(isinstance(q, str) for q in QUANTITIES)
    for q in QUANTITIES:
        if q != "probe":
            assert LayersWitness(quantity=q, input_shape=[1], layers=[]).quantity == q  # type: ignore[arg-type]


# ------------------------------------------------------------------ shape questions


def _shape() -> ShapeQuestion:
    q = generate("output_size.shape", 3, 2)
    assert isinstance(q, ShapeQuestion)
    return q


def test_a_shape_question_is_its_own_kind() -> None:
    data = _shape().model_dump(mode="json")
    assert data["kind"] == "shape" and "format" not in data
    assert data["key"] == "×".join(map(str, data["key_value"]))


def test_json_stored_as_short_text_shape_still_reads() -> None:
    q = _shape()
    data = q.model_dump(mode="json")
    for legacy in ({**data, "kind": "short_text", "format": "shape"}, {**data, "kind": "short_text"}):
        assert QuestionAdapter.validate_json(json.dumps(legacy)) == q
        assert QuestionAdapter.validate_python(legacy) == q
        assert ShapeQuestion.model_validate(legacy) == q
        assert QuestionListAdapter.validate_python([legacy]) == [q]


def test_the_text_mode_is_gone() -> None:
    data = _shape().model_dump(mode="json")
    with pytest.raises(ValidationError):
        QuestionAdapter.validate_python({**data, "kind": "short_text", "format": "text"})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        QuestionAdapter.validate_python({**data, "format": "shape"})
