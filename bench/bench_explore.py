"""Benchmark: each Explore view's logic — the work one page run does once its heavy objects are cached (what a user
waits for on every interaction) and the first, cold run that builds them (models, gradient, LeNet-5 training).
Writes JSON.

    python bench/bench_explore.py --out bench/results/explore.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def views() -> dict[str, tuple[Callable[[], Any], Callable[[Any], Any]]]:
    """view → (cold: build the cached objects, warm: one page run's logic on them)."""
    import numpy as np

    from models import inspect, registry
    from ui.explore import arch, conv, efficiency, lenet, own, rf, video_norm

    def conv_warm(_: Any) -> Any:
        s = conv.Setup(7, 3, 2, "same", 1)
        conv.formula_latex(s)
        conv.frame_chart(s, 3).to_dict()
        return conv.wavenet_chart(2, [1, 2, 4, 8], 20).to_dict()

    def rf_cold() -> Any:
        stack = rf.parse_stack("c3 c3 m2s2 c3 c3")
        return (
            inspect.summary(rf.build(stack)),
            rf.measure(stack),
            [rf.measure(rf.schedule_ops(r)) for r in rf.SCHEDULES.values()],
        )

    def rf_warm(c: Any) -> Any:
        summary, m, _ = c
        rf.growth_chart(rf.growth_rows(summary), "t").to_dict()
        rf.support_chart(rf.support_cells(m), "t").to_dict()
        return [rf.schedule_row(n, r) for n, r in rf.SCHEDULES.items()]  # the schedule charts are cached whole

    def arch_cold() -> Any:
        m = registry.get("resnet50")
        return inspect.summary(m), [layer.name for layer in m.layers], arch.edges(m)

    def arch_warm(c: Any) -> Any:
        summary, names, edges = c
        arch.diagram(names, edges, {"conv2_block1"})
        return arch.stage_rows(summary), arch.layer_rows(summary), arch.variants("resnet50")

    def eff_warm(_: Any) -> Any:
        p = efficiency.zoo_points()
        efficiency.accuracy_chart(p).to_dict()
        efficiency.zoo_chart(p).to_dict()
        return efficiency.efficientnet_chart(efficiency.efficientnet_rows()).to_dict()

    def lenet_warm(t: Any) -> Any:
        img = t.x_test[0]
        acts = lenet.activations(t.model, img)
        moved = lenet.activations(t.model, lenet.shifted(img, 4, 0))
        for n in lenet.map_layers(t.model):
            lenet.tile(acts[n])
            lenet.map_shift(t.model, img, 4, 0, n, acts, moved)
        lenet.heat(img[..., 0], "t").to_dict()
        lenet.unit(t.model, img, "block1_conv", 0, 14, 14)
        return lenet.activations(t.model, lenet.rotated(img))

    def vn_warm(_: Any) -> Any:
        video_norm.kernel_chart(video_norm.inflate(np.ones((3, 3, 1, 1), "float32"), 3), "t").to_dict()
        for k in video_norm.KINDS:
            video_norm.norm_numbers(k, 2, 2, 2, 4)
            video_norm.norm_chart(video_norm.norm_cells(k, 2, 2, 2, 4), "t").to_dict()

    def rf_zoo_cold() -> Any:
        model, _ = rf.zoo_rf_model("vgg16")
        summary = inspect.summary(model)
        layers = rf.spatial_layers(summary, [x.name for x in model.layers])
        name, r, _ = layers[rf.default_layer(layers, int(model.input_shape[1]))]
        return summary, rf.layer_map(model, name, r)

    def rf_zoo_warm(c: Any) -> Any:
        summary, m = c
        rf.growth_chart(rf.growth_rows(summary), "t").to_dict()
        return rf.map_chart(m, "t").to_dict()

    def own_cold() -> Any:
        return registry.get("mobilenet_v2").to_json()

    def own_warm(text: str) -> Any:
        return own.explore_config(text)  # not cached across different pastes: the first paste pays this

    return {
        "conv": (lambda: None, conv_warm),
        "rf": (rf_cold, rf_warm),
        "rf zoo (vgg16 gradient map, 128 px)": (rf_zoo_cold, rf_zoo_warm),
        "arch": (arch_cold, arch_warm),
        "efficiency": (lambda: None, eff_warm),
        "lenet": (lenet.train, lenet_warm),
        "video_norm": (lambda: video_norm.inflation(3), vn_warm),
        "own (mobilenet_v2 config)": (own_cold, own_warm),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/results/explore.json"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="one warm repeat per view (a smoke run)")
    args = ap.parse_args()
    if args.quick:
        args.repeat = 1
    from models._keras import keras  # noqa: F401  (TensorFlow's import is not a view's cost)

    rows = []
    for name, (cold, warm) in views().items():
        t0 = time.perf_counter()
        cached = cold()
        t1 = time.perf_counter()
        warm(cached)  # first page run
        t2 = time.perf_counter()
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            warm(cached)
            times.append(time.perf_counter() - t)
        row = {
            "view": name,
            "cold_build_s": round(t1 - t0, 3),
            "first_run_s": round(t2 - t1, 3),
            "warm_median_s": round(statistics.median(times), 4),
            "warm_max_s": round(max(times), 4),
            "warm_median_under_1s": statistics.median(times) <= 1.0,
        }
        rows.append(row)
        print(json.dumps(row))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"repeat": args.repeat, "views": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
