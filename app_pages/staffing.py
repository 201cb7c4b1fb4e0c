"""Staffing & export page: the recommended staffing of a chosen scenario (simulate.staff, "auto" by
default: simulation when the scenario has anything Erlang cannot see), its verdict in its own
simulation beside the target (red when it misses), Erlang C/A beside it as quick estimates with
the gap spelled out, one set of workforce figures (ideal against the shift schedule), P50/P80/P95
by the same method, the risk of missing the standard, and the downloads (built once per result)."""
from __future__ import annotations

import re
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from app_pages import charts, state
from app_pages.i18n import fmt_date, fmt_datetime, lang, t
from app_pages.ui import estimate_s, fmt_kind, learn_rate, md, run_with_progress, show_error

METHODS = state.STAFF_METHODS
SHIFTS = state.SHIFT_CHOICES


def _breaks(text: str) -> str:
    """The schedule's break text ("03:30-04:00 unpaid") in the page's language and 24-hour clock."""
    out = re.sub(r"\bunpaid\b", t("staff.unpaid"), str(text))
    return re.sub(r"\bpaid\b", t("staff.paid"), out)


st.title(t("staff.title"))
st.write(t("staff.intro"))

shown = {e["uid"]: state.display_name(e) for e in state.entries()}
uids = list(shown)
if st.session_state.get("staff_scenario") not in uids:
    st.session_state.pop("staff_scenario", None)
if st.session_state.get("staff_method") not in METHODS:
    st.session_state.pop("staff_method", None)
c = st.columns(3)
chosen = c[0].selectbox(t("staff.scenario"), uids, key="staff_scenario", format_func=shown.get,
                        placeholder=t("common.choose"))
entry = state.entry(chosen)
scenario = entry["scenario"]
spec, data = state.demand_spec(), state.upload_bytes()
if len(scenario.agent_groups) > 1:  # agent groups: sized language by language, by simulation
    from app_pages import languages

    with c[1]:
        st.caption(t("staff.groups_note"))
    languages.group_staffing(entry, spec, data)
    st.stop()
method = c[1].selectbox(t("staff.method"), METHODS, key="staff_method", format_func=lambda m: t(f"staff.mshort_{m}"),
                        help=t("staff.method_help_v2"), placeholder=t("common.choose"))
shifts = c[2].selectbox(t("staff.shifts"), list(SHIFTS), key="staff_shifts", help=t("staff.shifts_help"),
                        placeholder=t("common.choose"))

try:
    d = state.current_demand()
    calls = float(d.calls.sum())
    sim_needed = method == "simulation" or (method == "auto" and state.needs_simulation(scenario, d))
    est_staff = estimate_s("staff", calls, scenario) if sim_needed else 1.0
    est_quant = estimate_s("quantiles", calls, scenario) if sim_needed else 1.0
    import time as _time

    t0 = _time.perf_counter()
    rec, sched, quant = run_with_progress([
        (t("staff.step_size") if sim_needed else t("staff.step_erlang"), est_staff,
         lambda: state.recommendation(spec, data, scenario, method)),
        (t("staff.step_schedule"), 3.0, lambda: state.shift_schedule(spec, data, scenario, method, SHIFTS[shifts])),
        (t("staff.step_quantiles"), est_quant, lambda: state.quantile_staffing(spec, data, scenario, method)),
    ], key="staff")
    spent = _time.perf_counter() - t0
    if sim_needed and spent > 2.0:
        learn_rate("staff", spent * est_staff / max(est_staff + est_quant, 1e-9), calls)
except ValueError as exc:
    show_error(exc)
    st.stop()

plan = rec.with_schedule(sched)
s = plan.summary
language = lang()

# ----------------------------------------------------------------------------- the verdict
verdict = md(rec.verdict(language))
if rec.meets_target is False:
    st.error(verdict, icon=":material/error:")
elif rec.meets_target:
    st.success(verdict, icon=":material/check_circle:")
else:
    st.info(verdict)
if rec.facts.get("converged") is False:
    st.warning(t("staff.not_converged", rounds=int(rec.facts.get("iterations", 0))))
st.caption(t("staff.method_used_v2", used=t(f"staff.mshort_{rec.method}"),
             asked=t(f"staff.m_{rec.requested_method or method}"), seconds=float(rec.facts.get("seconds", 0.0))))

# ----------------------------------------------------------------------------- figures
st.header(t("staff.figures_title"))
m = st.columns(4)
if "simulated_service_level" in s:
    sl_delta = s["simulated_service_level"] - s["sl_target"]
    m[0].metric(t("staff.sim_sl"), fmt_kind(s["simulated_service_level"], "pct"),
                delta=t("staff.vs_target_v2", diff=fmt_kind(sl_delta * 100, "num1")),
                delta_color="normal",
                help=t("staff.sim_sl_help", lo=fmt_kind(s["simulated_service_level_lo"], "pct"),
                       hi=fmt_kind(s["simulated_service_level_hi"], "pct"), target=fmt_kind(s["sl_target"], "pct0"),
                       thr=fmt_kind(s["sl_threshold_s"], "sec")))
    m[1].metric(t("staff.sim_abandon"), fmt_kind(s["simulated_abandon_rate"], "pct"),
                help=t("staff.ci_help", lo=fmt_kind(s["simulated_abandon_rate_lo"], "pct"),
                       hi=fmt_kind(s["simulated_abandon_rate_hi"], "pct")))
    m[2].metric(t("staff.sim_asa"), fmt_kind(s["simulated_asa_s"], "sec"),
                help=t("staff.ci_help", lo=fmt_kind(s["simulated_asa_s_lo"], "sec"),
                       hi=fmt_kind(s["simulated_asa_s_hi"], "sec")))
    m[3].metric(t("staff.meeting"), f"{fmt_kind(s['intervals_meeting_target'], 'int')} / "
                f"{fmt_kind(s['intervals_open'], 'int')}", help=t("staff.meeting_help"))
w = st.columns(5)
w[0].metric(t("staff.paid_hours"), fmt_kind(s["paid_hours"], "hours"),
            help=t("staff.basis_schedule") if s.get("basis") == "schedule" else t("staff.basis_ideal"))
w[1].metric(t("staff.fte"), fmt_kind(s["fte"], "num1"))
w[2].metric(t("staff.cost"), fmt_kind(s["cost"], "money"))
w[3].metric(t("staff.peak_agents"), fmt_kind(s["peak_agents"], "int"))
if s.get("schedule_shifts") is not None:
    w[4].metric(t("staff.shifts_people"), fmt_kind(s["schedule_shifts"], "int"))
if s.get("basis") == "schedule":
    st.caption(t("staff.granularity_caption_v2", granularity=fmt_kind(s.get("granularity_hours"), "hours"),
                 paid=fmt_kind(s.get("schedule_paid_hours"), "hours"), shifts=fmt_kind(s.get("schedule_shifts"), "int"),
                 cost=fmt_kind(s.get("schedule_cost"), "money"), ideal=fmt_kind(s.get("ideal_paid_hours"), "hours"),
                 ideal_cost=fmt_kind(s.get("ideal_cost"), "money"), shrink=fmt_kind(scenario.shrinkage, "pct0")))

# ----------------------------------------------------------------------------- the plan simulated
open_ = np.asarray(d.open, dtype=bool)
interval_s = float(d.interval_s)
n_days = len(charts.open_days(d.ds, open_))
ver = rec.verification
if ver is not None and n_days:
    long = charts.day_frame(d.ds, open_, {t("staff.sim_sl"): ver["service_level"].to_numpy()},
                            interval_s=interval_s,
                            extra={t("staff.sim_sl"): {"lo": ver["service_level_lo"].to_numpy(),
                                                       "hi": ver["service_level_hi"].to_numpy(),
                                                       "miss": (~ver["met"].to_numpy(dtype=bool)).astype(float)}})
    long["miss"] = long["miss"] > 0.5
    short = int(long["miss"].sum())
    caption = t("staff.verif_caption", target=fmt_kind(scenario.sl_target, "pct0"), short=short,
                open=int(open_.sum()))
    if n_days <= charts.MAX_PANELS:
        charts.series_by_day(long, y_title=t("kpi.service_level"), title=t("staff.verif_chart"), caption=caption,
                             key="verif", fmt=".0%", series_title=None, value_kind="pct", band=True,
                             target=scenario.sl_target, flag="miss")
    else:
        charts.heatmap(d.ds, open_, ver["service_level"].to_numpy(dtype=float), interval_s=interval_s,
                       value_title=t("kpi.service_level"), title=t("staff.verif_chart"), caption=caption,
                       key="verif", fmt=".0%", value_kind="pct", reverse=True)

# ----------------------------------------------------------------------------- agents needed
req = plan.requirements
try:
    current = state.agents_of(spec, data, scenario, state.plan_for(chosen))
except ValueError:
    current = None
series = {t("staff.recommended"): req["agents"].to_numpy(dtype=float),
          t("staff.p80"): quant["agents_p80"].to_numpy(dtype=float),
          t("staff.p95"): quant["agents_p95"].to_numpy(dtype=float)}
if current is not None:
    series[t("staff.current")] = np.asarray(current, dtype=float)
caption = t("staff.chart_caption_v2", rec=int(req["agents"].max()), p50=int(quant["agents_p50"].max()),
            p80=int(quant["agents_p80"].max()), p95=int(quant["agents_p95"].max()),
            method=t(f"staff.m_{quant.attrs.get('method', rec.method)}"),
            cur=int(np.max(current)) if current is not None else 0)
if n_days and n_days <= charts.MAX_PANELS:
    long = charts.day_frame(d.ds, open_, series, interval_s=interval_s)
    charts.series_by_day(long, y_title=t("compare.agents"), title=t("staff.chart_title"), caption=caption,
                         key="staffing", fmt=",.0f", series_title=None, value_kind="int")
elif n_days:
    charts.heatmap(d.ds, open_, req["agents"].to_numpy(dtype=float), interval_s=interval_s,
                   value_title=t("compare.agents"), title=t("staff.chart_title"), caption=caption, key="staffing")

# ----------------------------------------------------------------------------- methods compared
comp = rec.comparison
if comp is not None and len(comp):
    st.header(t("staff.methods_title"))
    rows = []
    for code, row in comp.iterrows():
        rows.append({
            t("staff.method"): t(f"staff.m_{code}") + (f" {t('staff.recommended_mark')}" if code == rec.method else ""),
            t("staff.agent_hours"): fmt_kind(row["agent_hours"], "hours"),
            t("staff.ideal_paid_hours"): fmt_kind(row["ideal_paid_hours"], "hours"),
            t("staff.fte"): fmt_kind(row["ideal_fte"], "num1"),
            t("staff.ideal_cost"): fmt_kind(row["ideal_cost"], "money"),
            t("staff.peak_agents"): fmt_kind(row["peak_agents"], "int"),
            t("staff.predicted_sl"): fmt_kind(row["predicted_service_level"], "pct"),
            t("staff.sim_sl"): (t("staff.not_simulated") if not np.isfinite(float(row["simulated_service_level"]))
                                else fmt_kind(row["simulated_service_level"], "pct")),
            t("staff.gap_hours"): fmt_kind(row["gap_agent_hours"], "hours"),
        })
    st.table(pd.DataFrame(rows), hide_index=True)
    gap = rec.gap(language)
    if gap:
        st.caption(md(gap))

# ----------------------------------------------------------------------------- schedule
st.header(t("staff.schedule_title"))
st.caption(t("staff.schedule_caption_v2", n=len(sched.shifts), people=sched.headcount, paid=sched.paid_hours,
             status=t("staff.status_optimal") if getattr(sched, "optimal", False) else t("staff.status_other")))
shifts_table = pd.DataFrame({
    t("staff.start"): [fmt_datetime(v) for v in sched.shifts["start"]],
    t("staff.end"): [fmt_datetime(v) for v in sched.shifts["end"]],
    t("staff.length_h"): [fmt_kind(v, "num1") for v in sched.shifts["length_h"]],
    t("staff.paid_h"): [fmt_kind(v, "num1") for v in sched.shifts["paid_h"]],
    t("staff.breaks"): [_breaks(v) for v in sched.shifts["breaks"]],
    t("staff.people"): [fmt_kind(v, "int") for v in sched.shifts["people"]],
})
st.dataframe(shifts_table, hide_index=True, key="shifts_table", height=300, width="stretch")

# ----------------------------------------------------------------------------- risk
st.header(t("staff.risk_title"))
risk_for = st.radio(t("staff.risk_for"), ("recommended", "current"), key="risk_for", horizontal=True,
                    format_func=lambda k: t(f"staff.{k}"))
tested = plan.plan if risk_for == "recommended" or current is None else state.plan_for(chosen)
try:
    (risk,) = run_with_progress([(t("staff.risk_running"), estimate_s("risk", calls, scenario),
                                  lambda: state.risk(spec, data, scenario, tested))], key="risk")
except ValueError as exc:
    show_error(exc)
    risk = None
if risk is not None:
    rk = risk[risk["calls"] > 0].copy()
    rk["day"] = [fmt_date(v) for v in pd.to_datetime(rk["date"])]
    if len(rk):
        worst = rk.loc[rk["p_miss"].idxmax()]
        charts.bars(rk[["day", "p_miss", "p_miss_lo", "p_miss_hi"]], "day", "p_miss", x_title=t("chart.day"),
                    y_title=t("staff.p_miss"), title=t("staff.risk_chart"), key="risk", percent=True,
                    lo="p_miss_lo", hi="p_miss_hi",
                    caption=t("staff.risk_caption_v2", draws=int(risk["draws"].max()),
                              target=fmt_kind(scenario.sl_target, "pct0"), worst=worst["day"],
                              p=fmt_kind(worst["p_miss"], "pct0"), lo=fmt_kind(worst["p_miss_lo"], "pct0"),
                              hi=fmt_kind(worst["p_miss_hi"], "pct0")))

# ----------------------------------------------------------------------------- downloads
st.header(t("staff.downloads"))
# deferred: each file is built when its button is pressed (the report's charts take seconds)
files = {k: partial(state.staffing_file, spec, data, scenario, method, SHIFTS[shifts], language, k)
         for k in ("xlsx", "csv", "html")}
dl = st.columns(5)
stem = "".join(ch if ch.isalnum() else "_" for ch in scenario.name).strip("_")[:60] or "scenario"
dl[0].download_button(t("staff.dl_excel"), data=files["xlsx"], file_name=f"{stem}_staffing.xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_excel",
                      on_click="ignore", width="stretch")
dl[1].download_button(t("staff.dl_csv"), data=files["csv"], file_name=f"{stem}_staffing_csv.zip",
                      mime="application/zip", key="dl_csv", on_click="ignore", width="stretch")
dl[2].download_button(t("staff.dl_report"), data=files["html"], file_name=f"{stem}_report.html", mime="text/html",
                      key="dl_report", on_click="ignore", width="stretch")
dl[3].download_button(t("staff.dl_toml"), data=scenario.to_toml().encode("utf-8"), file_name=f"{stem}.toml",
                      mime="application/toml", key="dl_toml", on_click="ignore", width="stretch")
dl[4].download_button(t("staff.dl_json"), data=scenario.to_json().encode("utf-8"), file_name=f"{stem}.json",
                      mime="application/json", key="dl_json", on_click="ignore", width="stretch")
st.caption(t("staff.downloads_caption"))
