"""Benchmark: the inspector vs TensorFlow's profiler on the same built models, side by side in one run.

For each model: the inspector's MACs and median time over repeated inspections, the profiler's MACs
(FLOPs/2 of conv, depthwise and matmul ops on the frozen graph) and its time, the ratio of the two times,
and whether the counts agree.  Writes JSON.

    python bench/bench_inspect.py --out bench/results/inspect.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

DEFAULT = ["resnet50", "mobilenet_v2", "efficientnet_b0", "densenet121"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/results/inspect.json"))
    ap.add_argument("--models", nargs="*", default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    from models import inspect
    from models.profiler import profiler_macs
    from models.registry import get

    rows = []
    for name in args.models:
        model = get(name)
        inspect.summary(model)  # warm: first call pays Python's import/attribute caches
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            s = inspect.summary(model)
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        prof = profiler_macs(model)
        prof_s = time.perf_counter() - t0
        ins_s = statistics.median(times)
        rows.append(
            {
                "model": name,
                "inspector_macs": s.macs,
                "profiler_macs": prof,
                "agree": s.macs == prof,
                "inspector_ms": ins_s * 1e3,
                "profiler_ms": prof_s * 1e3,
                "speedup": prof_s / ins_s,
                "layers": len(s.layers),
            }
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"benchmark": "inspect_vs_tf_profiler", "repeat": args.repeat, "models": rows}, indent=2)
    )
    t = Table("model", "layers", "inspector MACs", "profiler MACs", "agree", "inspector ms", "profiler ms", "speed-up")
    for r in rows:
        t.add_row(
            r["model"],
            str(r["layers"]),
            f"{r['inspector_macs']:,}",
            f"{r['profiler_macs']:,}",
            str(r["agree"]),
            f"{r['inspector_ms']:.1f}",
            f"{r['profiler_ms']:,.0f}",
            f"{r['speedup']:,.0f}×",
        )
    Console().print(t)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
