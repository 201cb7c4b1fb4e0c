"""Queuecast, the planner's app: the router only (page set-up, language switch, navigation).

Run with ``streamlit run app.py``. The pages live in ``app_pages/``; the texts in the message
catalogue (``simulate/i18n/messages.toml``, read through ``app_pages/i18n.py``); session state and
the cached calls into ``forecast`` and ``simulate`` in ``app_pages/state.py``. Every run ends by
writing the whole state into the page address (share link, kept across page switches and reloads,
with the language: ``?lang=fr``).
"""
import logging

import streamlit as st

from app_pages import state, ui
from app_pages.i18n import LANGUAGES, t

st.set_page_config(page_title="Queuecast", page_icon=":material/call:", layout="wide",
                   menu_items={"Get help": None, "Report a bug": None, "About": None})
state.init()
ui.page_styles()

with st.sidebar:
    st.radio(t("app.language"), options=list(LANGUAGES), format_func=lambda code: LANGUAGES[code], key="lang",
             horizontal=True)

pages = [
    st.Page("app_pages/compare.py", title=t("nav.compare"), icon=":material/leaderboard:", url_path="compare",
            default=True),
    st.Page("app_pages/scenarios.py", title=t("nav.scenarios"), icon=":material/tune:", url_path="scenarios"),
    st.Page("app_pages/demand.py", title=t("nav.demand"), icon=":material/show_chart:", url_path="demand"),
    st.Page("app_pages/staffing.py", title=t("nav.staffing"), icon=":material/groups:", url_path="staffing"),
    st.Page("app_pages/capacity.py", title=t("nav.capacity"), icon=":material/calendar_month:", url_path="capacity"),
]
page = st.navigation(pages)

with st.sidebar:
    st.caption(t("app.sidebar_note"))
    if st.session_state.get("url_upload") and st.session_state.get("upload") is None:
        st.warning(t("app.link_upload", name=ui.md(st.session_state["url_upload"])))
    ui.screen_reader_words()

try:
    page.run()
except Exception:  # noqa: BLE001 - the planner gets a sentence, never a traceback
    logging.getLogger("queuecast.app").exception("page failed")
    st.error(t("app.unexpected"))
finally:
    state.sync_url()
