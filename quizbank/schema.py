"""Questions as data.

A question is JSON: the generator id, its version, the seed and difficulty that
produced it, the rounded parameters, the stem, the key, the distractors (each a
named trap with its own feedback), a worked explanation and a *witness*: the
live Keras counterpart as plain data, so anyone can rebuild it with plain Keras
and check the key.  ``kind`` discriminates the four question forms.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    Tag,
    TypeAdapter,
    model_serializer,
    model_validator,
)

Measure = Literal[
    "count_params",
    "trainable_params",
    "non_trainable_params",
    "output_shape",
    "receptive_field",
    "macs",
    "channels",
]
"""A quantity measured on a live model (or on one of its layers)."""

Quantity = Literal[Measure, "probe"]
"""What a witness measures: a :data:`Measure`, or ``probe`` (then the witness names the
behavioural probe of :mod:`models.probes` to run)."""

QUANTITIES: tuple[str, ...] = get_args(Quantity)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ------------------------------------------------------------------ witnesses

_WITNESS_KEYS: dict[str, Any] = {
    "quantity": None,
    "input_shape": None,
    "layers": None,
    "model": None,
    "layer": None,
    "probe": None,
    "args": {},
    "expect": None,
    "zoo": None,
    "zoo_kwargs": {},
    "op": None,
    "parts": None,
}
"""Every key a serialized witness carries, in order, with the value it has when its form does not use it.

Each form writes all of them, so a question's JSON does not depend on which form backs it (and reads back
through :data:`Witness`, which drops the unused keys before the form refuses any it does not know)."""


class _WitnessForm(_Frozen):
    form: ClassVar[str]

    @model_serializer(mode="wrap")
    def _every_key(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if info.exclude_none or info.exclude_defaults or info.exclude_unset:
            return data
        own = type(self).model_fields
        return {k: data[k] if k in own else copy(v) for k, v in _WITNESS_KEYS.items() if k in data or k not in own}


class LayersWitness(_WitnessForm):
    """Serialized Keras layers applied in sequence to ``input_shape`` (no batch axis)."""

    form: ClassVar[str] = "layers"
    quantity: Measure
    input_shape: list[int]
    layers: list[dict[str, Any]]
    layer: str | None = Field(default=None, description="layer name the quantity refers to; default: the last one")
    expect: Any = Field(default=None, description="for a measurement backing a choice: the value it must measure")


class ModelWitness(_WitnessForm):
    """A functional ``model`` config, where the graph branches."""

    form: ClassVar[str] = "model"
    quantity: Measure
    model: dict[str, Any]
    layer: str | None = Field(default=None, description="layer name the quantity refers to; default: the model")
    expect: Any = Field(default=None, description="for a measurement backing a choice: the value it must measure")


class ZooWitness(_WitnessForm):
    """A model of the cnnquiz zoo: ``models.registry.get(zoo, **zoo_kwargs)``."""

    form: ClassVar[str] = "zoo"
    quantity: Measure
    layer: str | None = Field(default=None, description="layer name the quantity refers to; default: the model")
    zoo: str
    zoo_kwargs: dict[str, Any] = Field(default_factory=dict)
    expect: Any = Field(default=None, description="for a measurement backing a choice: the value it must measure")


class ProbeWitness(_WitnessForm):
    """A behavioural probe of :mod:`models.probes` run on live layers: ``probes.run(probe, **args)``."""

    form: ClassVar[str] = "probe"
    quantity: Literal["probe"] = "probe"
    probe: str
    args: dict[str, Any] = Field(default_factory=dict)
    expect: Any = Field(default=None, description="for probes backing a choice: the value the probe must measure")


class CombinedWitness(_WitnessForm):
    """A combination of the values of ``parts``: ``ratio`` a/b, ``difference`` a−b, ``sum``,
    ``percent_fewer`` 100·(b−a)/b, ``percent_of`` 100·a/b, ``percent_more`` 100·(a−b)/b."""

    form: ClassVar[str] = "combined"
    quantity: Quantity
    op: Literal["ratio", "difference", "sum", "percent_fewer", "percent_of", "percent_more"]
    parts: list[Witness] = Field(min_length=1)
    expect: Any = Field(default=None, description="for a measurement backing a choice: the value it must measure")


AnyWitness = LayersWitness | ModelWitness | ZooWitness | ProbeWitness | CombinedWitness


def _witness_form(value: Any) -> str | None:
    """Which form a witness is, from the keys it sets (``None``: none of them)."""
    if isinstance(value, _WitnessForm):
        return value.form
    if not isinstance(value, dict):
        return None
    if value.get("op") is not None:
        return "combined"
    if value.get("probe") is not None or value.get("quantity") == "probe":
        return "probe"
    for form in ("zoo", "model", "layers"):
        if value.get(form) is not None:
            return form
    return None


def _drop_unused_keys(value: Any) -> Any:
    """The serialized form writes every key of :data:`_WITNESS_KEYS`; those left at their unused value are dropped."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in _WITNESS_KEYS or k == "quantity" or v != _WITNESS_KEYS[k]}
    return value


Witness = Annotated[
    Annotated[LayersWitness, Tag("layers")]
    | Annotated[ModelWitness, Tag("model")]
    | Annotated[ZooWitness, Tag("zoo")]
    | Annotated[ProbeWitness, Tag("probe")]
    | Annotated[CombinedWitness, Tag("combined")],
    Discriminator(
        _witness_form,
        custom_error_type="witness_form",
        custom_error_message="a witness sets exactly one of 'layers', 'model', 'zoo', 'probe' or 'op'",
    ),
    BeforeValidator(_drop_unused_keys),
]
"""The live Keras counterpart of a question, as plain data, in one of five forms: :class:`LayersWitness`,
:class:`ModelWitness`, :class:`ZooWitness`, :class:`ProbeWitness` or :class:`CombinedWitness` (told apart by the keys
they set)."""
CombinedWitness.model_rebuild()
WitnessAdapter: TypeAdapter[Witness] = TypeAdapter(Witness)


class Tolerance(_Frozen):
    """How close a numeric answer must be (the modes Moodle and PrairieLearn users know)."""

    mode: Literal["exact", "absolute", "relative", "sigfigs"] = "exact"
    value: float = 0.0

    def accepts(self, key: float, answer: float) -> bool:
        if self.mode == "exact":
            return answer == key
        if self.mode == "absolute":
            return abs(answer - key) <= self.value + 1e-12
        if self.mode == "relative":
            return abs(answer - key) <= self.value * abs(key) + 1e-12
        # significant figures, as PrairieLearn's ``is_correct_scalar_sf``: within 0.51 units of the key's
        # n-th significant digit (so 0.125 → 0.13 and 0.12 both pass at 2 s.f., and extra digits never hurt);
        # a key of 0 counts as magnitude 1.
        return answer == key or abs(answer - key) < _sig_unit(key, max(1, int(self.value))) * 0.51


def _sig_unit(x: float, n: int) -> float:
    """The place value of the ``n``-th significant digit of ``x`` (of 1 when ``x`` is 0)."""
    from math import floor, log10

    exponent = floor(log10(abs(x))) if x != 0 else 0
    return 10.0 ** (exponent - n + 1)


class TrapValue(_Frozen):
    """A wrong-but-plausible value produced by a named trap, with its feedback."""

    trap: str
    value: float | int | list[int]
    feedback: str


class Option(_Frozen):
    id: str
    text: str
    correct: bool
    trap: str | None = None
    feedback: str
    value: float | int | list[int] | str | None = None


class _QuestionBase(_Frozen):
    generator: str
    version: int
    seed: int
    difficulty: Literal[1, 2, 3]
    topic: str
    params: dict[str, Any]
    stem: str
    explanation: str
    witness: Witness | None = None

    @property
    def uid(self) -> str:
        return f"{self.generator}@{self.version}:d{self.difficulty}:s{self.seed}"


class NumericQuestion(_QuestionBase):
    kind: Literal["numeric"] = "numeric"
    key: float | int
    tolerance: Tolerance = Tolerance()
    unit: str | None = None
    traps: list[TrapValue] = Field(default_factory=list)


def _upgrade_legacy_shape(data: Any) -> Any:
    """JSON written before shapes had a kind of their own (``kind="short_text", format="shape"``) reads as a shape."""
    if isinstance(data, dict) and data.get("kind") == "short_text" and data.get("format", "shape") == "shape":
        data = {k: v for k, v in data.items() if k != "format"}
        data["kind"] = "shape"
    return data


class ShapeQuestion(_QuestionBase):
    """A tensor shape typed as text, such as ``112×112×64`` (no batch axis)."""

    kind: Literal["shape"] = "shape"
    key: str
    """The shape as printed."""
    key_value: list[int]
    accept: list[str] = Field(default_factory=list)
    traps: list[TrapValue] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        return _upgrade_legacy_shape(data)


class _ChoiceBase(_QuestionBase):
    options: list[Option]

    def option(self, option_id: Any) -> Option:
        """The option called ``option_id`` (:class:`ValueError` if there is none)."""
        for o in self.options:
            if o.id == str(option_id):
                return o
        raise ValueError(f"{option_id!r} is not an option of this question")

    @model_validator(mode="after")
    def _distinct(self) -> _ChoiceBase:
        texts = [o.text for o in self.options]
        if len(set(texts)) != len(texts):
            raise ValueError(f"{self.generator}: options are not distinct: {texts}")
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids are not distinct")
        return self


class MultipleChoiceQuestion(_ChoiceBase):
    kind: Literal["multiple_choice"] = "multiple_choice"
    key: str

    @model_validator(mode="after")
    def _one_key(self) -> MultipleChoiceQuestion:
        correct = [o.id for o in self.options if o.correct]
        if correct != [self.key]:
            raise ValueError(f"{self.generator}: key {self.key!r} does not match the correct option {correct}")
        return self


class MultiSelectQuestion(_ChoiceBase):
    kind: Literal["multi_select"] = "multi_select"
    key: list[str]

    def selection(self, answer: Any) -> set[str]:
        """The option ids an answer (one id or a collection of them) selects (:class:`ValueError` naming any
        that are not options)."""
        chosen = set(answer if isinstance(answer, set | frozenset | Sequence) else [answer])
        unknown = chosen - {o.id for o in self.options}
        if unknown:
            raise ValueError(f"{sorted(unknown)} are not options of this question")
        return chosen

    @model_validator(mode="after")
    def _keys(self) -> MultiSelectQuestion:
        correct = [o.id for o in self.options if o.correct]
        if sorted(correct) != sorted(self.key) or not correct:
            raise ValueError(f"{self.generator}: key {self.key} does not match the correct options {correct}")
        return self


Question = Annotated[
    NumericQuestion | ShapeQuestion | MultipleChoiceQuestion | MultiSelectQuestion,
    Field(discriminator="kind"),
    BeforeValidator(_upgrade_legacy_shape),
]
QuestionAdapter: TypeAdapter[Question] = TypeAdapter(Question)
QuestionListAdapter: TypeAdapter[list[Question]] = TypeAdapter(list[Question])

AnyQuestion = NumericQuestion | ShapeQuestion | MultipleChoiceQuestion | MultiSelectQuestion
