"""The Home page's logic: what each topic teaches and the order to learn them in, from gentle to architectures."""

from __future__ import annotations

from dataclasses import dataclass

from quizbank.generators import TOPICS, generators

SUGGESTED_ORDER: tuple[str, ...] = (
    "conv_params",
    "output_size",
    "pooling",
    "compute",
    "receptive_field",
    "one_by_one",
    "stacked_kernels",
    "dilation",
    "fc_vs_conv",
    "depthwise_separable",
    "normalization",
    "residual",
    "equivariance",
    "backward",
    "edge_cases",
    "vit",
    "video",
    "audio",
    "milestones",
    "architectures",
)
"""From counting one layer's weights to whole named networks: each topic leans on the ones before it."""

START_TOPIC = SUGGESTED_ORDER[0]
START_DIFFICULTY = 1

STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("One layer", ("conv_params", "output_size", "pooling", "compute", "receptive_field")),
    ("Building blocks", ("one_by_one", "stacked_kernels", "dilation", "fc_vs_conv", "depthwise_separable")),
    ("Deeper networks", ("normalization", "residual", "equivariance", "backward", "edge_cases")),
    ("Beyond images, and whole networks", ("vit", "video", "audio", "milestones", "architectures")),
)


@dataclass(frozen=True)
class TopicCard:
    number: int
    id: str
    title: str
    summary: str
    questions: int
    """How many question generators the topic has."""


def ordered_topics() -> list[str]:
    """Every topic with generators, in the suggested order (a topic the order does not name comes last)."""
    known = [t for t in SUGGESTED_ORDER if t in TOPICS and generators(t)]
    rest = sorted(t for t in TOPICS if t not in SUGGESTED_ORDER and generators(t))
    return known + rest


def topic_cards() -> list[tuple[str, list[TopicCard]]]:
    """The topics grouped into stages, numbered in the suggested order."""
    order = ordered_topics()
    number = {t: i + 1 for i, t in enumerate(order)}
    staged = {t for _, ts in STAGES for t in ts}
    stages = [(name, [t for t in ts if t in number]) for name, ts in STAGES]
    extra = [t for t in order if t not in staged]
    if extra:
        stages.append(("More", extra))
    return [
        (
            name,
            [
                TopicCard(number[t], t, TOPICS[t].title, TOPICS[t].summary, len(generators(t)))
                for t in sorted(ts, key=number.__getitem__)
            ],
        )
        for name, ts in stages
        if ts
    ]
