"""Small display helpers shared by the pages: values written the page's way, text from users kept
as text, plain-words errors, and the page's own styles.

Text from users (scenario names, file names, values quoted in errors) is *text*: Streamlit renders
Markdown in ``st.markdown``, ``st.caption``, ``st.error``, widget labels, tab and expander labels,
so a name like ``[x](https://evil)`` or ``![](https://evil)`` would become a link or a remote image.
:func:`md` escapes every Markdown-significant character before such text is shown.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

import pandas as pd
import streamlit as st

import forecast
import simulate
from app_pages.i18n import fmt_datetime, fmt_duration, fmt_money, fmt_number, fmt_percent, lang, t

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=&\"'^@%/])")


def md(text: Any) -> str:
    """``text`` safe to show where Streamlit renders Markdown: every ASCII punctuation character
    that Markdown, GitHub autolinks, Streamlit's ``:colour[...]`` / ``:icon:`` directives or LaTeX
    (``$``) could read is backslash-escaped, and line breaks stay line breaks."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


_LABEL_SPECIAL = re.compile(r"([\\`*_\[\]<>~$:!|])")


def md_label(text: Any) -> str:
    """``text`` safe as part of a widget's label: Streamlit renders a label's Markdown (links,
    images, ``:icon:`` directives) and also uses the raw label as the input's ``aria-label``, which
    a screen reader reads backslashes and all. So only what makes a link, an image, an emphasis or
    a directive is escaped (``[ ] < > * _ ~ ` $ : ! | \\``), and a name such as "+25 % d'agents"
    reads as written."""
    return _LABEL_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def js_string(text: str) -> str:
    """A JavaScript/Vega-expression string literal of ``text``."""
    return json.dumps(str(text), ensure_ascii=False)


def missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_kind(value: Any, kind: str) -> str:
    """A value written the page's way by its kind: ``pct`` (a share: ``58,1 %``), ``pct0``
    (whole percent), ``sec`` (whole seconds: ``37 s``), ``int`` (a count: ``28 043``), ``num1``
    (one decimal), ``num2`` (two decimals), ``money`` (two decimals), ``hours`` (whole hours),
    ``datetime``, ``text``. Missing values are ``–``, never "None" or "nan"."""
    if missing(value):
        return "–"
    if kind == "text" or isinstance(value, str):
        return str(value)
    if kind == "pct":
        return fmt_percent(float(value))
    if kind == "pct0":
        return fmt_percent(float(value), decimals=0)
    if kind == "sec":
        return f"{fmt_number(round(float(value)))}\u00a0s"
    if kind in ("int", "hours"):
        return fmt_number(round(float(value)))
    if kind == "num1":
        return fmt_number(float(value), decimals=1)
    if kind == "num2":
        return fmt_number(float(value), decimals=2)
    if kind == "money":
        return fmt_money(float(value))
    if kind == "datetime":
        return fmt_when(value)
    raise ValueError(f"kind {kind!r}")


def fmt_when(value: Any) -> str:
    """A timestamp on the 24-hour clock with its weekday: ``jeu. 2 janv. 14 h 30`` / ``Thu, Jan 2, 14:30``."""
    return "–" if missing(value) else fmt_datetime(value)


#: how each KPI unit of simulate.METRICS is written on the pages (one precision per measure)
_UNIT_KIND = {"share": "pct", "seconds": "sec", "currency": "money"}


def metric_kind(metric: str) -> str:
    """The display kind of a KPI of simulate.METRICS (counts whole, shares one decimal, seconds whole;
    attempts per caller two decimals, the number on hold one)."""
    if metric == "cost":
        return "money"
    if metric == "attempts_per_caller":
        return "num2"
    if metric == "avg_queue":
        return "num1"
    return _UNIT_KIND.get(simulate.METRICS[metric].unit, "int")


def fmt_value(value: float, unit: str, metric: str | None = None) -> str:
    """A KPI value in its unit, written the page's way (see :func:`metric_kind`)."""
    if metric is not None and (metric == "cost" or metric in simulate.METRICS):
        return fmt_kind(value, metric_kind(metric))
    return fmt_kind(value, _UNIT_KIND.get(unit, "int"))


def fmt_metric(result: simulate.SimulationResult, metric: str, *, split: bool = False):
    """Mean of a metric with its 95% interval, e.g. ``78,7 % (77,5 % – 79,9 %)``; with ``split``
    the pair ``(mean text, interval text)`` (interval "" with one replication)."""
    row = result.summary.loc[metric]
    mean, lo, hi = float(row["mean"]), float(row["lo"]), float(row["hi"])
    kind = metric_kind(metric)
    mean_text = fmt_kind(mean, kind)
    ci = "" if lo == hi else f"{fmt_kind(lo, kind)} – {fmt_kind(hi, kind)}"
    if split:
        return mean_text, ci
    return f"{mean_text} ({ci})" if ci else mean_text


def lang_name(skill: str) -> str:
    """The callers of a skill (a language) in the page's language: "French-speaking callers" /
    "appelants francophones" for en and fr; any other skill as written (Markdown-safe)."""
    return t(f"lang.callers_{skill}") if skill in ("en", "fr") else md(skill)


def group_name(group: str) -> str:
    """An agent group's name in the page's language (the bilingual policy's en, fr and bilingual
    groups), else its own name (Markdown-safe)."""
    return t(f"lang.group_{group}") if group in ("en", "fr", "bilingual") else md(group)


def day_label(ts) -> str:
    """A day with its weekday, the page's way: ``jeu. 2 janv.`` / ``Thu, Jan 2``."""
    from app_pages.i18n import fmt_date

    return fmt_date(pd.Timestamp(ts))


def duration(seconds: float) -> str:
    return fmt_duration(seconds)


def show_error(exc: Exception) -> None:
    """A data or parameter problem in plain words (never a traceback), the message kept as text."""
    if isinstance(exc, forecast.DataError):
        st.error(t("common.data_error", msg=md(str(exc))))
    else:
        st.error(t("common.param_error", msg=md(str(exc))))


def finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def page_styles() -> None:
    """The app's own CSS, written once per run (st.html with only a style block takes no room):

    - Streamlit's file uploader does not translate its drop zone ("Upload", "200MB per file"):
      its instructions are hidden (each page says the accepted files and the limit in the
      widget's label or help) and the button's word is replaced by the page's language
      (CSS generated content, which browsers include in the button's accessible name);
    - captions and help text in a colour of at least 4.5:1 on white (Streamlit's default grey is 3.9:1);
    - the chart toolbar ("Show data", "Fullscreen": English, and four extra tab stops per chart)
      is hidden: each chart has its own data table and caption under it;
    - number-input steppers are hidden (fewer tab stops; the value is typed);
    - labels, metric values and metric deltas wrap instead of being cut off in narrow columns
      ("5,4 points par rapport à la …").
    """
    upload = t("common.upload_button").replace('"', "")
    st.html(f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {{
  content: "{upload}"; font-size: 0.875rem; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stTooltipContent"] p {{ color: #4A4A4A !important; opacity: 1 !important; }}
[data-testid="stWidgetLabel"] p, [data-testid="stMetricLabel"] p {{ color: #1B1B1B !important; }}
[data-testid="stVegaLiteChart"] [data-testid="stElementToolbar"] {{ display: none; }}
[data-testid="stNumberInputStepUp"], [data-testid="stNumberInputStepDown"] {{ display: none; }}
[data-testid="stWidgetLabel"] p {{ white-space: normal; overflow-wrap: anywhere; }}
[data-testid="stMetricValue"] {{ font-size: 1.9rem; }}
[data-testid="stMetricValue"] div, [data-testid="stMetricValue"] {{ white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; overflow-wrap: anywhere; }}
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div {{ white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; }}
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] div, [data-testid="stMetricDelta"] p {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; max-width: 100%; }}
button p, button div {{ white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; overflow-wrap: anywhere; }}
.qc-sr-only {{ position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }}
</style>""")


def current_language() -> str:
    return lang()


# ----------------------------------------------------------------------------- long work, visibly
#: measured seconds per 1,000 expected calls of each kind of long work (updated as work finishes,
#: so the estimate learns this machine's speed; the starting values were measured on 2 cores)
_RATES: dict[str, float] = {"staff": 0.25, "quantiles": 0.5, "risk": 0.15, "simulate": 0.05, "calibrate": 0.02,
                            "pools": 0.9, "read": 0.35}  # read: per megabyte of an uploaded file
_SLOW_ENGINE = 25.0  # the SimPy engine against the compiled one, same calls (benchmarks)


def estimate_s(kind: str, calls: float, scenario: simulate.Scenario | None = None) -> float:
    """A rough duration (s) for ``kind`` of work on ``calls`` expected calls."""
    factor = 1.0
    if scenario is not None:
        from simulate import engine_fast

        if not engine_fast.supports(scenario)[0]:
            factor = _SLOW_ENGINE
    return max(1.0, _RATES.get(kind, 0.1) * factor * float(calls) / 1000.0)


def run_with_progress(steps: list[tuple[str, float, Any]], *, key: str) -> list[Any]:
    """Run ``steps`` ``[(what is being done, estimated seconds, zero-argument function), ...]`` in
    order, with a progress bar that says what is being done and about how long is left.

    Each function runs in a worker thread (with this session's context, so caches work) while the
    page's thread moves the bar; a function's exception is raised here. Cached results return at
    once, so a rerun shows nothing. Returns the functions' results."""
    import threading
    import time

    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    total = sum(max(e, 0.1) for _, e, _ in steps)
    done_s = 0.0
    out: list[Any] = []
    slot = st.empty()
    bar = None
    ctx = get_script_run_ctx()
    for what, est, fn in steps:
        box: dict[str, Any] = {}

        def work(fn=fn, box=box) -> None:
            try:
                box["value"] = fn()
            except BaseException as exc:  # noqa: BLE001 - handed to the page's thread below
                box["error"] = exc

        thread = threading.Thread(target=work, daemon=True)
        if ctx is not None:
            add_script_run_ctx(thread, ctx)
        t0 = time.perf_counter()
        thread.start()
        thread.join(0.3)
        while thread.is_alive():
            elapsed = time.perf_counter() - t0
            left = max(est - elapsed, 1.0)
            share = min((done_s + min(elapsed, est * 0.95)) / total, 0.99)
            text = t("common.progress", what=what, left=fmt_duration(left))
            if bar is None:
                bar = slot.progress(share, text=text)
            else:
                bar.progress(share, text=text)
            thread.join(0.4)
        done_s += max(est, 0.1)
        if "error" in box:
            slot.empty()
            raise box["error"]
        out.append(box.get("value"))
    slot.empty()
    return out


def learn_rate(kind: str, seconds: float, calls: float) -> None:
    """Update the speed behind :func:`estimate_s` from a finished piece of work."""
    if calls > 0 and seconds > 0.5:
        _RATES[kind] = 0.5 * _RATES.get(kind, 0.1) + 0.5 * seconds / (calls / 1000.0)


# ----------------------------------------------------------------------------- Streamlit's own words
#: Streamlit's English aria-labels (exact) -> catalogue key of the words said in their place
_SR_EXACT = {
    "Sidebar": "sr.sidebar", "Collapse sidebar": "sr.collapse_sidebar", "Expand sidebar": "sr.expand_sidebar",
    "App pages": "sr.app_pages", "Main menu": "sr.main_menu", "Link to heading": "sr.link_to_heading",
    "Help": "sr.help", "Open": "sr.open", "Close": "sr.close", "Clear value": "sr.clear_value",
    "Clear all": "sr.clear_all", "Increment": "sr.increment", "Decrement": "sr.decrement",
    "file upload": "sr.file_upload", "Upload": "common.upload_button", "Show data": "sr.show_data",
    "Fullscreen": "sr.fullscreen", "Close fullscreen": "sr.close_fullscreen", "Exit fullscreen": "sr.close_fullscreen",
    "Download as PNG": "sr.download_png", "Copy Vega-Lite spec": "sr.copy_spec", "Download as CSV": "sr.download_csv",
    "Search": "sr.search", "Close Search": "sr.close_search", "Show/hide columns": "sr.show_hide_columns",
    "Dataframe column menu": "sr.column_menu", "Choose date": "sr.choose_date", "Previous month": "sr.previous_month",
    "Next month": "sr.next_month", "Scroll tabs left": "sr.scroll_tabs_left",
    "Scroll tabs right": "sr.scroll_tabs_right",
    "Running...": "sr.running", "Stop script": "sr.stop", "Selected values": "sr.selected_values",
}
#: Vega's English role descriptions -> catalogue key
_SR_ROLES = {"visualization": "sr.visualization", "group mark container": "sr.group", "title": "sr.title",
             "subtitle": "sr.subtitle"}

_SR_SCRIPT = """<script>
(() => {
  const W = %s;
  window.qcWords = W;
  if (window.qcApply) { window.qcApply(); return; }
  const uploader = '[data-testid="stFileUploaderDropzone"] button';
  function said(value) {
    if (value in W.exact) return W.exact[value];
    let m = /^Help for (.*)$/s.exec(value);
    if (m) return W.helpFor.replace('\\u0001', m[1]);
    m = /^Remove (.*)$/s.exec(value);
    if (m) return W.remove.replace('\\u0001', m[1]);
    m = /^(?:Sub)?[Tt]itle text '(.*)'$/s.exec(value);
    if (m) return m[1];
    return null;
  }
  // one attribute of one element: the words are worked out from Streamlit's original each time
  function put(el, attr, words) {
    const now = el.getAttribute(attr);
    if (now === null) return;
    const mine = el.qcSet && el.qcSet[attr];
    if (now !== mine) { el.qcOrig = el.qcOrig || {}; el.qcOrig[attr] = now; }
    const want = words(el.qcOrig ? el.qcOrig[attr] : now);
    if (want !== null && want !== now) {
      el.qcSet = el.qcSet || {}; el.qcSet[attr] = want; el.setAttribute(attr, want);
    } else { el.qcSet = el.qcSet || {}; el.qcSet[attr] = now; }
  }
  function apply() {
    document.querySelectorAll('[aria-label]').forEach(el => put(el, 'aria-label', said));
    document.querySelectorAll('[aria-roledescription]').forEach(el =>
      put(el, 'aria-roledescription', v => (v in W.roles ? W.roles[v] : null)));
    document.querySelectorAll(uploader).forEach(el => {
      if (el.getAttribute('aria-label') !== W.upload) el.setAttribute('aria-label', W.upload);
    });
    // the drop zone is named by the widget's label: a named group, not a "presentation" with a name
    document.querySelectorAll('[data-testid="stFileUploaderDropzone"][role="presentation"]').forEach(el =>
      el.setAttribute('role', 'group'));
  }
  let queued = false;
  window.qcApply = () => { queued = false; apply(); };
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(window.qcApply); }
  }).observe(document.body, {subtree: true, childList: true, attributes: true,
                             attributeFilter: ['aria-label', 'aria-roledescription']});
  apply();
})();
</script>"""


def screen_reader_words() -> None:
    """Streamlit's own screen-reader words in the page's language.

    Streamlit writes its aria-labels in English only ("Help", "Open", "Increment", "Collapse
    sidebar", the file uploader's button...), and Vega its role descriptions ("visualization",
    "title"). A small script (our own text only: no user input reaches it) puts the page's words
    in their place and gives the file uploader's button, whose English word the page's CSS hides,
    an accessible name (and its drop zone, which Streamlit names but marks "presentation", the
    role of a named group): it watches the page, so widgets drawn later are named too, and it works
    from Streamlit's original words, so a language switch re-translates everything."""
    words = {
        "exact": {en: t(key) for en, key in _SR_EXACT.items()},
        "roles": {en: t(key) for en, key in _SR_ROLES.items()},
        "helpFor": t("sr.help_for", label="\u0001"),
        "remove": t("sr.remove_file", name="\u0001"),
        "upload": t("common.upload_button"),
    }
    st.html(_SR_SCRIPT % json.dumps(words, ensure_ascii=True).replace("</", "<\\/"), unsafe_allow_javascript=True)
