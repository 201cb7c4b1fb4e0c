"""Staffing & export page: the recommended staffing and shift schedule of a chosen scenario
(simulate.staff, simulate.schedule), P50/P80/P95 staffing (staffing_by_quantile), the risk of
missing the service standard (risk_of_missing), and downloads (Excel, CSV, HTML report, scenario)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import charts, state
from app_pages.i18n import t
from app_pages.ui import day_label, fmt_value, show_error

METHODS = state.STAFF_METHODS
SHIFTS = state.SHIFT_CHOICES

st.title(t("staff.title"))
st.write(t("staff.intro"))

shown = {e["uid"]: state.display_name(e) for e in state.entries()}
uids = list(shown)
if st.session_state.get("staff_scenario") not in uids:
    st.session_state.pop("staff_scenario", None)
c = st.columns(3)
chosen = c[0].selectbox(t("staff.scenario"), uids, key="staff_scenario", format_func=shown.get)
method = c[1].selectbox(t("staff.method"), METHODS, key="staff_method", format_func=lambda m: t(f"staff.m_{m}"),
                        help=t("staff.method_help"))
shifts = c[2].selectbox(t("staff.shifts"), list(SHIFTS), key="staff_shifts", help=t("staff.shifts_help"))
entry = state.entry(chosen)
scenario = entry["scenario"]
spec, data = state.demand_spec(), state.upload_bytes()

try:
    with st.status(t("staff.computing"), expanded=False) as status:
        plan = state.staffing_plan(spec, data, scenario, method, SHIFTS[shifts])
        quant = state.quantile_staffing(spec, data, scenario)
        status.update(label=t("common.done"), state="complete")
except ValueError as exc:
    show_error(exc)
    st.stop()

s = plan.summary
sched = plan.schedule
m = st.columns(5)
m[0].metric(t("staff.peak_agents"), f"{s['peak_agents']:,}")
m[1].metric(t("staff.agent_hours"), f"{s['agent_hours']:,.0f}")
m[2].metric(t("staff.fte"), f"{s['fte']:,.1f}")
m[3].metric(t("staff.cost"), fmt_value(s["cost"], "currency"))
m[4].metric(t("staff.shifts_people"), f"{sched.headcount:,}")
st.caption(t("staff.summary_caption").format(
    method=t(f"staff.m_{method}"), met=s["intervals_meeting_target"], open=s["intervals_open"],
    target=scenario.sl_target, thr=scenario.sl_threshold, shrink=scenario.shrinkage,
    paid=sched.paid_hours, eff=sched.efficiency, short=sched.shortage_agent_hours))

# requirement vs current staffing vs P80/P95
req = plan.requirements
ds = pd.to_datetime(req["ds"])
open_rows = (req["calls"] > 0).to_numpy()
try:
    current_plan = state.plan_for(chosen)
    current = state.agents_of(spec, data, scenario, current_plan)
except ValueError:
    current_plan, current = None, None
frame = pd.DataFrame({"ds": ds, "recommended": req["agents"].astype(float),
                      "p80": quant["agents_p80"].astype(float), "p95": quant["agents_p95"].astype(float)})
labels = {"recommended": t("staff.recommended"), "p80": t("staff.p80"), "p95": t("staff.p95")}
if current is not None:
    frame["current"] = current.astype(float)
    labels["current"] = t("staff.current")
closed = ~open_rows
for col in labels:
    frame.loc[closed, col] = float("nan")  # gaps at night, not lines across it
charts.daily_lines(frame, labels, title=t("staff.chart_title"), key="staffing",
                   y_title=t("compare.agents"),
                   caption=t("staff.chart_caption").format(
                       rec=int(req["agents"].max()), p50=int(quant["agents_p50"].max()),
                       p80=int(quant["agents_p80"].max()), p95=int(quant["agents_p95"].max()),
                       cur=int(current.max()) if current is not None else 0))
if plan.comparison is not None and len(plan.comparison):
    st.markdown(f"**{t('staff.methods_title')}**")
    st.dataframe(plan.comparison.reset_index().rename(columns={
        "method": t("staff.method"), "agent_hours": t("staff.agent_hours"), "scheduled_hours": t("staff.paid_hours"),
        "fte": t("staff.fte"), "cost": t("staff.cost"), "peak_agents": t("staff.peak_agents")}),
        hide_index=True, key="methods_table",
        column_config={c: st.column_config.NumberColumn(format="%.0f") for c in (
            t("staff.agent_hours"), t("staff.paid_hours"), t("staff.cost"), t("staff.peak_agents"))}
        | {t("staff.fte"): st.column_config.NumberColumn(format="%.1f")})

st.subheader(t("staff.schedule_title"))
st.caption(t("staff.schedule_caption").format(n=len(sched.shifts), people=sched.headcount, paid=sched.paid_hours,
                                              status=sched.status))
shifts_table = sched.shifts.rename(columns={
    "start": t("staff.start"), "end": t("staff.end"), "length_h": t("staff.length_h"), "paid_h": t("staff.paid_h"),
    "breaks": t("staff.breaks"), "people": t("staff.people")})
st.dataframe(shifts_table, hide_index=True, key="shifts_table", height=300)

# --------------------------------------------------------------------------- risk
st.subheader(t("staff.risk_title"))
risk_for = st.radio(t("staff.risk_for"), ("recommended", "current"), key="risk_for", horizontal=True,
                    format_func=lambda k: t(f"staff.{k}"))
tested = plan.plan if risk_for == "recommended" or current_plan is None else current_plan
try:
    with st.spinner(t("staff.risk_running")):
        risk = state.risk(spec, data, scenario, tested)
except ValueError as exc:
    show_error(exc)
    risk = None
if risk is not None:
    rk = risk[risk["calls"] > 0].copy()
    rk["day"] = [day_label(d) for d in pd.to_datetime(rk["date"])]
    worst = rk.loc[rk["p_miss"].idxmax()] if len(rk) else None
    charts.bars(rk[["day", "p_miss"]], "day", "p_miss", x_title=t("chart.day"), y_title=t("staff.p_miss"),
                title=t("staff.risk_chart"), key="risk", percent=True,
                caption=t("staff.risk_caption").format(
                    draws=int(risk["draws"].max()) if len(risk) else 0, target=scenario.sl_target,
                    worst="" if worst is None else worst["day"],
                    p=0.0 if worst is None else float(worst["p_miss"])))

# --------------------------------------------------------------------------- downloads
st.subheader(t("staff.downloads"))
lang = st.session_state.get("lang", "en")
try:
    plan_sim = state.simulate_scenario(spec, data, scenario, plan.plan)
except ValueError:
    plan_sim = None
d = st.columns(5)
stem = "".join(ch if ch.isalnum() else "_" for ch in scenario.name).strip("_") or "scenario"
d[0].download_button(t("staff.dl_excel"), data=state.excel_bytes(plan, lang), file_name=f"{stem}_staffing.xlsx",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_excel")
d[1].download_button(t("staff.dl_csv"), data=state.csv_zip_bytes(plan), file_name=f"{stem}_staffing_csv.zip",
                     mime="application/zip", key="dl_csv")
d[2].download_button(t("staff.dl_report"), data=state.report_bytes(plan, lang, plan_sim),
                     file_name=f"{stem}_report.html", mime="text/html", key="dl_report")
d[3].download_button(t("staff.dl_toml"), data=scenario.to_toml().encode("utf-8"), file_name=f"{stem}.toml",
                     mime="application/toml", key="dl_toml")
d[4].download_button(t("staff.dl_json"), data=scenario.to_json().encode("utf-8"), file_name=f"{stem}.json",
                     mime="application/json", key="dl_json")
st.caption(t("staff.downloads_caption"))
