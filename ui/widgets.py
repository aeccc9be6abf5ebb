"""Streamlit pieces the question pages share (Practice and Review): the answer widgets, the feedback, and moving
the keyboard focus to it. The decisions are made in the ``*_view`` modules; this only draws them."""

from __future__ import annotations

import json

import streamlit as st

from quizbank.schema import AnyQuestion

from .mathtext import render_md
from .practice_view import Feedback, input_hint


def answer_widgets(q: AnyQuestion, key: str) -> str:
    """The answer widgets of ``q`` (inside a form); returns the raw answer text."""
    options = getattr(q, "options", None)
    if q.kind == "multiple_choice" and options is not None:
        labels = {o.id: render_md(o.text) for o in options}
        choice = st.radio(
            "Your answer",
            list(labels),
            format_func=lambda i: f"({i}) {labels[i]}",
            index=None,
            key=f"{key}.choice",
        )
        return choice or ""
    if q.kind == "multi_select" and options is not None:
        st.markdown("**Select all that apply.**")
        picked = [o.id for o in options if st.checkbox(f"({o.id}) {render_md(o.text)}", key=f"{key}.multi.{o.id}")]
        return ",".join(picked)
    return st.text_input("Your answer", key=f"{key}.text", help=input_hint(q))


def raw_answer(q: AnyQuestion, key: str) -> str:
    """The answer the widgets of :func:`answer_widgets` hold, read from the session state (for a callback,
    which runs before the page is drawn again)."""
    state = st.session_state
    options = getattr(q, "options", None)
    if q.kind == "multiple_choice" and options is not None:
        return state.get(f"{key}.choice") or ""
    if q.kind == "multi_select" and options is not None:
        return ",".join(o.id for o in options if state.get(f"{key}.multi.{o.id}"))
    return state.get(f"{key}.text") or ""


def show_feedback(fb: Feedback, *, key: str, saved: tuple[bool, str] | None = None) -> None:
    """The feedback of the last Check, in a container the keyboard focus is moved to."""
    with st.container(key=key):
        title = render_md(fb.title)
        if fb.status == "format":
            st.warning(f"**{title}.** {fb.body}", icon=":material/keyboard:")
        elif fb.status == "correct":
            st.success(f"**{title}** {fb.body}".strip(), icon=":material/check_circle:")
        else:
            st.error(
                f"**{title}.** {fb.body}" if "\n" not in fb.body else f"**{title}.**\n\n{fb.body}",
                icon=":material/cancel:" if not fb.title.startswith("Trap") else ":material/warning:",
            )
        if fb.partial is not None:
            st.info(f"Partial credit: {fb.partial:.0%}")
        if fb.status == "wrong":
            st.markdown(f"**Try again**: {fb.tries_left} {'try' if fb.tries_left == 1 else 'tries'} left.")
            if fb.hint:
                with st.expander("Hint", icon=":material/lightbulb:"):
                    st.markdown(fb.hint)
        if fb.answer is not None:
            st.markdown("**The answer**")
            st.markdown(fb.answer)
        if fb.explanation is not None:
            st.markdown("**Worked explanation**")
            st.markdown(fb.explanation)
        if saved is not None:
            ok, msg = saved
            st.caption(msg) if ok else st.warning(msg, icon=":material/cloud_off:")


def focus(key: str, nonce: int) -> None:
    """Move the keyboard focus (and the view) to the container ``key`` once it is drawn."""
    selector = json.dumps(f".st-key-{key}")
    st.html(
        f"""<script>/* {nonce} */
(function () {{
  let n = 0;
  const go = () => {{
    const el = document.querySelector({selector});
    if (!el) {{ if (n++ < 40) setTimeout(go, 50); return; }}
    el.setAttribute("tabindex", "-1");
    el.focus({{preventScroll: true}});
    el.scrollIntoView({{block: "nearest", behavior: "smooth"}});
  }};
  setTimeout(go, 30);
}})();
</script>""",
        unsafe_allow_javascript=True,
    )
