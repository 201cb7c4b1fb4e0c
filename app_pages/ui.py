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
    - labels wrap instead of being cut off in narrow columns.
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
_RATES: dict[str, float] = {"staff": 0.25, "quantiles": 0.5, "risk": 0.15, "simulate": 0.05, "calibrate": 0.02}
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
