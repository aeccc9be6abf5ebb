"""Questions as data.

A question is JSON: the generator id, its version, the seed and difficulty that
produced it, the rounded parameters, the stem, the key, the distractors (each a
named trap with its own feedback), a worked explanation and a *witness*: the
live Keras counterpart as plain data, so anyone can rebuild it with plain Keras
and check the key.  ``kind`` discriminates the four question forms.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

Quantity = str
"""One of ``count_params``, ``trainable_params``, ``non_trainable_params``,
``output_shape``, ``receptive_field``, ``macs`` or ``probe`` (then ``probe``
names the behavioural probe in :mod:`models.probes`)."""

QUANTITIES = (
    "count_params",
    "trainable_params",
    "non_trainable_params",
    "output_shape",
    "receptive_field",
    "macs",
    "channels",
    "probe",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Witness(_Frozen):
    """The live Keras counterpart of a question, as plain data.

    Either a sequence of serialized layers applied to ``input_shape`` (no batch
    axis), a functional ``model`` config where the graph branches, a model of the
    zoo by name (``zoo`` + ``zoo_kwargs``), a ``probe`` run on live layers, or a
    combination (``op``) of ``parts``: ``ratio`` a/b, ``difference`` a−b, ``sum``,
    ``percent_fewer`` 100·(b−a)/b, ``percent_of`` 100·a/b, ``percent_more`` 100·(a−b)/b.
    """

    quantity: Quantity
    input_shape: list[int] | None = None
    layers: list[dict[str, Any]] | None = None
    model: dict[str, Any] | None = None
    layer: str | None = Field(
        default=None, description="layer name the quantity refers to; default: the whole model / last layer"
    )
    probe: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    expect: Any = Field(default=None, description="for probes backing a choice: the value the probe must measure")
    zoo: str | None = Field(default=None, description="a model of the cnnquiz zoo (models.registry) instead of layers")
    zoo_kwargs: dict[str, Any] = Field(default_factory=dict)
    op: Literal["ratio", "difference", "sum", "percent_fewer", "percent_of", "percent_more"] | None = None
    parts: list[Witness] | None = None

    @model_validator(mode="after")
    def _check(self) -> Witness:
        if self.quantity not in QUANTITIES:
            raise ValueError(f"unknown witness quantity {self.quantity!r}; expected one of {QUANTITIES}")
        if self.op is not None:
            if not self.parts:
                raise ValueError("a combined witness needs parts")
        elif self.quantity == "probe":
            if not self.probe:
                raise ValueError("a probe witness names its probe")
        elif sum(x is not None for x in (self.layers, self.model, self.zoo)) != 1:
            raise ValueError("a witness has exactly one of 'layers', 'model' or 'zoo'")
        elif self.layers is not None and self.input_shape is None:
            raise ValueError("a sequential witness needs input_shape")
        return self


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


class ShortTextQuestion(_QuestionBase):
    """A short typed answer: a tensor shape (``format='shape'``) or a word."""

    kind: Literal["short_text"] = "short_text"
    format: Literal["shape", "text"] = "shape"
    key: str
    key_value: list[int] | None = None
    accept: list[str] = Field(default_factory=list)
    traps: list[TrapValue] = Field(default_factory=list)


class _ChoiceBase(_QuestionBase):
    options: list[Option]

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

    @model_validator(mode="after")
    def _keys(self) -> MultiSelectQuestion:
        correct = [o.id for o in self.options if o.correct]
        if sorted(correct) != sorted(self.key) or not correct:
            raise ValueError(f"{self.generator}: key {self.key} does not match the correct options {correct}")
        return self


Question = Annotated[
    NumericQuestion | ShortTextQuestion | MultipleChoiceQuestion | MultiSelectQuestion,
    Field(discriminator="kind"),
]
QuestionAdapter: TypeAdapter[Question] = TypeAdapter(Question)
QuestionListAdapter: TypeAdapter[list[Question]] = TypeAdapter(list[Question])

AnyQuestion = NumericQuestion | ShortTextQuestion | MultipleChoiceQuestion | MultiSelectQuestion
