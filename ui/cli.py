"""``cnnquiz``: the one command-line entry point (a contract other tools depend on)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, help="cnnquiz: CNN questions proven by live Keras.")
err = Console(stderr=True)
out = Console()


@app.command()
def topics(as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """List the topics, each with its generators and difficulties."""
    from quizbank.generators import TOPICS, generators

    data = [
        {
            "id": t.id,
            "title": t.title,
            "summary": t.summary,
            "generators": [
                {
                    "id": g.id,
                    "title": g.title,
                    "kind": g.kind,
                    "version": g.version,
                    "difficulties": list(g.difficulties),
                }
                for g in generators(t.id)
            ],
        }
        for t in TOPICS.values()
    ]
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    table = Table("topic", "title", "generators")
    for t in data:
        table.add_row(t["id"], t["title"], ", ".join(g["id"].split(".", 1)[1] for g in t["generators"]))
    out.print(table)


@app.command()
def questions(
    topic: Annotated[str, typer.Option(help="topic id (see `cnnquiz topics`)")],
    difficulty: Annotated[int, typer.Option(min=1, max=3)] = 1,
    seed: Annotated[int, typer.Option(min=0)] = 0,
    n: Annotated[int, typer.Option(min=1, max=100_000)] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON list of full questions")] = False,
) -> None:
    """Print N generated questions of a topic (with witness and key)."""
    from quizbank.generators import questions as make
    from quizbank.schema import QuestionListAdapter

    try:
        qs = make(topic, difficulty, seed, n)
    except KeyError as e:
        err.print(f"[red]error:[/red] {e.args[0]}")
        raise typer.Exit(2) from None
    if as_json:
        sys.stdout.buffer.write(QuestionListAdapter.dump_json(qs, indent=2) + b"\n")
        return
    for q in qs:
        out.rule(q.uid)
        out.print(q.stem)
        if q.kind in ("multiple_choice", "multi_select"):
            for o in q.options:  # type: ignore[union-attr]
                out.print(f"  ({o.id}) {o.text}")
        out.print(f"[green]key:[/green] {q.key}")


@app.command()
def validate(
    topic: Annotated[str | None, typer.Option(help="only this topic")] = None,
    seeds: Annotated[int, typer.Option(min=1, help="seeds per generator and difficulty")] = 50,
    start_seed: Annotated[int, typer.Option(min=0)] = 0,
    jobs: Annotated[
        int, typer.Option(min=0, help="worker processes (0: up to 2; spawned: TensorFlow is not fork-safe)")
    ] = 0,
    json_out: Annotated[Path | None, typer.Option("--json-out", help="also write the summary as JSON")] = None,
) -> None:
    """Validate every generator over N seeds per difficulty against live Keras."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from quizbank.generators import generators
    from quizbank.sweep import JobResult, sweep

    try:
        gens = generators(topic)
    except KeyError as e:
        err.print(f"[red]error:[/red] {e.args[0]}")
        raise typer.Exit(2) from None
    work = [(g.id, d) for g in gens for d in g.difficulties]
    workers = jobs or min(2, os.cpu_count() or 1, len(work))
    t0 = time.perf_counter()
    with Progress(
        TextColumn("[bold]validate"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("questions"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
    ) as progress:
        task = progress.add_task("", total=len(work) * seeds)

        def done(r: JobResult) -> None:
            progress.update(task, advance=r.seeds, description=f"{r.generator} d{r.difficulty}")

        results = sweep(work, seeds, workers=workers, start_seed=start_seed, on_done=done)
    wall = time.perf_counter() - t0
    per_gen: dict[str, dict[str, float]] = {}
    for r in results:
        row = per_gen.setdefault(r.generator, {"seeds": 0, "failures": 0, "seconds": 0.0})
        row["seeds"] += r.seeds
        row["failures"] += len(r.failures)
        row["seconds"] += r.seconds
    table = Table("generator", "questions", "failures", "seconds", title=f"validated against live Keras in {wall:.1f}s")
    for g, row in per_gen.items():
        style = "red" if row["failures"] else ""
        table.add_row(g, str(int(row["seeds"])), str(int(row["failures"])), f"{row['seconds']:.1f}", style=style)
    out.print(table)
    failures = [f for r in results for f in r.failures]
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(
            json.dumps(
                {"seeds": seeds, "wall_seconds": wall, "generators": per_gen, "failures": len(failures)}, indent=2
            )
        )
    if failures:
        out.print(f"[red]{len(failures)} mismatches[/red] (generator, seed, difficulty, expected, live):")
        for f in failures[:200]:
            out.print(
                f"  ({f.generator}, seed={f.seed}, d={f.difficulty}, expected={f.expected!r}, "
                f"live={f.live!r}) {f.detail}"
            )
        raise typer.Exit(1)
    total = sum(r.seeds for r in results)
    out.print(f"[green]all {total} questions match live Keras[/green]")


@app.command()
def serve(port: Annotated[int, typer.Option()] = 8501) -> None:
    """Run the Streamlit app."""
    import subprocess

    app_file = Path(__file__).resolve().parent.parent / "streamlit_app.py"
    raise typer.Exit(
        subprocess.call(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(app_file),
                "--server.headless=true",
                f"--server.port={port}",
                "--browser.gatherUsageStats=false",
            ]
        )
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
