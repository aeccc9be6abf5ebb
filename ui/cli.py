"""``cnnquiz``: the one command-line entry point (a contract other tools depend on)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from grader.db import SessionFactory

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


def _fact(f: object) -> object:
    return None if f is None else f.value


@app.command("models")
def models_cmd(
    pattern: Annotated[str, typer.Argument(help="glob over model names")] = "*",
    as_json: Annotated[bool, typer.Option("--json")] = False,
    live: Annotated[
        bool, typer.Option("--live", help="build each model and measure instead of the declared facts")
    ] = False,
) -> None:
    """List the registered models with their facts (declared, and proven in tests; --live measures them now)."""
    from models.facts import get as variant
    from models.registry import list_models

    rows = []
    names = list_models(pattern)
    for name in names:
        v = variant(name)
        row = {
            "name": name,
            "family": v.family,
            "input_shape": list(v.input_shape),
            "output_shape": _fact(v.output_shape),
            "params": _fact(v.params),
            "trainable_params": _fact(v.trainable_params),
            "macs": _fact(v.macs),
            "receptive_field": _fact(v.receptive_field),
            "reference": {k: {"value": f.value, "source": f.source, "note": f.note} for k, f in v.reference.items()}
            | {
                k: {"value": f.value, "source": f.source, "note": f.note}
                for k, f in (
                    ("params", v.params),
                    ("trainable_params", v.trainable_params),
                    ("macs", v.macs),
                    ("receptive_field", v.receptive_field),
                    ("output_shape", v.output_shape),
                )
                if f is not None and k not in v.reference
            },
        }
        if live:
            from models import inspect
            from models.registry import get

            s = inspect.summary(get(name))
            row.update(
                output_shape=list(s.output_shape),
                params=s.params,
                trainable_params=s.trainable,
                macs=s.macs,
                receptive_field=list(s.receptive_field) if s.receptive_field else None,
            )
        rows.append(row)
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table("model", "family", "input", "params", "trainable", "MACs", "RF")
    for r in rows:
        table.add_row(
            r["name"],
            r["family"],
            "×".join(map(str, r["input_shape"])),
            f"{r['params'] or 0:,}",
            f"{r['trainable_params'] or 0:,}",
            f"{(r['macs'] or 0) / 1e9:.2f} G",
            str(r["receptive_field"]),
        )
    out.print(table)


@app.command("inspect")
def inspect_cmd(
    name: Annotated[str, typer.Argument(help="a registered model name (see `cnnquiz models`)")],
    input_shape: Annotated[str | None, typer.Option(help="e.g. 160,160,3")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Per-layer table (name, type, output shape, params, MACs, RF) and totals of a zoo model."""
    from models.facts import VARIANTS

    if name not in VARIANTS:
        err.print(f"[red]error:[/red] unknown model {name!r}; see `cnnquiz models`")
        raise typer.Exit(2)
    overrides = {}
    if input_shape:
        try:
            overrides["input_shape"] = tuple(int(v) for v in input_shape.replace("x", ",").split(","))
        except ValueError:
            err.print(f"[red]error:[/red] --input-shape takes integers like 160,160,3, not {input_shape!r}")
            raise typer.Exit(2) from None
    from models import inspect
    from models.registry import get

    s = inspect.summary(get(name, **overrides))
    totals = {
        "name": name,
        "input_shape": list(s.input_shape),
        "output_shape": list(s.output_shape),
        "params": s.params,
        "trainable_params": s.trainable,
        "non_trainable_params": s.non_trainable,
        "non_trainable_by_kind": s.non_trainable_by_kind,
        "macs": s.macs,
        "flops_2x_macs": s.flops,
        "receptive_field": list(s.receptive_field) if s.receptive_field else None,
        "whole_input": s.whole_input,
    }
    if as_json:
        sys.stdout.write(json.dumps({**totals, "layers": inspect.table(s)}, indent=2) + "\n")
        return
    table = Table("layer", "type", "output shape", "params", "MACs", "RF", title=name)
    for r in s.layers:
        rf = "×".join(map(str, r.receptive_field)) if r.receptive_field else "—"
        table.add_row(
            r.name,
            r.class_name,
            "×".join(map(str, r.output_shape)),
            f"{r.params:,}",
            f"{r.macs:,}",
            rf + (" (whole input)" if r.whole_input else ""),
        )
    out.print(table)
    out.print(
        f"params {s.params:,} (trainable {s.trainable:,}; non-trainable {s.non_trainable:,}: "
        f"{s.non_trainable_by_kind}) · MACs {s.macs:,} (FLOPs = 2·MACs = {s.flops:,}) · RF {totals['receptive_field']}"
        + (" · the output sees the whole input" if s.whole_input else "")
    )


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
            ],
            cwd=app_file.parent,  # where .streamlit/config.toml is (the viewer toolbar, no error details)
        )
    )


# ------------------------------------------------------------------ the grader's database

db_app = typer.Typer(no_args_is_help=True, help="The grader's database (SQLite by default, or any SQLAlchemy URL).")
grades_app = typer.Typer(no_args_is_help=True, help="Gradebooks and responses.")
bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks.")
app.add_typer(db_app, name="db")
app.add_typer(grades_app, name="grades")
app.add_typer(bench_app, name="bench")

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url", help="SQLAlchemy URL (default: $CNNQUIZ_DB_URL, else cnnquiz.sqlite in the user data directory)"
    ),
]


@db_app.command("upgrade")
def db_upgrade(url: UrlOption = None) -> None:
    """Apply the Alembic migrations (creates the database file for SQLite)."""
    from grader.db import upgrade

    try:
        shown = upgrade(url)
    except Exception as e:  # a bad URL, an unreachable server: say so, exit 1
        err.print(f"[red]error:[/red] {type(e).__name__}: {e}")
        raise typer.Exit(1) from None
    out.print(f"[green]database at head[/green]: {shown}")


users_app = typer.Typer(no_args_is_help=True, help="Accounts (instructors and students).")
courses_app = typer.Typer(no_args_is_help=True, help="Courses and their join codes.")
app.add_typer(users_app, name="users")
app.add_typer(courses_app, name="courses")


def _migrated_services(url: str | None) -> tuple[Engine, SessionFactory]:
    """An engine and session factory on ``url``, migrated to head first (the app does the same on start)."""
    from grader.db import make_engine, session_factory, upgrade

    try:
        upgrade(url)
    except Exception as e:  # a bad URL, an unreachable server
        err.print(f"[red]error:[/red] cannot open the database: {type(e).__name__}: {e}")
        raise typer.Exit(1) from None
    engine = make_engine(url)
    return engine, session_factory(engine)


def _read_password(password_file: Path | None) -> str:
    from grader.services import check_password

    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            err.print(f"[red]error:[/red] cannot read {password_file}: {e.strerror}")
            raise typer.Exit(2) from None
        password = lines[0] if lines else ""
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        err.print("[red]error:[/red] give --password-file FILE (or run this in a terminal to be asked)")
        raise typer.Exit(2)
    try:
        check_password(password)
    except ValueError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    return password


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="1-64 letters, digits or _ . @ + -")],
    role: Annotated[str, typer.Option("--role", help="instructor or student")],
    password_file: Annotated[
        Path | None,
        typer.Option("--password-file", help="read the password from the first line of this file (else: asked)"),
    ] = None,
    display_name: Annotated[str, typer.Option("--name", help="the name shown in the app")] = "",
    join_code: Annotated[str | None, typer.Option("--join", help="enrol the new student with this join code")] = None,
    url: UrlOption = None,
) -> None:
    """Create an account that signs in with a password (the database is migrated first)."""
    from grader.services import Conflict, NotFound, create_user, list_my_courses, register_student

    if role not in ("instructor", "student"):
        err.print(f"[red]error:[/red] --role is instructor or student, not {role!r}")
        raise typer.Exit(2)
    if join_code is not None and role != "student":
        err.print("[red]error:[/red] --join is for students (an instructor creates courses: `cnnquiz courses add`)")
        raise typer.Exit(2)
    password = _read_password(password_file)
    engine, sf = _migrated_services(url)
    try:
        if join_code is None:
            user = create_user(sf, username, role, password=password, display_name=display_name)  # type: ignore[arg-type]  # role checked above
        else:  # the account and its enrolment together, or neither (a mistyped code creates nobody)
            user = register_student(sf, username, password, join_code, display_name=display_name)
            [course] = [c.course for c in list_my_courses(sf, user.id)]
            out.print(f"enrolled {username} in {course.code} ({course.title})")
    except (ValueError, Conflict, NotFound) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    out.print(f"created {role} {username} (id {user.id})")


@courses_app.command("add")
def courses_add(
    code: Annotated[str, typer.Argument(help="a short unique code, e.g. CNN101")],
    title: Annotated[str, typer.Argument(help="the course's title")],
    instructor: Annotated[str, typer.Option("--instructor", help="the username of the instructor who teaches it")],
    url: UrlOption = None,
) -> None:
    """Create a course taught by an instructor; prints the join code students register with."""
    from grader.services import AccessDenied, Conflict, create_course, list_my_courses, user_ids_by_username

    engine, sf = _migrated_services(url)
    try:
        ids = user_ids_by_username(sf, [instructor])
        if instructor not in ids:
            err.print(
                f"[red]error:[/red] no user {instructor!r} (create one: `cnnquiz users add {instructor} --role instructor`)"
            )
            raise typer.Exit(2)
        course = create_course(sf, ids[instructor], code, title)
        join = next(c.join_code for c in list_my_courses(sf, ids[instructor]) if c.course.id == course.id)
    except (ValueError, Conflict, AccessDenied) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    out.print(f"created course {course.code} ({course.title}), taught by {instructor}")
    out.print(f"join code: [bold]{join}[/bold]")


@courses_app.command("roster")
def courses_roster(
    course: Annotated[str, typer.Argument(help="the course's code (or id)")],
    file: Annotated[Path, typer.Argument(help="CSV with a header line username,name,email", dir_okay=False)],
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="the acting instructor's username (default: the course's instructor, if one)"),
    ] = None,
    invites_out: Annotated[
        Path | None, typer.Option("--invites", help="write the new accounts' invite links to this CSV file")
    ] = None,
    base_url: Annotated[
        str, typer.Option("--base-url", help="the app's address the invite links start with")
    ] = "http://localhost:8501",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check the file and show what would happen")] = False,
    db_url: Annotated[
        str | None, typer.Option("--db-url", "--url", help="SQLAlchemy URL (default: $CNNQUIZ_DB_URL, else the app's)")
    ] = None,
) -> None:
    """Import a course's roster: existing accounts are enrolled, new ones created with an invite link each.

    All or nothing: any bad line is printed (line number and what is wrong) and nothing is imported (exit 2).
    """
    from rich.markup import escape

    from grader.services import AccessDenied, InvalidRoster, NotFound, import_roster, preview_roster
    from grader.services.roster import course_instructors
    from ui.courses_view import invite_url, invites_csv

    try:
        data = file.read_bytes()
    except OSError as e:
        raise _fail(f"cannot read {file}: {e.strerror}") from None
    engine, sf = _migrated_services(db_url)
    try:
        found = course_instructors(sf, course)
        if found is None:
            raise _fail(f"no course {course!r}")
        course_id, code, teachers = found
        if as_user is None:
            if len(teachers) != 1:
                raise _fail(f"{code} has {len(teachers)} instructors ({', '.join(teachers)}): say which with --as")
            as_user = teachers[0]
        actor = _actor(sf, as_user)
        if dry_run:
            preview = preview_roster(sf, actor, course_id, data)
            if preview.errors:
                raise InvalidRoster(preview.errors)
            for r in preview.rows:
                out.print(f"line {r.line}: {r.username}: {r.note}")
            out.print(f"{code}: {len(preview.rows)} rows, nothing written (--dry-run)")
            return
        done = import_roster(sf, actor, course_id, data)
    except InvalidRoster as e:
        for x in e.errors:
            err.print(f"{escape(file.name)}: {escape(str(x))}", highlight=False, soft_wrap=True)
        raise _fail(f"{e}") from None
    except (AccessDenied, NotFound) as e:
        raise _fail(str(e)) from None
    finally:
        engine.dispose()
    out.print(f"{code}: created {len(done.created)}, enrolled {len(done.enrolled)}, already members {len(done.kept)}")
    if invites_out is not None:
        invites_out.write_bytes(invites_csv(done.created, base_url))
        out.print(f"invite links: {invites_out}")
    else:
        for i in done.created:
            out.print(f"{i.username}\t{invite_url(base_url, i.token)}", highlight=False, soft_wrap=True)


@grades_app.command("export")
def grades_export(
    assessment: Annotated[int, typer.Option("--assessment", help="assessment id")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write")],
    responses: Annotated[
        bool, typer.Option("--responses", help="one row per response instead of the gradebook")
    ] = False,
    url: UrlOption = None,
) -> None:
    """Write the gradebook (one row per student) or every response of an assessment as CSV."""
    from sqlalchemy.exc import SQLAlchemyError

    from grader.db import current_revision, make_engine, read_session, session_factory
    from grader.export import gradebook_rows, response_rows, write_csv
    from grader.services import NotFound

    engine = make_engine(url)
    try:
        if current_revision(engine) is None:
            err.print("[red]error:[/red] this database has no cnnquiz schema yet (run `cnnquiz db upgrade`)")
            raise typer.Exit(2)
        with read_session(session_factory(engine)) as s:
            rows = response_rows(s, assessment) if responses else gradebook_rows(s, assessment)
    except NotFound as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    except SQLAlchemyError as e:
        err.print(f"[red]error:[/red] {type(e).__name__}: {e}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    n = write_csv(rows, out_file)
    out.print(f"wrote {n} {'responses' if responses else 'students'} to {out_file}")


@bench_app.command("db")
def bench_db(
    url: Annotated[str, typer.Option("--url", help="SQLAlchemy URL of the database to write to (migrated first)")],
    writers: Annotated[int, typer.Option(min=1, max=256, help="concurrent writers (threads)")] = 64,
    answers: Annotated[int, typer.Option(min=1, help="answers per writer")] = 100,
    processes: Annotated[
        int, typer.Option(min=1, max=64, help="split the writers over this many processes (threads in each)")
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """N concurrent writers x M answers through the grading service; counts what the database recorded."""
    from tools.db_load import run

    if processes > writers:
        err.print("[red]error:[/red] --processes cannot exceed --writers")
        raise typer.Exit(2)
    r = run(url, writers, answers, processes=processes)
    if as_json:
        sys.stdout.write(json.dumps(r) + "\n")
    else:
        out.print(
            f"{r['writers']} writers ({r['processes']} process{'es' if r['processes'] > 1 else ''}) x "
            f"{r['answers']} answers: recorded {r['recorded']}, lost {r['lost']}, "
            f"duplicated {r['duplicated']} in {r['seconds']:.2f}s = {r['answers_per_s']:,.0f} answers/s"
        )
    if r["lost"] or r["duplicated"]:
        raise typer.Exit(1)


# ------------------------------------------------------------------ the autograder


def _layers_table(layers: dict[str, str]) -> Table:
    from grader.autograde.display import markup

    table = Table("sandbox layer", "status")
    for name, status in layers.items():
        table.add_row(markup(name), "[green]active[/green]" if status == "ok" else f"[red]OFF[/red] ({markup(status)})")
    return table


@app.command()
def autograde(
    paths: Annotated[list[Path] | None, typer.Argument(help="submission .py files or folders of them")] = None,
    task: Annotated[str | None, typer.Option("--task", help="task id (see --list-tasks)")] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, max=16, help="parallel sandbox slots")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="print the results as JSON on stdout")] = False,
    fmt: Annotated[
        str, typer.Option("--format", help="gradescope | prairielearn | native", case_sensitive=False)
    ] = "gradescope",
    out_file: Annotated[Path | None, typer.Option("--out", help="write the results (e.g. results.json) here")] = None,
    db_url: Annotated[str | None, typer.Option("--db-url", help="store submissions and verdicts in this DB")] = None,
    user_id: Annotated[
        int | None,
        typer.Option(
            "--user-id",
            help="the submitting user (with --db-url); without it, each file belongs to the user named by its "
            "folder (alice/lenet5.py) or its stem (alice.py)",
        ),
    ] = None,
    layers: Annotated[bool, typer.Option("--layers", help="print which sandbox layers are active, then exit")] = False,
    list_tasks: Annotated[bool, typer.Option("--list-tasks", help="list the tasks, then exit")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="refuse to grade unless every layer is active")] = False,
) -> None:
    """Grade submitted Keras model code in the sandbox; writes Gradescope or PrairieLearn results."""
    import warnings

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.text import Text

    from grader.autograde import report
    from grader.autograde.display import clean_line, markup
    from grader.autograde.grade import Autograder, submission_files
    from grader.autograde.tasks import get, tasks

    if list_tasks:
        table = Table("task", "title", "function", "points")
        for t in tasks().values():
            table.add_row(t.id, t.title, f"{t.function}()", f"{t.max_score:g}")
        out.print(table)
        return
    if fmt not in ("gradescope", "prairielearn", "native"):
        err.print(f"[red]error:[/red] unknown format {markup(repr(fmt))} (gradescope, prairielearn or native)")
        raise typer.Exit(2)
    if not layers:
        if task is None or not paths:
            err.print("[red]error:[/red] give --task ID and at least one file or folder (or --layers)")
            raise typer.Exit(2)
        try:
            get(task)
            files = submission_files(paths)
        except (KeyError, FileNotFoundError) as e:
            err.print(f"[red]error:[/red] {markup(str(e.args[0]))}")
            raise typer.Exit(2) from None
        owners: dict[str, int] = {}
        if db_url and user_id is None:  # whose is each file? settled before grading, so a typo costs nothing
            try:
                owners, unmatched = report.resolve_owners(db_url, files)
            except Exception as e:
                err.print(
                    f"[red]error:[/red] cannot read the users from {markup(db_url)}: {markup(f'{type(e).__name__}: {e}')}"
                )
                raise typer.Exit(2) from None
            if unmatched:
                err.print("[red]error:[/red] no user is named by the folder or the stem of:")
                for f in unmatched:
                    tried = ", ".join(map(repr, report.owner_candidates(f)))
                    err.print(f"  {markup(clean_line(str(f)))} (tried {markup(tried)})")
                err.print("give --user-id, or name each file or folder after its student's username")
                raise typer.Exit(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            ag = Autograder(jobs=jobs, strict=strict)
        except RuntimeError as e:
            err.print(f"[red]error:[/red] {markup(str(e))}")
            raise typer.Exit(1) from None
    for w in caught:
        err.print(f"[yellow]warning:[/yellow] {markup(str(w.message))}")
    try:
        if layers:
            out.print(_layers_table(ag.layers))
            if as_json:
                sys.stdout.write(json.dumps(ag.layers, indent=2) + "\n")
            return
        assert task is not None
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=False) as progress:
            bar = progress.add_task(f"grading {task}", total=len(files))
            results = ag.grade_files(task, files, on_result=lambda r: progress.advance(bar))
    finally:
        ag.close()
    rendered = report.render(results, fmt)
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(json.dumps(rendered, indent=2) + "\n")
    if as_json:
        sys.stdout.write(json.dumps(rendered, indent=2) + "\n")
    else:
        # file names are the submitters' (an LMS export names files after what students uploaded): shown as plain
        # text, never as markup, with control characters escaped, and in italics to tell them from the grader's
        table = Table(
            "file (as submitted)", "verdict", "score", "traps", caption="file names: the submitters' own, escaped"
        )
        for r in results:
            name = Text(clean_line(r.file), style="italic")
            table.add_row(name, r.verdict, f"{r.score:g}/{r.max_score:g}", ", ".join(report.traps_of(r)))
        out.print(table)
    counts = Table("verdict", "submissions", title="verdicts")
    for v, n in report.verdict_counts(results).items():
        counts.add_row(v, str(n))
    err.print(counts)
    if db_url:
        try:
            ids, failures = report.store(db_url, user_id if user_id is not None else owners, task, results)
        except Exception as e:
            err.print(f"[red]error:[/red] storing the results failed: {markup(f'{type(e).__name__}: {e}')}")
            raise typer.Exit(1) from None
        err.print(f"stored {len(ids)} submissions")
        for f in failures:
            err.print(
                Text.assemble(("error: ", "red"), "not stored: ", (clean_line(f.file), "italic"), f" ({f.error})")
            )
        if failures:
            raise typer.Exit(1)


# ------------------------------------------------------------------ exams: build from a blueprint file, export

exam_app = typer.Typer(
    no_args_is_help=True, help="Exams: build one from a blueprint file, export it (Moodle, GIFT, QTI, PDF, JSON)."
)
app.add_typer(exam_app, name="exam")


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def _roster(path: Path | None) -> list[str]:
    """Student ids from a roster file: one per line (the first comma-separated field), ``#`` comments skipped."""
    if path is None:
        return []
    ids = [line.split(",")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [i for i in ids if i and not i.startswith("#")]


def _actor(sf: object, username: str) -> int:
    from grader.services import user_ids_by_username

    ids = user_ids_by_username(sf, [username])  # type: ignore[arg-type]
    if username not in ids:
        raise _fail(f"no user {username!r}")
    return ids[username]


@exam_app.command("build")
def exam_build(
    blueprint: Annotated[Path, typer.Argument(help="blueprint file (TOML)", exists=True, dir_okay=False)],
    course: Annotated[str, typer.Option("--course", help="course code (or id)")],
    as_user: Annotated[str, typer.Option("--as", help="the acting instructor's username")],
    roster: Annotated[Path | None, typer.Option("--roster", help="usernames, one per line; each must exist")] = None,
    url: UrlOption = None,
) -> None:
    """Create an assessment in COURSE from a blueprint file (its items, seed, kind, variants and schedule).

    With same_for_everyone = false (or a shuffle) every student of the course gets their own variant, stored now;
    a student enrolled later gets theirs the first time they open the assessment.
    """
    from grader.db import make_engine, session_factory
    from grader.services import AccessDenied, NotFound, list_my_courses, publish_blueprint, user_ids_by_username
    from quizbank.exam import BlueprintError, load_blueprint

    try:
        bp = load_blueprint(blueprint)
    except BlueprintError as e:
        raise _fail(str(e)) from None
    engine = make_engine(url)
    try:
        sf = session_factory(engine)
        actor = _actor(sf, as_user)
        students = _roster(roster)
        unknown = sorted(set(students) - set(user_ids_by_username(sf, students)))
        if unknown:
            raise _fail(f"roster names users that do not exist: {', '.join(unknown)}")
        match = [m.course for m in list_my_courses(sf, actor) if course in (m.course.code, str(m.course.id))]
        if not match:
            raise _fail(f"{as_user} has no course {course!r}")
        a = publish_blueprint(sf, actor, match[0].id, bp)
    except (AccessDenied, NotFound, ValueError) as e:
        raise _fail(str(e)) from None
    finally:
        engine.dispose()
    each = "" if bp.same_for_everyone else " (a variant of its own for each student)"
    out.print(
        f"assessment {a.id}: {a.title!r} in {match[0].code}, {a.questions} questions, {a.max_score:g} points{each}"
    )


def _exam_from_db(url: str | None, assessment: int, as_user: str, students: list[str]) -> object:
    """The stored assessment as an :class:`~quizbank.exam.Exam` (:func:`grader.services.assessment_exam`)."""
    from grader.db import make_engine, session_factory
    from grader.services import AccessDenied, NotFound, assessment_exam

    engine = make_engine(url)
    try:
        sf = session_factory(engine)
        actor = _actor(sf, as_user)
        try:
            return assessment_exam(sf, actor, assessment, students)
        except AccessDenied:
            raise _fail(f"{as_user} is not an instructor of assessment {assessment}'s course") from None
        except NotFound as e:
            raise _fail(str(e)) from None
    finally:
        engine.dispose()


@exam_app.command("export")
def exam_export(
    assessment: Annotated[int | None, typer.Argument(help="assessment id (or give --blueprint)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json, moodle, gift, qti or pdf (or all)")] = "json",
    out_dir: Annotated[Path, typer.Option("--out", help="directory to write into")] = Path("exam-export"),
    blueprint: Annotated[
        Path | None,
        typer.Option("--blueprint", help="export from a blueprint file, no database", exists=True, dir_okay=False),
    ] = None,
    students: Annotated[
        int, typer.Option("--students", min=1, max=10_000, help="with --blueprint: how many students (s001, s002, …)")
    ] = 1,
    roster: Annotated[
        Path | None, typer.Option("--roster", help="student ids, one per line (instead of --students)")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="the acting instructor's username (for ASSESSMENT)")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Write an exam in one format (or all): a stored ASSESSMENT, or a --blueprint file for N students."""
    from quizbank.exam import BlueprintError, build_exam, load_blueprint
    from quizbank.export import EXPORTERS, export_many

    formats = list(EXPORTERS) if fmt == "all" else [fmt]
    if any(f not in EXPORTERS for f in formats):
        raise _fail(f"unknown format {fmt!r}; known: {', '.join(EXPORTERS)}, all")
    ids = _roster(roster)
    if (assessment is None) == (blueprint is None):
        raise _fail("give an ASSESSMENT id or --blueprint FILE (one of them)")
    if blueprint is not None:
        try:
            bp = load_blueprint(blueprint)
        except BlueprintError as e:
            raise _fail(str(e)) from None
        width = max(3, len(str(students)))
        exam = build_exam(bp, ids or [f"s{i:0{width}d}" for i in range(1, students + 1)])
    else:
        if as_user is None:
            raise _fail("--as USERNAME is needed to export a stored assessment")
        exam = _exam_from_db(url, assessment, as_user, ids)  # type: ignore[arg-type]
    t = time.perf_counter()
    written = export_many(exam, dict.fromkeys(formats, out_dir))  # type: ignore[arg-type]
    for f, paths in written.items():
        out.print(f"{f}: {', '.join(str(p) for p in paths)}")
    out.print(f"{len(formats)} format(s) in {time.perf_counter() - t:.2f}s")


@app.command()
def worker(
    db_url: Annotated[str | None, typer.Option("--db-url", help="PostgreSQL URL (default: $CNNQUIZ_DB_URL)")] = None,
    slots: Annotated[int, typer.Option("--slots", min=1, help="warm sandboxes = jobs taken at once")] = 1,
    status: Annotated[
        bool, typer.Option("--status", help="print the queue's depth and oldest wait, then exit")
    ] = False,
    stall_seconds: Annotated[
        float, typer.Option("--stall-seconds", min=3.0, help="a worker silent this long is presumed dead")
    ] = 15.0,
    as_json: Annotated[bool, typer.Option("--json", help="--status as JSON")] = False,
) -> None:
    """Run a grading worker on the PostgreSQL queue (or, with --status, show the queue)."""
    import logging

    from grader import queue as Q
    from grader.db import normalize_url

    url = normalize_url(db_url)
    if not Q.is_postgres(url):
        err.print("[red]error:[/red] grading workers need a PostgreSQL URL (on SQLite the app grades in process)")
        raise typer.Exit(2)
    if status:
        try:
            st = Q.queue_status(url, stall_seconds=stall_seconds)
        except Exception as e:
            err.print(f"[red]error:[/red] {type(e).__name__}: {e}")
            raise typer.Exit(1) from None
        if as_json:
            out.print_json(st.model_dump_json())
        else:
            age = "—" if st.oldest_waiting_seconds is None else f"{st.oldest_waiting_seconds:.1f} s"
            out.print(f"waiting {st.waiting}  running {st.running}  oldest waiting {age}  workers alive {st.workers}")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    err.print(f"worker: {slots} slot(s) on {Q.conninfo(url).split('@')[-1]}")
    Q.run_worker(url, slots, stall_seconds=stall_seconds)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
