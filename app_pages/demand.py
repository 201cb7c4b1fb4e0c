"""Demand page: history and forecast with 80/95% bands on a working-time axis (closed hours left
out), the model in plain words and its backtest accuracy, an upload of your own history or of your
own call records (calibrated: see app_pages/records.py), a surge editor whose effect flows at once
into every scenario (the forecast without it drawn underneath), and the backlog view."""
from __future__ import annotations

import time

import pandas as pd
import streamlit as st

import forecast
from app_pages import charts, records, state
from app_pages.i18n import fmt_count, fmt_date, fmt_datetime, t
from app_pages.ui import estimate_s, fmt_kind, learn_rate, md, run_with_progress, show_error


def model_name(code: str) -> str:
    """A forecasting model in plain words ("auto:ets+topdown" -> "Automatic choice: exponential
    smoothing, split by time of day"); the code itself goes in a tooltip."""
    code = str(code)
    auto = code.startswith("auto:") or code == "auto"
    parts = [p for p in code.removeprefix("auto:").split("+") if p and p != "auto"]
    words = [t(f"model.{p}") if f"model.{p}" in _TEXT else p for p in parts]
    text = ", ".join(words) if words else t("demand.model_auto")
    return t("model.auto_choice", models=text) if auto and parts else text


from app_pages.i18n import TEXT as _TEXT  # noqa: E402


def _bind(key: str) -> str:
    """Create the widget's session value from the demand settings if a page switch removed it."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state["cfg"][key]
    return key


def _store(key: str) -> None:
    st.session_state["cfg"][key] = st.session_state[key]


def _uploaded() -> None:
    """Widget callback: keep the uploaded file; the page reads it (with a progress bar: a big file
    takes a while) before anything else is drawn."""
    file = st.session_state.get("history_upload")
    if file is not None:
        st.session_state["pending_upload"] = (file.name, file.getvalue())


def _read_pending() -> None:
    """Read an uploaded history with forecast.read_history, showing what is being done and about
    how long is left; on success it becomes the demand's history, else its problem is shown."""
    pending = st.session_state.pop("pending_upload", None)
    if pending is None:
        return
    name, data = pending
    megabytes = len(data) / 1e6
    t0 = time.perf_counter()
    try:
        run_with_progress([(t("demand.reading_upload", name=md(name), size=megabytes),
                            estimate_s("read", megabytes * 1000.0), lambda: state.load_history(name, data))],
                          key="read_history")
    except (forecast.DataError, ValueError) as exc:
        st.session_state["upload_error"] = str(exc)
        return
    learn_rate("read", time.perf_counter() - t0, megabytes * 1000.0)
    st.session_state.pop("upload_error", None)
    st.session_state["upload"] = (name, data)
    st.session_state["records_in_use"] = None


def _use_bundled() -> None:
    st.session_state["upload"] = None
    st.session_state["records_in_use"] = None
    st.session_state.pop("upload_error", None)


st.title(t("demand.title"))
st.write(t("demand.intro"))

# --------------------------------------------------------------------------- data source
st.header(t("demand.data_title"))
_read_pending()
using_records = st.session_state.get("records_in_use") is not None
up = st.session_state.get("upload")
source_text = (t("demand.source_records", name=md(st.session_state["records_in_use"][0])) if using_records
               else t("demand.source_upload", name=md(up[0])) if up else t("demand.source_bundled"))
st.info(source_text)
tab_history, tab_records = st.tabs([t("demand.tab_history"), t("demand.tab_records")])
with tab_history:
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    with c1:
        st.file_uploader(t("demand.upload_label"), type=["csv", "txt", "tsv", "xlsx", "xlsm"], key="history_upload",
                         on_change=_uploaded, help=t("demand.upload_help"))
    with c2:
        st.button(t("demand.use_bundled"), key="use_bundled", on_click=_use_bundled,
                  disabled=up is None and not using_records)
    if st.session_state.get("upload_error"):
        st.error(t("demand.upload_error", msg=md(st.session_state["upload_error"])))
with tab_records:
    st.subheader(t("rec.title"))
    records.section()
using_records = st.session_state.get("records_in_use") is not None
if using_records:
    st.stop()  # the call log's own demand: no forecast to set (its fit report is above)

s1, s2, s3, s4 = st.columns([0.7, 1.5, 0.7, 1.5])  # the choices' words fit at 1280 px, in French too
s1.number_input(t("demand.horizon"), min_value=1, max_value=state.MAX_HORIZON_DAYS, step=1, key=_bind("horizon_days"),
                on_change=_store, args=("horizon_days",), help=t("demand.horizon_help"))
s2.selectbox(t("demand.model"), state.MODELS, key=_bind("model"), on_change=_store, args=("model",),
             format_func=lambda m: t("demand.model_auto") if m == "auto" else model_name(m),
             help=t("demand.model_help"), placeholder=t("common.choose"))
s3.text_input(t("demand.holidays"), key=_bind("holidays"), on_change=_store, args=("holidays",),
              help=t("demand.holidays_help"))
s4.selectbox(t("demand.interval"), state.INTERVAL_CHOICES, key=_bind("interval"), on_change=_store,
             args=("interval",), format_func=lambda v: t("demand.interval_auto") if v == "auto" else
             t("demand.interval_minutes", n=int(v.removesuffix("min"))),
             help=t("demand.interval_help"), placeholder=t("common.choose"))

try:
    history, notes = state.load_history(state.demand_spec().upload_name, state.upload_bytes())
except (forecast.DataError, ValueError) as exc:
    show_error(exc)
    st.stop()
for note in notes:
    st.warning(md(note))
if state.history_grain_s(history) >= 86400 - 1e-6:
    # a daily history: forecast by day, then spread over the day's intervals
    st.info(t("demand.daily_note"))
    d1, d2 = st.columns([1, 2])
    d1.radio(t("demand.spread"), state.SPREAD_MODES, key=_bind("spread"), on_change=_store, args=("spread",),
             format_func=lambda m: t(f"demand.spread_{m}"))
    if st.session_state["cfg"]["spread"] == "hours":
        d2.text_area(t("demand.opening_hours"), key=_bind("opening_hours"), on_change=_store,
                     args=("opening_hours",), help=t("demand.opening_hours_help"), height=80)

try:
    with st.spinner(t("common.forecasting")):
        fc = state.current_forecast()
except (forecast.DataError, ValueError) as exc:
    show_error(exc)
    st.stop()

# --------------------------------------------------------------------------- surge editor
st.header(t("demand.surge_title"))
st.write(t("demand.surge_intro"))
first_day = pd.Timestamp(fc["ds"].iloc[0]).normalize()
st.radio(t("demand.surge_mode"), state.SURGE_MODES, key=_bind("surge_mode"), on_change=_store,
         args=("surge_mode",), format_func=lambda m: t(f"demand.surge_{m}"), horizontal=True)
mode = st.session_state["cfg"]["surge_mode"]
if mode == "custom":
    if st.session_state["cfg"]["surge_start"] is None:
        st.session_state["cfg"]["surge_start"] = first_day.date()
    g = st.columns(6)
    g[0].date_input(t("demand.surge_start"), key=_bind("surge_start"), on_change=_store, args=("surge_start",))
    g[1].number_input(t("demand.surge_peak"), min_value=0.1, max_value=20.0, step=0.1, key=_bind("surge_peak"),
                      on_change=_store, args=("surge_peak",), help=t("demand.surge_peak_help"))
    g[2].number_input(t("demand.surge_ramp"), min_value=0, max_value=365, step=1, key=_bind("surge_ramp"),
                      on_change=_store, args=("surge_ramp",))
    g[3].number_input(t("demand.surge_plateau"), min_value=0, max_value=365, step=1, key=_bind("surge_plateau"),
                      on_change=_store, args=("surge_plateau",))
    g[4].number_input(t("demand.surge_decay"), min_value=0, max_value=365, step=1, key=_bind("surge_decay"),
                      on_change=_store, args=("surge_decay",))
    g[5].selectbox(t("demand.surge_shape"), state.SURGE_SHAPES, key=_bind("surge_shape"), on_change=_store,
                   args=("surge_shape",), format_func=lambda s: t(f"demand.shape_{s}"), placeholder=t("common.choose"))
elif mode == "replay":
    g = st.columns(2)
    g[0].slider(t("demand.replay_offset"), min_value=0, max_value=300, step=1, key=_bind("replay_offset"),
                on_change=_store, args=("replay_offset",), help=t("demand.replay_offset_help"))
    g[1].number_input(t("demand.replay_peak"), min_value=1.05, max_value=20.0, step=0.1, key=_bind("replay_peak"),
                      on_change=_store, args=("replay_peak",), help=t("demand.replay_peak_help"))
    shape = state.replay_shape().to_frame()
    offset = int(st.session_state["cfg"]["replay_offset"])
    marker = pd.Timestamp(state.REPLAY_START) + pd.Timedelta(days=offset)
    charts.daily_lines(shape[["ds", "ratio"]], {"ratio": t("demand.replay_ratio")}, title=t("demand.replay_chart"),
                       caption=t("demand.replay_caption_v2", peak=float(shape["ratio"].max()),
                                 day=fmt_date(marker, style="long"),
                                 set=float(st.session_state["cfg"]["replay_peak"])),
                       key="replay", y_title=t("demand.replay_ratio"), marker=marker, kinds={"ratio": "num1"},
                       fmt=",.1f")

try:
    demand = state.current_demand_frame()
    for note in state.current_demand().notes:
        st.caption(md(note))
except ValueError as exc:
    show_error(exc)
    st.stop()

# --------------------------------------------------------------------------- forecast chart
st.header(t("demand.forecast_title"))
hist = state.history_calls(history)  # the series forecast, or the languages' series summed
hist_ds = pd.to_datetime(hist["ds"])
first = pd.Timestamp(fc["ds"].iloc[0])
if (hist_ds.dt.tz is None) != (first.tz is None):  # compare wall-clock times when one side has no zone
    hist_ds = hist_ds.dt.tz_localize(None) if hist_ds.dt.tz is not None else hist_ds
    first = first.tz_localize(None)
recent = hist[(hist_ds >= first - pd.Timedelta(days=14)).to_numpy()]
base_total, total = float(fc["yhat"].sum()), float(demand["yhat"].sum())
peak_row = demand.loc[demand["yhat"].idxmax()]
surged = state.demand_spec().surge[0] != "none"
charts.forecast_chart(recent, demand, baseline=fc if surged else None,
                      interval_s=float(state.current_demand().interval_s),
                      title=t("demand.forecast_chart"), key="forecast",
                      caption=t("demand.forecast_caption", total=total, base=base_total,
                                change=(total / base_total - 1) if base_total else 0.0, peak=float(peak_row["yhat"]),
                                when=fmt_datetime(peak_row["ds"]), lo=float(demand["yhat_lo_95"].sum()),
                                hi=float(demand["yhat_hi_95"].sum())))

model_code = str(fc["model"].iloc[0]) if "model" in fc.columns else st.session_state["cfg"]["model"]
st.markdown(t("demand.model_used", model=md(model_name(model_code))),
            help=t("demand.model_code", code=md(model_code)))
choice = fc.attrs.get("auto_choice", {})
table = None
if choice:
    bt = next(iter(choice.values()))["backtest"]
    if len(bt):
        table = bt[bt["origin"].astype(str) == "all"][["model", "mase", "coverage_80", "coverage_95", "n"]]
if table is not None:
    st.table(pd.DataFrame({
        t("demand.bt_model"): [model_name(m) for m in table["model"]],
        "MASE": [fmt_kind(v, "num2") for v in table["mase"]],
        t("demand.bt_cov80"): [fmt_kind(v, "pct") for v in table["coverage_80"]],
        t("demand.bt_cov95"): [fmt_kind(v, "pct") for v in table["coverage_95"]],
        t("demand.bt_n"): [fmt_kind(v, "int") for v in table["n"]]}), hide_index=True)
    st.caption(t("demand.bt_caption"))
else:
    st.caption(t("demand.bt_none"))

# --------------------------------------------------------------------------- callers by language
st.header(t("demand.lang_title"))
try:
    split = state.language_share(state.demand_spec(), state.upload_bytes())
except ValueError as exc:
    show_error(exc)
    split = None
d_now = state.current_demand()
if split is not None:
    open_ = d_now.calls > 0
    total_share = float((d_now.calls * split).sum() / d_now.calls.sum()) if d_now.calls.sum() > 0 else 0.0
    st.write(t("demand.lang_series", share=total_share))
    if charts.open_days(d_now.ds, open_):
        long = charts.day_frame(d_now.ds, open_, {t("demand.french_share"): split}, interval_s=float(d_now.interval_s))
        charts.series_by_day(long, y_title=t("demand.french_share"), title=t("demand.lang_chart"), key="french_share",
                             fmt=".0%", series_title=None, value_kind="pct",
                             caption=t("demand.lang_chart_caption", share=total_share,
                                       lo=float(split[open_].min()), hi=float(split[open_].max())))
else:
    st.write(t("demand.lang_intro"))
    if "french_share_pct" not in st.session_state:
        st.session_state["french_share_pct"] = round(state.french_share() * 100.0, 1)

    def _share_changed() -> None:
        state.set_french_share(float(st.session_state["french_share_pct"]) / 100.0)

    st.number_input(t("demand.french_share_input"), min_value=0.0, max_value=100.0, step=1.0, format="%.0f",
                    key="french_share_pct", on_change=_share_changed, help=t("demand.french_share_help"))

# --------------------------------------------------------------------------- backlog view
st.header(t("demand.backlog_title"))
st.write(t("demand.backlog_intro"))
daily = state.daily_history()
wide = daily.pivot(index="ds", columns="series", values="y")
weekly = wide[["applications", "processed", "calls", "callers"]].resample("W-SUN").sum().reset_index()
charts.daily_lines(weekly, {"applications": t("demand.s_applications"), "processed": t("demand.s_processed"),
                            "calls": t("demand.s_calls"), "callers": t("demand.s_callers")},
                   title=t("demand.weekly_chart"), key="weekly", y_title=t("demand.per_week"),
                   caption=t("demand.weekly_caption", peak=float(weekly["calls"].max()),
                             week=fmt_date(weekly.loc[weekly["calls"].idxmax(), "ds"], style="long")))

recent_days = wide.loc[wide.index >= wide.index.max() - pd.Timedelta(days=90)]
business = recent_days["processed"] > 0
apps_default = float(round(recent_days.loc[business, "applications"].mean(), -2))
cap_default = float(round(recent_days.loc[business, "processed"].mean(), -2))
if "apps_per_day" not in st.session_state:
    st.session_state["apps_per_day"] = apps_default
b = st.columns(4)
b[0].number_input(t("demand.apps_per_day"), min_value=0.0, max_value=1e6, step=500.0, key="apps_per_day", format="%.0f",
                  help=t("demand.apps_per_day_help"), persist_state="session")
b[1].number_input(t("demand.capacity_change"), min_value=-90.0, max_value=300.0, step=5.0, value=0.0, format="%.0f",
                  key="capacity_change", help=t("demand.capacity_change_help", base=cap_default),
                  persist_state="session")
b[2].slider(t("demand.deflection"), min_value=0, max_value=100, step=5, value=0, key="deflection",
            help=t("demand.deflection_help"), persist_state="session")
b[3].number_input(t("demand.backlog_days"), min_value=14, max_value=730, step=7, value=180, key="backlog_days",
                  persist_state="session")
capacity = cap_default * (1 + st.session_state["capacity_change"] / 100.0)
try:
    proj = state.backlog_projection(st.session_state["apps_per_day"], capacity, st.session_state["deflection"] / 100.0,
                                    st.session_state["backlog_days"])
except ValueError as exc:
    show_error(exc)
    st.stop()
hist_tail = wide.loc[wide.index >= wide.index.max() - pd.Timedelta(days=365), ["backlog", "past_standard"]]
joined = pd.concat([hist_tail.reset_index(), proj[["ds", "backlog", "past_standard"]]], ignore_index=True)
charts.daily_lines(joined, {"backlog": t("demand.s_backlog"), "past_standard": t("demand.s_past_standard")},
                   title=t("demand.backlog_chart"), key="backlog", y_title=t("demand.applications"),
                   marker=proj["ds"].iloc[0],
                   caption=t("demand.backlog_caption_v2", start=float(hist_tail["backlog"].iloc[-1]),
                             end=float(proj["backlog"].iloc[-1]), peak=float(proj["backlog"].max()),
                             days=fmt_count(round(float(proj["processing_days"].max())), "day")))
open_proj = proj[proj["calls"] > 0]
charts.daily_lines(proj[["ds", "calls", "calls_lo_80", "calls_hi_80", "status_calls", "processing_days"]],
                   {"calls": t("demand.s_calls_proj"), "calls_lo_80": t("demand.lo80"),
                    "calls_hi_80": t("demand.hi80"), "status_calls": t("demand.s_status_calls")},
                   title=t("demand.calls_chart"), key="proj_calls", y_title=t("demand.per_day"),
                   caption=t("demand.calls_caption_v2",
                       mean=float(open_proj["calls"].mean()) if len(open_proj) else 0.0,
                       status=float(open_proj["status_calls"].mean()) if len(open_proj) else 0.0,
                       deflection=st.session_state["deflection"] / 100.0,
                       days=fmt_count(round(float(proj["processing_days"].iloc[-1])), "day")))
