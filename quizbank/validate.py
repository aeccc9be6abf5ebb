"""Prove answer keys against live Keras.

For each question the witness (plain data) is rebuilt with Keras, the named
quantity is measured on the live model, and compared with the key: exactly for
integers, within the question's tolerance otherwise.  Choice questions are
proven through the value behind their correct option, or through a behavioural
probe that demonstrates the fact the correct option states.

This is the only module of ``quizbank`` that imports Keras (through
:mod:`models`), and only when called.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from .schema import (
    AnyQuestion,
    AnyWitness,
    CombinedWitness,
    LayersWitness,
    ModelWitness,
    MultipleChoiceQuestion,
    NumericQuestion,
    ProbeWitness,
    ShapeQuestion,
    Tolerance,
    ZooWitness,
)


@dataclass(frozen=True)
class Result:
    ok: bool
    expected: Any
    live: Any
    detail: str = ""


class Unverifiable(Exception):
    """The question has no witness: nothing live backs it."""


_cache: dict[str, Any] = {}


_zoo_models: dict[str, Any] = {}
_ZOO_KEEP = 3  # built zoo models kept (the largest are hundreds of MB)


def _zoo(name: str, kwargs: dict[str, Any]) -> Any:
    from models.registry import get

    key = json.dumps([name, kwargs], sort_keys=True)
    if key not in _zoo_models:
        if len(_zoo_models) >= _ZOO_KEEP:
            _zoo_models.pop(next(iter(_zoo_models)))
        if "input_shape" in kwargs:
            kwargs = {**kwargs, "input_shape": tuple(kwargs["input_shape"])}
        _zoo_models[key] = get(name, **kwargs)
    return _zoo_models[key]


def _build(w: LayersWitness | ModelWitness | ZooWitness) -> Any:
    from models._keras import keras

    if isinstance(w, ZooWitness):
        return _zoo(w.zoo, w.zoo_kwargs)
    if isinstance(w, LayersWitness):
        return keras.Sequential([keras.Input(tuple(w.input_shape))] + [keras.layers.deserialize(l) for l in w.layers])
    return keras.saving.deserialize_keras_object(w.model)


def _output_shape(model: Any) -> list[int]:
    from models._keras import keras, np

    shape = [int(d) for d in model.output_shape[1:]]
    n_in = math.prod(int(d) for d in model.input_shape[1:])
    if n_in * max(1, len(model.layers)) <= 4_000_000:
        # small enough to run: the shape of a real forward pass, not only Keras' inference of it
        x = np.zeros((1, *model.input_shape[1:]), "float32")
        # a functional config whose input_layers is a list wants its input as a list too
        nested = not isinstance(model, keras.Sequential) and isinstance(model.input, list)
        out = model([x] if nested else x)
        ran = [int(d) for d in out.shape[1:]]
        if ran != shape:
            raise AssertionError(f"Keras infers {shape} but the forward pass gives {ran}")
    return shape


def live_value(w: AnyWitness) -> Any:
    """Measure the witness' quantity on live Keras (memoised by the witness' canonical JSON)."""
    key = json.dumps(w.model_dump(mode="json"), sort_keys=True)
    if key in _cache:
        return _cache[key]
    value = _measure(w)
    _cache[key] = value
    return value


def _measure(w: AnyWitness) -> Any:
    from models import inspect, measure, probes

    if isinstance(w, CombinedWitness):
        vals = [live_value(p) for p in w.parts]
        if w.op == "ratio":
            return vals[0] / vals[1]
        if w.op == "difference":
            return vals[0] - vals[1]
        if w.op == "sum":
            return sum(vals)
        if w.op == "percent_of":
            return 100.0 * vals[0] / vals[1]
        if w.op == "percent_more":
            return 100.0 * (vals[0] - vals[1]) / vals[1]
        return 100.0 * (vals[1] - vals[0]) / vals[1]  # percent_fewer: parts = [new, old]
    if isinstance(w, ProbeWitness):
        return probes.run(w.probe, **w.args)
    model = _build(w)
    target = model.get_layer(w.layer) if w.layer else model
    if w.quantity == "count_params":
        return int(target.count_params())
    if w.quantity == "trainable_params":
        return inspect.trainable_params(target)
    if w.quantity == "non_trainable_params":
        return inspect.non_trainable_params(target)
    if w.quantity == "macs":
        return inspect.layer_macs(target) if w.layer else inspect.macs(model)
    if w.quantity in ("output_shape", "channels"):
        if w.layer:
            shape = [int(d) for d in target.output.shape[1:]]
        else:
            shape = [int(d) for d in model.output_shape[1:]] if isinstance(w, ZooWitness) else _output_shape(model)
        return shape[-1] if w.quantity == "channels" else shape
    if w.quantity == "receptive_field":
        # zoo models are too large for a gradient measurement per question: the inspector's graph RF (itself
        # proven equal to the gradient measurement in tests) is used; small witnesses are measured by gradient
        if isinstance(w, ZooWitness):
            rf_t = inspect.receptive_field(model, w.layer)
            rf = list(rf_t) if rf_t else []
        else:
            rf = measure.receptive_field(model)
        return rf[0] if len(set(rf)) == 1 else rf
    raise ValueError(f"unknown quantity {w.quantity!r}")


def expected_value(q: AnyQuestion) -> Any:
    """What the witness must measure for the key to be right."""
    if isinstance(q, NumericQuestion):
        return q.key
    if isinstance(q, ShapeQuestion):
        return q.key_value
    expect = _expectation(q.witness)
    if isinstance(q, MultipleChoiceQuestion):
        right = next(o for o in q.options if o.correct)
        if right.value is not None and expect is None:
            return right.value
    if expect is None:
        raise ValueError(f"{q.uid}: the witness states no expectation and the correct option carries no value")
    return expect


def _expectation(w: AnyWitness | None) -> Any:
    """What a witness states it must measure for a choice question (``None``: nothing)."""
    return None if w is None else w.expect


def _close(expected: Any, live: Any, tol: Tolerance | None) -> bool:
    if isinstance(expected, (list, tuple)) or isinstance(live, (list, tuple)):
        return (
            list(expected) == list(live)
            if isinstance(expected, (list, tuple)) and isinstance(live, (list, tuple))
            else False
        )
    if isinstance(expected, bool) or isinstance(live, bool):
        return expected is live or expected == live
    if isinstance(expected, str) or isinstance(live, str):
        return expected == live
    e, v = float(expected), float(live)
    if tol is not None and tol.mode != "exact":
        return tol.accepts(v, e)
    if float(e).is_integer() and float(v).is_integer():
        return e == v
    return math.isclose(e, v, rel_tol=1e-4, abs_tol=1e-6)


def validate_question(q: AnyQuestion) -> Result:
    if q.witness is None:
        raise Unverifiable(f"{q.uid} has no witness")
    try:
        expected = expected_value(q)
    except ValueError as e:
        return Result(False, None, None, str(e))
    try:
        live = live_value(q.witness)
    except Exception as e:
        return Result(False, expected, None, f"{type(e).__name__}: {e}")
    tol = q.tolerance if isinstance(q, NumericQuestion) else None
    ok = _close(expected, live, tol)
    if ok and isinstance(q, MultipleChoiceQuestion) and _expectation(q.witness) is None:
        # the live value must single out the correct option: no distractor may also match it
        clash = [o.text for o in q.options if not o.correct and o.value is not None and _close(o.value, live, None)]
        if clash:
            return Result(False, expected, live, f"distractors also match the live value: {clash}")
    return Result(ok, expected, live)


def clear_cache() -> None:
    _cache.clear()
    _zoo_models.clear()
