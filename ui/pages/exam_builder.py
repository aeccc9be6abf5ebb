"""Exam builder (instructors): edit a blueprint, preview a sample student's exam with key and worked solutions,
schedule and publish it, and download the exports of a published assessment. The logic is
:mod:`ui.exam_builder_view`; the services refuse anyone but the course's instructors whatever this page shows."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from grader import services as S
from ui import exam_builder_view as V
from ui.mathtext import md
from ui.practice_view import topic_choices
from ui.state import require_user, services

user = require_user("instructor")
sf = services()
state = st.session_state
draft: V.Draft = state.setdefault("xb.draft", V.Draft())
v = state.setdefault("xb.v", 0)  # bumped when a loaded file replaces the draft, so every widget starts afresh


def k(name: str) -> str:
    return f"xb.{v}.{name}"


def _flash(level: str, message: str) -> None:
    state.setdefault("xb.flash", []).append((level, message))


st.title("Exam builder")
st.caption("Blueprint → preview → schedule and publish → exports. Times are UTC.")
with st.container():  # always there, messages or not, so that the tabs below keep their place and stay open
    for level, message in state.pop("xb.flash", []):
        getattr(st, level)(message)
courses = V.taught_courses(sf, user.id)
if not courses:
    st.info("You teach no course yet: create one on the Courses page first.", icon=":material/school:")
    st.stop()
by_id = {c.course.id: c for c in courses}
course_id = st.selectbox(
    "Course", list(by_id), format_func=lambda i: f"{by_id[i].course.code}: {by_id[i].course.title}", key="xb.course"
)
tab_edit, tab_preview, tab_publish, tab_export = st.tabs(["Blueprint", "Preview", "Schedule and publish", "Exports"])

# ------------------------------------------------------------------ the blueprint editor
with tab_edit:
    upload = st.file_uploader("Load a blueprint file (TOML)", type=["toml"], max_upload_size=1, key="xb.upload")
    if upload is not None and state.get("xb.loaded") != upload.file_id:
        state["xb.loaded"] = upload.file_id
        loaded, errors = V.load_toml(upload.getvalue().decode("utf-8", "replace"), source=upload.name)
        if loaded is None:
            st.error("Not loaded:\n\n" + "\n".join(f"- {e.text()}" for e in errors), icon=":material/error:")
        else:
            state["xb.draft"], state["xb.v"] = loaded, v + 1
            _flash("success", f"Loaded {md(upload.name)}.")
            st.rerun()
    title = st.text_input("Title", draft.title, key=k("title"), max_chars=200)
    left, right = st.columns(2)
    kind = left.selectbox(
        "Kind", list(V.KINDS), index=list(V.KINDS).index(draft.kind), format_func=V.KINDS.get, key=k("kind")
    )
    seed = right.text_input(
        "Seed", str(draft.seed), key=k("seed"), help="A whole number: with each student's id it fixes every variant."
    )
    everyone = st.radio(
        "Variants",
        [False, True],
        index=int(draft.same_for_everyone),
        format_func=lambda b: "The same questions for everyone" if b else "A variant of their own for each student",
        key=k("same"),
        horizontal=True,
    )
    left, right = st.columns(2)
    shuffle_q = left.checkbox("Shuffle the question order", draft.shuffle_questions, key=k("shuffle_q"))
    shuffle_o = right.checkbox("Shuffle the options", draft.shuffle_options, key=k("shuffle_o"))
    st.subheader("Items")
    topics = topic_choices()
    items: list[V.ItemDraft] = []
    remove = None
    for i, item in enumerate(draft.items):
        with st.container(border=True, key=k(f"item.{i}")):
            head, drop = st.columns([5, 1], vertical_alignment="center")
            head.markdown(f"**Item {i + 1}**")
            if drop.button(
                "Remove", key=k(f"item.{i}.remove"), icon=":material/delete:", disabled=len(draft.items) == 1
            ):
                remove = i
            source = st.radio(
                "Questions from",
                ["topic", "generator"],
                index=["topic", "generator"].index(item.source),
                format_func=lambda s: "A topic (its generators in turn)" if s == "topic" else "One generator",
                key=k(f"item.{i}.source"),
                horizontal=True,
            )
            topic = st.selectbox(
                "Topic",
                list(topics),
                index=list(topics).index(item.topic) if item.topic in topics else 0,
                format_func=topics.get,
                key=k(f"item.{i}.topic"),
            )
            generator = None
            if source == "generator":
                gens = V.topic_generators(topic)
                generator = st.selectbox(
                    "Generator",
                    list(gens),
                    index=list(gens).index(item.generator) if item.generator in gens else 0,
                    format_func=lambda g, gens=gens: f"{gens[g]} ({g})",
                    key=k(f"item.{i}.generator"),
                )
            c1, c2, c3 = st.columns(3)
            difficulty = c1.selectbox(
                "Difficulty", [1, 2, 3], index=item.difficulty - 1 if item.difficulty in (1, 2, 3) else 0,
                key=k(f"item.{i}.difficulty"),
            )  # fmt: skip
            count = c2.number_input("Count", 0, 500, item.count, key=k(f"item.{i}.count"))
            points = c3.number_input("Points each", 0.0, 1000.0, float(item.points), 0.5, key=k(f"item.{i}.points"))
            items.append(V.ItemDraft(source, topic, generator, int(difficulty), int(count), float(points)))
    add = st.button("Add an item", key=k("add"), icon=":material/add:")
    edit_errors = st.container()

# ------------------------------------------------------------------ the schedule (read before checking the draft)
with tab_publish:
    st.subheader("Schedule")

    def when(label: str, value: dt.datetime | None, name: str) -> dt.datetime | None:
        on = st.checkbox(label, value is not None, key=k(f"{name}.on"))
        if not on:
            return None
        base = value or (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0)
        a, b = st.columns(2)
        day = a.date_input("Date (UTC)", base.date(), key=k(f"{name}.day"))
        time = b.time_input("Time (UTC)", base.time().replace(microsecond=0), key=k(f"{name}.time"), step=300)
        return V.utc(day, time)  # type: ignore[arg-type]

    opens = when("Opens at a set time (otherwise at once)", draft.opens, "opens")
    closes = when("Closes at a set time", draft.closes, "closes")
    left, right = st.columns(2)
    limit = left.number_input("Time limit (minutes, 0: none)", 0, 24 * 60, draft.time_limit_min, key=k("limit"))
    attempts = right.number_input("Attempts (0: unlimited)", 0, 100, draft.attempts, key=k("attempts"))
    release = st.radio(
        "Key release",
        list(V.KEY_RELEASES),
        index=list(V.KEY_RELEASES).index(draft.key_release),
        format_func=V.KEY_RELEASES.get,
        key=k("release"),
    )
    release_at = when("Release time", draft.key_release_at, "release_at") if release == "at" else None
    publish_box = st.container()

draft = V.Draft(
    title=title, kind=kind, seed=seed.strip(), same_for_everyone=bool(everyone), shuffle_questions=shuffle_q,
    shuffle_options=shuffle_o, items=items, opens=opens, closes=closes, time_limit_min=int(limit),
    attempts=int(attempts), key_release=release, key_release_at=release_at,
)  # fmt: skip
if remove is not None:
    state["xb.draft"], state["xb.v"] = V.remove_item(draft, remove), v + 1
    st.rerun()
if add:
    state["xb.draft"], state["xb.v"] = V.add_item(draft), v + 1
    st.rerun()
state["xb.draft"] = draft
checked = V.check(draft)
bp = checked.blueprint

with edit_errors:
    if checked.errors:
        st.error(
            "The blueprint does not validate:\n\n" + "\n".join(f"- {e.text()}" for e in checked.errors),
            icon=":material/error:",
        )
    else:
        assert bp is not None
        st.success(V.summary(bp), icon=":material/check_circle:")
        st.download_button(
            "Download the blueprint (TOML)",
            V.toml_text(bp),
            file_name=f"{V.file_stem(bp.title)}.toml",
            mime="application/toml",
            key="xb.download_toml",
            icon=":material/download:",
        )

# ------------------------------------------------------------------ preview
with tab_preview:
    if bp is None:
        st.warning("Fix the blueprint first (see the Blueprint tab).", icon=":material/edit:")
    else:
        students = S.course_students(sf, user.id, course_id)
        n = state.setdefault("xb.sample", 0)
        student = V.sample_student(students, n)
        if st.button("Regenerate for another sample student", key="xb.regenerate", icon=":material/refresh:"):
            state["xb.sample"] = n + 1
            st.rerun()
        pv = V.preview(sf, user.id, course_id, bp, student)
        st.markdown(
            f"Sample student **{md(pv.student)}**: {V.plural(len(pv.questions), 'question')}, "
            f"{V.plural(pv.points, 'point')}, "
            "with the key and the worked solutions."
        )
        for q in pv.questions:
            with st.container(border=True):
                st.markdown(f"**Question {q.number}** · {V.plural(q.points, 'point')} · {q.topic}")
                st.markdown(q.stem)
                if q.options:
                    st.markdown("\n".join(f"- {o}" for o in q.options))
                st.markdown(f"**Key**\n\n{q.key}")
                st.markdown(f"**Worked solution**\n\n{q.explanation}")

# ------------------------------------------------------------------ publish
with publish_box:
    st.subheader("Publish")
    if bp is None:
        st.warning("Fix the blueprint first (see the Blueprint tab).", icon=":material/edit:")
    else:
        st.markdown(f"**{md(bp.title)}** in {md(by_id[course_id].course.code)}: {V.summary(bp)}")
        if st.button("Publish", type="primary", key="xb.publish", icon=":material/publish:"):
            try:
                done = V.publish(sf, user.id, course_id, bp)
            except (S.ServiceError, ValueError) as e:
                st.error(f"Not published: {e}", icon=":material/error:")
            else:
                state["xb.export"] = done.assessment.id
                _flash("success", done.message())
                st.rerun()

# ------------------------------------------------------------------ exports
with tab_export:
    mine = V.published(sf, user.id, course_id)
    if not mine:
        st.info("Nothing published in this course yet.", icon=":material/info:")
    else:
        ids = [a.id for a in mine]
        chosen = st.selectbox(
            "Published assessment",
            ids,
            index=ids.index(state["xb.export"]) if state.get("xb.export") in ids else 0,
            format_func=lambda i: next(f"{a.title} (#{a.id}, {a.questions} questions)" for a in mine if a.id == i),
            key="xb.export_pick",
        )
        ready = state.get("xb.downloads")
        if ready is None or ready[0] != chosen:
            if st.button("Prepare the downloads", key="xb.prepare", icon=":material/inventory_2:"):
                with st.spinner("Writing every format…"):
                    state["xb.downloads"] = (chosen, V.downloads(sf, user.id, chosen))
                st.rerun()
        else:
            for d in ready[1]:
                st.download_button(
                    f"{d.label}: {d.file_name}",
                    d.data,
                    file_name=d.file_name,
                    mime=d.mime,
                    key=f"xb.dl.{d.fmt}",
                    icon=":material/download:",
                    help=", ".join(d.files),
                    use_container_width=True,
                )
