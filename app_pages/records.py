"""The Demand page's "Own records" entry (issue 14): upload a call-by-call log, read the fit report
(Kaplan-Meier against the fitted patience laws, handle time by hour, arrivals by interval, the
staffing estimate), check the model against the month, and use the calibrated demand, policy and
staffing as a starting point. Everything is computed by :func:`simulate.calibrate` and
:func:`simulate.validate`; this module only calls them and draws their tidy frames."""
from __future__ import annotations

import importlib

import altair as alt
import pandas as pd
import streamlit as st

import forecast
import simulate
from app_pages import charts, state
from app_pages.i18n import t
from app_pages.ui import estimate_s, fmt_kind, md, run_with_progress, show_error

CONTRACT = importlib.import_module("simulate.calibrate").CONTRACT
INTERVALS = ("15min", "30min", "60min")
OUTCOME_WORDS = ("answered", "abandoned", "contained", "blocked", "ignore")


def _settings() -> tuple:
    ss = st.session_state
    empty = tuple(x.strip() for x in str(ss.get("records_empty", "")).split(",") if x.strip())
    columns = tuple(sorted((name, ss[f"records_col_{name}"]) for name in CONTRACT
                           if ss.get(f"records_col_{name}") not in (None, "", "—")))
    return (ss.get("records_interval", "30min"), float(ss.get("records_threshold", 120.0)),
            "skip" if ss.get("records_skip") else "raise", empty, columns)


def _use(name: str, data: bytes, settings: tuple) -> None:
    """Callback: the log's demand becomes the demand; a "Calibrated" scenario joins with the log's
    policy and a table staffing rule (the estimated agents on duty)."""
    cal = state.calibration(name, data, settings)
    st.session_state["records_in_use"] = (name, data, settings)
    rule = cal.staffing.to_dict()
    if len(state.entries()) >= state.MAX_SCENARIOS:
        st.session_state["records_note"] = t("scen.full", n=state.MAX_SCENARIOS)
        return
    sc = cal.scenario.replace(name=t("rec.scenario_name"))
    state.add_scenario(sc, staffing=rule)
    st.session_state["records_note"] = t("rec.used", name=md(name))


def _stop_using() -> None:
    st.session_state["records_in_use"] = None
    st.session_state.pop("records_note", None)


def _columns_of(data: bytes, name: str) -> list[str]:
    """The file's header (for the column mapping), read with pandas on the first rows only."""
    import io

    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            return [str(c) for c in pd.read_excel(io.BytesIO(data), nrows=0).columns]
        return [str(c) for c in pd.read_csv(io.BytesIO(data), nrows=0, sep=None, engine="python",
                                            compression="infer" if not name.lower().endswith(".gz") else "gzip")
                .columns]
    except (ValueError, OSError, UnicodeDecodeError, ImportError):
        return []


def _fit_report(cal) -> None:
    rep = cal.report
    tabs = st.tabs([t("rec.tab_parameters"), t("rec.tab_patience"), t("rec.tab_handle"), t("rec.tab_arrivals"),
                    t("rec.tab_staffing"), t("rec.tab_notes")])
    with tabs[0]:
        p = rep.parameters
        st.table(pd.DataFrame({
            t("rec.p_name"): p["name"].astype(str), t("rec.p_value"): [fmt_kind(v, "num2") for v in p["value"]],
            t("rec.p_se"): [fmt_kind(v, "num2") for v in p["se"]], t("rec.p_unit"): p["unit"].astype(str),
            t("rec.p_method"): p["method"].astype(str)}), hide_index=True)
    with tabs[1]:
        st.write(t("rec.patience_text"))
        km = rep.kaplan_meier
        curves = [c for c in pd.unique(km["curve"])]
        names = {c: t(f"rec.curve_{c}") if f"rec.curve_{c}" in _known() else c for c in curves}
        frame = km.assign(series=km["curve"].map(names), minutes=km["wait_s"] / 60.0)
        thin = frame.groupby("series", group_keys=False).apply(lambda g: g.iloc[:: max(1, len(g) // 300)])
        shown = list(names.values())
        scales = charts._series_scales(shown)
        band = alt.Chart(thin[thin["curve"] == "kaplan_meier"]).mark_area(opacity=0.2, color=charts.PALETTE[0]).encode(
            x=alt.X("minutes:Q", title=t("rec.wait_min")), y=alt.Y("lo:Q", title=t("rec.still_waiting"),
                                                                   axis=alt.Axis(format=".0%")), y2="hi:Q")
        lines = alt.Chart(thin).mark_line(strokeWidth=1.8, interpolate="step-after").encode(
            x="minutes:Q", y="survival:Q",
            color=alt.Color("series:N", scale=scales["color"], legend=charts._legend(shown, None)),
            strokeDash=alt.StrokeDash("series:N", scale=scales["dash"], legend=charts._legend(shown, None)),
            tooltip=[alt.Tooltip("series:N", title=" "),
                     alt.Tooltip("minutes:Q", format=",.1f", title=t("rec.wait_min")),
                     alt.Tooltip("survival:Q", format=".1%", title=t("rec.still_waiting"))])
        chosen = rep.patience_fits[rep.patience_fits["chosen"]]
        fam = str(chosen["family"].iloc[0]) if len(chosen) else "–"
        caption = t("rec.km_caption", family=names.get(fam, fam), mean=float(cal.scenario.patience or 0.0))
        charts.show(alt.layer(band, lines).properties(title=t("rec.km_title"), height=charts.HEIGHT),
                    description=f"{t('rec.km_title')}. {caption}", key="rec_km")
        fits = rep.patience_fits
        table = pd.DataFrame({t("rec.family"): [names.get(f, f) for f in fits["family"]],
                              t("rec.mean_s"): [fmt_kind(v, "sec") for v in fits["mean_s"]],
                              t("rec.cv"): [fmt_kind(v, "num2") for v in fits["cv"]],
                              t("rec.gap_km"): [fmt_kind(v, "pct") for v in fits["max_gap_km"]],
                              t("rec.chosen"): [t("common.yes") if c else "" for c in fits["chosen"]]})
        charts.alt_text(caption, table, "rec_km")
    with tabs[2]:
        hb = rep.handle_by_hour
        allrows = hb[hb["call_type"].astype(str) == "all"]
        frame = pd.DataFrame({"ds": pd.to_datetime("2000-01-01") + pd.to_timedelta(allrows["hour"], unit="h"),
                              "aht": allrows["aht_s"].to_numpy(), "p25": allrows["p25_s"].to_numpy(),
                              "p75": allrows["p75_s"].to_numpy(), "hour": allrows["hour"].to_numpy()})
        band = alt.Chart(frame).mark_area(opacity=0.25, color=charts.PALETTE[0]).encode(
            x=alt.X("hour:Q", title=t("chart.time_of_day"), axis=alt.Axis(labelExpr=charts._hour_label_expr(),
                                                                          values=list(frame["hour"]))),
            y=alt.Y("p25:Q", title=t("rec.handle_s")), y2="p75:Q")
        line = alt.Chart(frame).mark_line(point=True, color=charts.PALETTE[0]).encode(
            x="hour:Q", y="aht:Q", tooltip=[alt.Tooltip("hour:Q", title=t("chart.time_of_day")),
                                            alt.Tooltip("aht:Q", format=",.0f", title=t("rec.handle_s"))])
        caption = t("rec.handle_caption", lo=float(frame["aht"].min()) if len(frame) else 0.0,
                    hi=float(frame["aht"].max()) if len(frame) else 0.0, aht=float(cal.scenario.aht))
        charts.show(alt.layer(band, line).properties(title=t("rec.handle_title"), height=charts.HEIGHT),
                    description=f"{t('rec.handle_title')}. {caption}", key="rec_handle")
        table = pd.DataFrame({t("chart.time_of_day"): [f"{int(h):02d}:00" for h in frame["hour"]],
                              t("rec.calls"): [fmt_kind(v, "int") for v in allrows["calls"]],
                              t("rec.handle_s"): [fmt_kind(v, "sec") for v in frame["aht"]],
                              t("rec.p25"): [fmt_kind(v, "sec") for v in frame["p25"]],
                              t("rec.p75"): [fmt_kind(v, "sec") for v in frame["p75"]]})
        charts.alt_text(caption, table, "rec_handle")
    with tabs[3]:
        arr = rep.arrivals
        open_ = (arr[["attempts"]].sum(axis=1) > 0).to_numpy()
        parts = {t(f"rec.o_{k}"): arr[k].to_numpy(dtype=float)
                 for k in ("answered", "abandoned", "contained", "blocked")}
        caption = t("rec.arrivals_caption", attempts=float(arr["attempts"].sum()),
                    first=float(arr["first_attempts"].sum()), answered=float(arr["answered"].sum()),
                    abandoned=float(arr["abandoned"].sum()))
        if open_.any():
            long = charts.day_frame(arr["ds"], open_, parts, interval_s=float(cal.interval_s))
            charts.series_by_day(long, y_title=t("rec.attempts"), title=t("rec.arrivals_title"), caption=caption,
                                 key="rec_arrivals", fmt=",.0f", series_title=None, value_kind="int")
    with tabs[4]:
        st.write(t("rec.staffing_text"))
        stf = rep.staffing
        open_ = (stf["upper"] > 0).to_numpy()
        if open_.any():
            long = charts.day_frame(stf["ds"], open_, {t("rec.agents_est"): stf["agents"].to_numpy(dtype=float)},
                                    interval_s=float(cal.interval_s),
                                    extra={t("rec.agents_est"): {"lo": stf["lower"].to_numpy(dtype=float),
                                                                 "hi": stf["upper"].to_numpy(dtype=float)}})
            charts.series_by_day(long, y_title=t("compare.agents"), title=t("rec.staffing_title"),
                                 caption=t("rec.staffing_caption", peak=int(stf["agents"].max())), key="rec_staffing",
                                 fmt=",.0f", series_title=None, value_kind="int", band=True)
    with tabs[5]:
        st.markdown(t("rec.limits"))
        for note in cal.notes:
            st.markdown(f"- {md(note)}")


def _known() -> set[str]:
    from app_pages.i18n import TEXT

    return set(TEXT)


def _check(cal, key: tuple) -> None:
    st.markdown(f"**{t('rec.check_title')}**")
    st.caption(t("rec.check_text"))
    if not st.button(t("rec.check_button"), key="records_check"):
        if "records_validation" not in st.session_state:
            return
    try:
        if st.session_state.get("records_validation_for") != key:
            (v,) = run_with_progress([(t("rec.checking"), estimate_s("simulate", float(cal.demand.calls.sum()) * 20,
                                                                      cal.scenario),
                                       lambda: simulate.validate(cal, replications=10))], key="validate")
            st.session_state["records_validation"] = v
            st.session_state["records_validation_for"] = key
        v = st.session_state["records_validation"]
    except ValueError as exc:
        show_error(exc)
        return
    month = v.month
    rows = []
    for metric, row in month.iterrows():
        kind = "sec" if str(metric).endswith("_s") else "pct"
        rows.append({t("rec.metric"): t(f"kpi.{metric}"), t("rec.observed"): fmt_kind(row["observed"], kind),
                     t("rec.simulated"): f"{fmt_kind(row['simulated'], kind)} (± {fmt_kind(row['sd'], kind)})",
                     t("rec.erlang_a"): fmt_kind(row["erlang_a"], kind)})
    st.table(pd.DataFrame(rows), hide_index=True)


def section() -> None:
    """The "Own records" entry of the Demand page."""
    st.write(t("rec.intro"))
    with st.expander(t("rec.contract_title")):
        st.table(pd.DataFrame({t("rec.c_name"): list(CONTRACT),
                               t("rec.c_required"): [t("common.yes") if req else t("common.no")
                                                     for req, _ in CONTRACT.values()],
                               t("rec.c_what"): [what for _, what in CONTRACT.values()]}), hide_index=True)
    st.file_uploader(t("rec.upload_label"), type=["csv", "gz", "xlsx"], key="records_upload",
                     help=t("rec.upload_help"))
    c = st.columns(4, vertical_alignment="bottom")
    c[0].selectbox(t("rec.interval"), INTERVALS, index=1, key="records_interval", placeholder=t("common.choose"))
    c[1].number_input(t("rec.threshold"), min_value=1.0, max_value=3600.0, value=120.0, step=5.0, format="%.0f",
                      key="records_threshold")
    c[2].text_input(t("rec.empty"), key="records_empty", help=t("rec.empty_help"))
    c[3].checkbox(t("rec.skip"), key="records_skip", help=t("rec.skip_help"))
    file = st.session_state.get("records_upload")
    using = st.session_state.get("records_in_use")
    if using is not None:
        st.info(t("rec.in_use", name=md(using[0])))
        st.button(t("rec.stop"), key="records_stop", on_click=_stop_using)
    if st.session_state.get("records_note"):
        st.success(st.session_state["records_note"])
    if file is None:
        return
    name, data = file.name, file.getvalue()
    with st.expander(t("rec.mapping_title"), expanded=False):
        header = _columns_of(data, name)
        cols = st.columns(4)
        for i, cname in enumerate(CONTRACT):
            cols[i % 4].selectbox(t("rec.mapping_for", name=cname), ["—", *header], key=f"records_col_{cname}",
                                  placeholder=t("common.choose"))
    settings = _settings()
    try:
        (cal,) = run_with_progress([(t("rec.reading"), estimate_s("calibrate", len(data) / 80.0),
                                     lambda: state.calibration(name, data, settings))], key="calibrate")
    except (forecast.DataError, ValueError) as exc:
        show_error(exc)
        return
    st.markdown(f"**{t('rec.report_title')}**")
    _fit_report(cal)
    _check(cal, (name, len(data), settings))
    st.markdown(f"**{t('rec.use_title')}**")
    st.button(t("rec.use_button"), key="records_use", on_click=_use, args=(name, data, settings), type="primary")
    d = st.columns(3)
    d[0].download_button(t("rec.dl_scenario"), data=cal.scenario.to_toml().encode("utf-8"), file_name="scenario.toml",
                         mime="application/toml", key="records_dl_toml", on_click="ignore", width="stretch")
    d[1].download_button(t("rec.dl_staffing"), data=cal.report.staffing.to_csv(index=False).encode("utf-8"),
                         file_name="staffing.csv", mime="text/csv", key="records_dl_staffing", on_click="ignore",
                         width="stretch")
    d[2].download_button(t("rec.dl_demand"), data=cal.demand.to_frame().to_csv(index=False).encode("utf-8"),
                         file_name="demand.csv", mime="text/csv", key="records_dl_demand", on_click="ignore",
                         width="stretch")
