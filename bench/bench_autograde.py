"""Benchmark: the sandboxed warm zygote vs a cold ``python`` subprocess per submission, on the same build-only
submissions, with every isolation layer on.  Writes JSON.

    python bench/bench_autograde.py --out bench/results/autograde.json

Measures: median per-submission latency in the zygote (build + export, all layers) and of a cold subprocess
(imports Keras, builds, exports: no isolation at all), their ratio; a build+fit submission (1 epoch, 256 samples);
the wall time of N build-only submissions over 2 sandbox slots; and the full grade (sandbox + checker) throughput.
The cold path is timed on a sample of the submissions (``--cold-sample``; each costs seconds).

Each zygote prepares its next child (forked, isolated, TensorFlow warmed up) while the current submission runs, so
the CPU is reported in two parts: after the submission arrived, and prepared ahead.  Latency is measured back to
back (the worst case for preparing ahead) and, on a sample, with arrivals 0.5 s apart (an idle grader).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track
from rich.table import Table

TARGETS = {"zygote_median_ms": 150, "speedup": 20, "fit_median_ms": 700, "batch_2_cores_s": 20}

TEMPLATE = """import keras
from keras import layers


def build_model():
    x = keras.Input((32, 32, 3))
    y = layers.Conv2D({c1}, 3, padding="same", activation="relu")(x)
    y = layers.MaxPooling2D(2)(y)
    y = layers.Conv2D({c2}, 3, padding="same", activation="relu")(y)
    y = layers.GlobalAveragePooling2D()(y)
    return keras.Model(x, layers.Dense({n}, activation="softmax")(y))
"""

FIT = """import keras
from keras import layers


def build_and_train(x, y):
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(8, 3, activation="relu"), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)
    return model
"""

COLD = """
import json, sys, importlib.util
import keras
spec = importlib.util.spec_from_file_location("submission", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
open(sys.argv[2], "w").write(mod.build_model().to_json())
"""


def submissions(n: int, folder: Path) -> list[Path]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        p = folder / f"sub{i:03d}.py"
        c1, c2 = (int(v) for v in rng.integers(4, 33, size=2))
        p.write_text(TEMPLATE.format(c1=c1, c2=c2, n=int(rng.integers(2, 20))))
        out.append(p)
    return out


def ms(xs: list[float]) -> float:
    return round(1000 * statistics.median(xs), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/results/autograde.json"))
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--cold-sample", type=int, default=8)
    ap.add_argument("--fit-repeat", type=int, default=10)
    ap.add_argument("--spaced", type=int, default=20, help="submissions sent 0.5 s apart (latency at an idle grader)")
    args = ap.parse_args()
    console = Console(stderr=True)

    from grader.autograde.grade import Autograder
    from grader.autograde.sandbox import RunSpec, Sandbox

    tmp = Path(tempfile.mkdtemp(prefix="bench-autograde-"))
    subs = submissions(args.n, tmp)
    spec = RunSpec(function="build_model")

    # cold: a fresh interpreter per submission, as a container-per-submission grader does (no isolation at all)
    cold = []
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    for p in track(subs[: args.cold_sample], description="cold subprocesses", console=console):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", COLD, str(p), str(tmp / "cold.json")], check=True, env=env, stderr=subprocess.DEVNULL
        )
        cold.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    sb = Sandbox(slots=2)
    startup = time.perf_counter() - t0
    layers = sb.layers
    try:
        warm, warm_cpu, warm_prep = [], [], []
        verdicts: dict[str, int] = {}
        for i, p in enumerate(track(subs, description="zygote, one at a time", console=console)):
            t0 = time.perf_counter()
            r = sb.run(p.read_text(), spec, tmp / f"o{i % 2}")
            warm.append(time.perf_counter() - t0)
            warm_cpu.append(r.cpu_seconds)
            warm_prep.append(r.prepared_cpu_seconds)
            verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1

        x = np.random.default_rng(1).random((256, 8, 8, 1)).astype("float32")
        y = np.random.default_rng(2).integers(0, 10, 256)
        np.savez(tmp / "fit.npz", x=x, y=y)
        fit_spec = RunSpec(function="build_and_train", kind="train", train_data=str(tmp / "fit.npz"))
        # the same submissions arriving at an idle grader (0.5 s apart), as in a course between deadlines
        spaced = []
        for i, p in enumerate(track(subs[: args.spaced], description="zygote, 0.5 s apart", console=console)):
            time.sleep(0.5)
            t0 = time.perf_counter()
            sb.run(p.read_text(), spec, tmp / f"o{i % 2}")
            spaced.append(time.perf_counter() - t0)

        fit, fit_cpu, fit_prep = [], [], []
        for _ in track(range(args.fit_repeat), description="build + fit (1 epoch, 256)", console=console):
            t0 = time.perf_counter()
            r = sb.run(FIT, fit_spec, tmp / "fit")
            assert r.verdict == "exported", r.message
            fit.append(time.perf_counter() - t0)
            fit_cpu.append(r.cpu_seconds)
            fit_prep.append(r.prepared_cpu_seconds)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(2) as ex:
            batch = list(ex.map(lambda ip: sb.run(ip[1].read_text(), spec, tmp / f"b{ip[0]}"), enumerate(subs)))
        batch_s = time.perf_counter() - t0
        assert all(r.verdict == "exported" for r in batch)
    finally:
        sb.close()

    # the full grade (sandbox + out-of-process checker), 2 slots, warm
    with Autograder(jobs=2) as ag:
        ag.grade_source("lenet5", (tmp / "sub000.py").read_text())  # warm the checker pool
        t0 = time.perf_counter()
        graded = ag.grade_files("lenet5", subs)
        grade_s = time.perf_counter() - t0
    assert all(g.verdict == "ok" for g in graded)

    result = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "load_avg_1m": os.getloadavg()[0]},
        "layers": layers,
        "n_submissions": args.n,
        "zygote_startup_s": round(startup, 2),
        "zygote_median_ms": ms(warm),
        "zygote_p90_ms": round(1000 * float(np.percentile(warm, 90)), 1),
        "zygote_median_cpu_ms": ms(warm_cpu),
        "zygote_median_prepared_cpu_ms": ms(warm_prep),
        "zygote_spaced_median_ms": ms(spaced),
        "cold_sample": len(cold),
        "cold_median_ms": ms(cold),
        "speedup": round(statistics.median(cold) / statistics.median(warm), 1),
        "fit_median_ms": ms(fit),
        "fit_median_cpu_ms": ms(fit_cpu),
        "fit_median_prepared_cpu_ms": ms(fit_prep),
        "batch_2_cores_s": round(batch_s, 2),
        "grade_2_cores_s": round(grade_s, 2),
        "verdicts": verdicts,
        "targets": TARGETS,
    }
    result["meets"] = {
        "zygote_median_ms": result["zygote_median_ms"] <= TARGETS["zygote_median_ms"],
        "speedup": result["speedup"] >= TARGETS["speedup"],
        "fit_median_ms": result["fit_median_ms"] <= TARGETS["fit_median_ms"],
        "batch_2_cores_s": result["batch_2_cores_s"] <= TARGETS["batch_2_cores_s"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    table = Table("measure", "value", "target", "met")
    table.add_row(
        "median latency, zygote (all layers)",
        f"{result['zygote_median_ms']} ms",
        "≤150 ms",
        str(result["meets"]["zygote_median_ms"]),
    )
    table.add_row("  CPU after the submission arrived (median)", f"{result['zygote_median_cpu_ms']} ms", "", "")
    table.add_row("  CPU of the child prepared ahead (median)", f"{result['zygote_median_prepared_cpu_ms']} ms", "", "")
    table.add_row(
        f"median latency, arrivals 0.5 s apart (n={len(spaced)})", f"{result['zygote_spaced_median_ms']} ms", "", ""
    )
    table.add_row(f"median latency, cold subprocess (n={len(cold)})", f"{result['cold_median_ms']} ms", "", "")
    table.add_row("speed-up", f"{result['speedup']}×", "≥20×", str(result["meets"]["speedup"]))
    table.add_row(
        "build+fit (1 epoch, 256)", f"{result['fit_median_ms']} ms", "≤700 ms", str(result["meets"]["fit_median_ms"])
    )
    table.add_row("  CPU after the submission arrived (median)", f"{result['fit_median_cpu_ms']} ms", "", "")
    table.add_row("  CPU of the child prepared ahead (median)", f"{result['fit_median_prepared_cpu_ms']} ms", "", "")
    table.add_row(
        f"{args.n} build-only, 2 slots",
        f"{result['batch_2_cores_s']} s",
        "≤20 s",
        str(result["meets"]["batch_2_cores_s"]),
    )
    table.add_row(f"{args.n} full grades (sandbox + checker), 2 slots", f"{result['grade_2_cores_s']} s", "", "")
    Console().print(table)
    Console().print(
        f"1-minute load average at the end: {result['machine']['load_avg_1m']:.2f} on {os.cpu_count()} cores"
    )
    Console().print("layers: " + ", ".join(f"{k}={v}" for k, v in layers.items()))


if __name__ == "__main__":
    main()
