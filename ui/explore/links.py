"""Links between the Practice page and the Explore views: ``show_me(question)`` picks the view that draws a question
with its numbers; ``params_from_query`` reads those numbers back from the view's URL."""

from __future__ import annotations

from typing import Any

from quizbank.schema import AnyQuestion

PAGES: dict[str, str] = {
    "conv": "ui/pages/explore_conv.py",
    "rf": "ui/pages/explore_rf.py",
}
_INTS = {"conv": ("w", "k", "s", "d", "p"), "rf": ()}


def stack_text(layers: list[dict[str, Any]]) -> str:
    """A typed stack as ``c3 c3s2 m2s2 c3d2`` (op c/m/a = conv/max/avg, then K, stride, dilation)."""
    out = []
    for layer in layers:
        op = {"conv": "c", "max": "m", "avg": "a"}.get(str(layer.get("op", "conv")), "c")
        tok = f"{op}{int(layer['k'])}"
        if int(layer.get("s", 1)) != 1:
            tok += f"s{int(layer['s'])}"
        if int(layer.get("d", 1)) != 1:
            tok += f"d{int(layer['d'])}"
        out.append(tok)
    return " ".join(out)


def _conv_params(w: int, layer: dict[str, Any]) -> dict[str, Any]:
    pad = layer.get("pad", "valid")
    params: dict[str, Any] = {
        "w": int(w),
        "k": int(layer["k"]),
        "s": int(layer.get("s", 1)),
        "d": int(layer.get("d", 1)),
    }
    if isinstance(pad, int):
        params.update(mode="explicit P", p=pad)
    else:
        params["mode"] = "same" if pad == "same" else "valid"
    return params


def show_me(question: AnyQuestion) -> tuple[str, dict[str, Any]] | None:
    """The Explore page that draws ``question`` and the params (query-string values) that set it up with the
    question's numbers; None when no view fits its topic."""
    gen, p = question.generator, dict(question.params)
    topic = gen.split(".", 1)[0]
    if topic == "output_size" and "layers" in p:
        return PAGES["conv"], _conv_params(int(p["w"]), p["layers"][0])
    if gen == "output_size.same_split":
        return PAGES["conv"], {"w": p["w"], "k": p["k"], "s": p["s"], "d": p["d"], "mode": "same"}
    if topic == "dilation" and "k" in p and "d" in p:
        k_eff = int(p["d"]) * (int(p["k"]) - 1) + 1
        return PAGES["conv"], {"w": k_eff + 2, "k": p["k"], "s": 1, "d": p["d"], "mode": "valid"}
    if topic == "receptive_field" and "layers" in p:
        return PAGES["rf"], {"stack": stack_text(p["layers"])}
    if topic == "receptive_field" and "prefix" in p:
        return PAGES["rf"], {"stack": stack_text([*p["prefix"], {"op": "conv", "k": p["k"], "d": p["d"]}])}
    if gen == "stacked_kernels.rf":
        return PAGES["rf"], {"stack": " ".join(f"c{k}" + (f"s{s}" if s != 1 else "") for k, s in p["chain"])}
    if topic in ("dilation", "edge_cases") and ("rates" in p or "schedule" in p):
        rates = p.get("rates") or p.get("schedule")
        return PAGES["rf"], {
            "stack": " ".join(f"c{p.get('k', 3)}d{r}" if r != 1 else f"c{p.get('k', 3)}" for r in rates)
        }
    return None


def params_from_query(query: dict[str, str], view: str) -> dict[str, Any]:
    """The view's settings from its URL (``?w=7&k=3&mode=same``): integers where the view wants them; anything
    malformed is dropped, never raised."""
    out: dict[str, Any] = {}
    for key, raw in query.items():
        if key in _INTS.get(view, ()):
            if raw.isdigit():
                out[key] = int(raw)
        elif key == "mode" and view == "conv" and raw in ("valid", "same", "explicit P"):
            out[key] = raw
        elif key == "stack" and view == "rf" and len(raw) <= 400:
            out[key] = raw
    return out
