"""cnnquiz — the Streamlit entry point: a router that shows each role its pages (see :mod:`ui.routes`)."""

from __future__ import annotations

import streamlit as st

from grader.services import has_users
from ui import auth, routes, style
from ui.state import current_user, role_of, services

st.set_page_config(page_title="cnnquiz", page_icon="🧠", layout="centered")
style.inject()

sf = services()
notice = auth.restore(sf, st.session_state, auth.request_cookie())
user = current_user()
role = role_of(user)
sections: dict[str, list[st.Page]] = {}
for p in routes.plan(role, first_run=user is None and not has_users(sf)):
    sections.setdefault(p.route.section, []).append(
        st.Page(
            p.route.path,
            title=p.title,
            icon=p.route.icon,
            default=p.default,
            visibility="visible" if p.visible else "hidden",
        )
    )
page = st.navigation(sections)

op = st.session_state.get(auth.COOKIE_OP_KEY)
if op is not None:
    st.html(auth.cookie_script(op, secure=(st.context.url or "").startswith("https:")), unsafe_allow_javascript=True)
with st.sidebar:
    if user is not None:
        shown = "student, teaching assistant" if role == routes.TA else user.role
        st.caption(f"Signed in as **{user.display_name or user.username}** ({shown})")
        if st.button("Sign out", key="auth.sign_out", icon=":material/logout:"):
            auth.sign_out(sf, st.session_state)
            st.rerun()
    else:
        st.caption("Not signed in: practice is open to everyone, but nothing is saved.")
if notice is not None:
    (st.warning if notice.kind == "warning" else st.info)(notice.text, icon=":material/info:")
page.run()
