"""Architecture explorer: a block diagram drawn from a live Keras graph (layers collapsed into blocks by their name
prefix, ``conv3_block2_…`` → ``conv3_block2``), params and MACs per stage from :func:`models.inspect.summary`, and
the family's variants from their declared facts."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

_BLOCK = re.compile(r"^(.+?_block\d+[a-z]?)_")
_STAGE_EFF = re.compile(r"^(block\d+)[a-z]$")


def block_of(layer_name: str) -> str:
    """The block a layer belongs to: ``conv3_block2_1_conv`` → ``conv3_block2``; ``block2a_dwconv`` → ``block2a``;
    ``conv1_bn`` → ``conv1``; a name without ``_`` is its own block."""
    m = _BLOCK.match(layer_name)
    if m:
        return m[1]
    return layer_name.split("_", 1)[0] if "_" in layer_name else layer_name


def stage_of(layer_name: str) -> str:
    """The stage: ``conv3_block2_1_conv`` → ``conv3``; ``block2a_dwconv`` → ``block2``."""
    block = block_of(layer_name)
    head = block.split("_block", 1)[0]
    m = _STAGE_EFF.match(head)
    return m[1] if m else head


def edges(model: Any) -> list[tuple[str, str]]:
    """(from layer, to layer) for every connection in the model's graph."""
    out: list[tuple[str, str]] = []
    for layer in model.layers:
        for node in layer._inbound_nodes:
            for t in node.input_tensors:
                src = t._keras_history.operation.name
                if (src, layer.name) not in out:
                    out.append((src, layer.name))
    return out


def diagram(
    layer_names: list[str], layer_edges: list[tuple[str, str]], expanded: frozenset[str] | set[str] = frozenset()
) -> str:
    """Graphviz DOT: one box per block (its layer count), or each layer of an ``expanded`` block; edges between boxes
    as the graph has them (self-loops inside a collapsed block dropped)."""

    def box(name: str) -> str:
        b = block_of(name)
        return name if b in expanded else b

    counts: dict[str, int] = defaultdict(int)
    order: list[str] = []
    for n in layer_names:
        b = box(n)
        if b not in counts:
            order.append(b)
        counts[b] += 1
    lines = ["digraph G {", "  rankdir=TB; node [shape=box, style=rounded, fontsize=10, height=0.25];"]
    for b in order:
        label = b if counts[b] == 1 or b in layer_names else f"{b}\\n({counts[b]} layers)"
        fill = ', style="rounded,filled", fillcolor="#fde9c9"' if block_of(b) in expanded else ""
        lines.append(f'  "{b}" [label="{label}"{fill}];')
    seen: set[tuple[str, str]] = set()
    for a, c in layer_edges:
        ea = (box(a), box(c))
        if ea[0] != ea[1] and ea not in seen:
            seen.add(ea)
            lines.append(f'  "{ea[0]}" -> "{ea[1]}";')
    lines.append("}")
    return "\n".join(lines)


def blocks(layer_names: list[str]) -> list[str]:
    """Blocks with more than one layer (the ones worth expanding), in graph order."""
    counts: dict[str, int] = defaultdict(int)
    for n in layer_names:
        counts[block_of(n)] += 1
    return [b for b in counts if counts[b] > 1]


def stage_rows(summary: Any) -> list[dict[str, Any]]:
    """Params and MACs per stage (sums of :func:`models.inspect.summary`'s per-layer rows), in graph order, with the
    stage's last output shape."""
    rows: dict[str, dict[str, Any]] = {}
    for r in summary.layers:
        st = stage_of(r.name)
        row = rows.setdefault(st, {"stage": st, "layers": 0, "params": 0, "macs": 0, "output": ""})
        row["layers"] += 1
        row["params"] += r.params
        row["macs"] += r.macs
        row["output"] = " × ".join(str(d) for d in r.output_shape)
    return list(rows.values())


def layer_rows(summary: Any) -> list[dict[str, Any]]:
    from models import inspect

    return [{**row, "output_shape": " × ".join(str(d) for d in row["output_shape"])} for row in inspect.table(summary)]


def variants(name: str) -> list[dict[str, Any]]:
    """The family's variants with their declared params / MACs / RF and the sources (models/facts, no building)."""
    from models.facts import VARIANTS

    fam = VARIANTS[name].family
    out = []
    for v in VARIANTS.values():
        if v.family != fam:
            continue
        out.append(
            {
                "model": v.name,
                "input": " × ".join(map(str, v.input_shape)),
                "params": v.params.value if v.params else None,
                "MACs": v.macs.value if v.macs else None,
                "RF": v.receptive_field.value if v.receptive_field else None,
                "source": v.params.source if v.params else "",
            }
        )
    return out
