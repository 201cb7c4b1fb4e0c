"""Both official languages on the pages (issue 15): per-language figures, agent groups, the
equal-service check. Helpers only (no page of its own); the figures come from simulate
(``result.by_skill``, ``result.by_group``, :func:`simulate.metrics.service_gap`)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import simulate
from app_pages import charts, state
from app_pages.i18n import fmt_count, fmt_date, fmt_duration, fmt_time, lang, t
from app_pages.ui import (
    estimate_s,
    fmt_kind,
    fmt_when,
    group_name,
    lang_name,
    learn_rate,
    md,
    run_with_progress,
    show_error,
)
from simulate.metrics import service_gap

#: an equal-service gap flagged on the page: service level (share) and average wait (s) between languages
GAP_SERVICE_LEVEL = 0.05
GAP_ASA_S = 30.0
#: per-language figures shown (simulate.metrics.BREAKDOWN_METRICS) and their display kinds
LANGUAGE_ROWS = (("service_level", "pct"), ("asa_s", "sec"), ("abandon_rate", "pct"))
GROUP_ROWS = (("occupancy", "pct"), ("agent_hours", "hours"), ("cost", "money"))


def _with_interval(row: pd.Series, metric: str, kind: str) -> str:
    text = fmt_kind(row[metric], kind)
    lo, hi = row.get(f"{metric}_lo"), row.get(f"{metric}_hi")
    if lo is not None and hi is not None and np.isfinite(lo) and np.isfinite(hi) and lo != hi:
        text += f" ({fmt_kind(lo, kind)} – {fmt_kind(hi, kind)})"
    return text


def language_table(results: dict[str, simulate.SimulationResult], labels: dict[str, str]) -> pd.DataFrame:
    """Service level, average wait and hang-ups per language (``result.by_skill``, with their 95%
    intervals across replications): one row per figure and language, one column per scenario that
    answers by language."""
    skills = list(dict.fromkeys(str(k) for r in results.values() for k in r.by_skill["skill"]))
    rows = []
    for metric, kind in LANGUAGE_ROWS:
        for skill in skills:
            row = {t("compare.kpi"): t("compare.metric_language", metric=t(f"kpi.{metric}"), language=lang_name(skill))}
            for n, r in results.items():
                part = r.by_skill[r.by_skill["skill"].astype(str) == skill]
                row[labels.get(n, n)] = _with_interval(part.iloc[0], metric, kind) if len(part) else "–"
            rows.append(row)
    return pd.DataFrame(rows)


def group_table(results: dict[str, simulate.SimulationResult], labels: dict[str, str]) -> pd.DataFrame:
    """Occupancy, agent-hours and paid cost of each agent group (``result.by_group``)."""
    groups = list(dict.fromkeys(str(g) for r in results.values() for g in r.by_group["group"]))
    rows = []
    for metric, kind in GROUP_ROWS:
        label = {"occupancy": t("kpi.occupancy"), "agent_hours": t("staff.agent_hours"),
                 "cost": t("staff.cost")}[metric]
        for g in groups:
            row = {t("compare.kpi"): t("compare.group_metric", metric=label, group=group_name(g))}
            for n, r in results.items():
                part = r.by_group[r.by_group["group"].astype(str) == g]
                row[labels.get(n, n)] = _with_interval(part.iloc[0], metric, kind) if len(part) else "–"
            rows.append(row)
    return pd.DataFrame(rows)


def equal_service(result: simulate.SimulationResult, name: str) -> tuple[str, bool]:
    """The equal-service sentence of a scenario (simulate.metrics.service_gap) and whether its gap
    is large enough to flag (GAP_SERVICE_LEVEL of service level or GAP_ASA_S of average wait)."""
    gap = service_gap(result).set_index("metric")
    skills = [c for c in gap.columns if c not in ("gap", "worse")]
    sl, asa = gap.loc["service_level"], gap.loc["asa_s"]
    worse = str(sl["worse"]) or str(asa["worse"])
    flagged = bool((np.nan_to_num(sl["gap"]) > GAP_SERVICE_LEVEL) or (np.nan_to_num(asa["gap"]) > GAP_ASA_S))
    each = "; ".join(t("compare.language_figures", language=lang_name(k), sl=fmt_kind(sl[k], "pct"),
                       asa=fmt_kind(asa[k], "sec")) for k in skills)
    each = each[:1].upper() + each[1:]
    key = "compare.equal_gap" if flagged and worse else "compare.equal_ok"
    return t(key, name=md(name), each=each, gap=fmt_kind(float(np.nan_to_num(sl["gap"])) * 100, "num1"),
             asa_gap=fmt_kind(asa["gap"], "sec"), worse=lang_name(worse) if worse else ""), flagged


# ----------------------------------------------------------------------------- Staffing & export
def _pool_table(cmp, scenario: simulate.Scenario) -> pd.DataFrame:
    """simulate.compare_pools' table, one row per figure, one column per option (written the
    page's way)."""
    table = cmp.table
    options = {"separate pools": t("staff.pools_separate"), "with bilingual agents": t("staff.pools_shared")}
    rows: list[tuple[str, str, str]] = []
    for g in scenario.group_names:
        rows.append((f"agent_hours_{g}", t("compare.group_metric", metric=t("staff.agent_hours"), group=group_name(g)),
                     "hours"))
    rows += [("agent_hours", t("staff.agent_hours"), "hours"), ("paid_hours", t("staff.paid_hours"), "hours"),
             ("fte", t("staff.fte"), "num1"), ("cost", t("staff.cost"), "money"),
             ("saving", t("staff.pools_saving_row"), "money"), ("saving_share", t("staff.pools_saving_share"), "pct")]
    skills = [c.removeprefix("service_level_") for c in table.columns if c.startswith("service_level_")]
    for k in skills:
        rows.append((f"service_level_{k}", t("compare.metric_language", metric=t("kpi.service_level"),
                                                 language=lang_name(k)), "pct"))
        rows.append((f"asa_s_{k}", t("compare.metric_language", metric=t("kpi.asa_s"), language=lang_name(k)), "sec"))
    out = {t("compare.kpi"): [label for _, label, _ in rows]}
    for _, r in table.iterrows():
        out[options.get(str(r["option"]), str(r["option"]))] = [
            fmt_kind(r[col], kind) if col in table.columns else "–" for col, _, kind in rows]
    return pd.DataFrame(out)


def _request_pools(uid: int) -> None:
    ss = st.session_state
    ss["pools_request"] = (uid, ss.get("pools_day"), ss.get("pools_start"), ss.get("pools_hours"))


def group_staffing(entry: dict, spec, data) -> None:
    """The Staffing & export page for a scenario with agent groups: its own staffing per group,
    simulated (each language's service and the equal-service check, each group's occupancy and
    cost), "How many bilingual agents?" (simulate.compare_pools on a window the planner picks:
    separate pools against pools with bilingual agents, both sized by simulation for each
    language's target), and the downloads (the staffing per group as a table the CLI and
    ``StaffingPlan.table`` read back, the simulation as Excel and CSV, the scenario file)."""
    scenario, uid = entry["scenario"], entry["uid"]
    name = state.display_name(entry)
    try:
        plan = state.plan_for(uid)
        d = state.demand_for(spec, data, scenario)
        calls = float(d.calls.sum())
        (result,) = run_with_progress([(t("common.simulating_item", name=md(name), i=1, n=1),
                                        estimate_s("simulate", calls, scenario),
                                        lambda: state.simulate_scenario(spec, data, scenario, plan))], key="grp_sim")
        frame = state.group_frame_of(spec, data, scenario, plan)
    except ValueError as exc:
        show_error(exc)
        return
    labels = {scenario.name: name}

    # ------------------------------------------------------------------ its staffing, simulated
    st.header(t("staff.groups_title"))
    if result.by_skill is not None:
        sentence, flagged = equal_service(result, name)
        (st.warning if flagged else st.success)(sentence)
        st.table(language_table({scenario.name: result}, labels), hide_index=True)
    if result.by_group is not None:
        st.table(group_table({scenario.name: result}, labels), hide_index=True)
    cost = state.paid_cost(result)
    hours = float(result.intervals["agents"].sum()) * result.interval_s / 3600.0
    st.caption(t("staff.groups_caption", rule=t(f"scen.kshort_{state.describe_rule(entry['staffing'])['kind']}"),
                 hours=hours, cost=fmt_kind(cost, "money"), reps=state.REPLICATIONS))
    open_ = np.asarray(d.open, dtype=bool)
    n_days = len(charts.open_days(d.ds, open_))
    per_group = {group_name(g): frame.loc[frame["group"] == g, "agents"].to_numpy(dtype=float)
                 for g in scenario.group_names}
    peaks = "; ".join(t("scen.group_hours_peak", group=k, peak=int(v.max()) if len(v) else 0)
                      for k, v in per_group.items())
    caption = t("staff.groups_chart_caption", peaks=peaks)
    if n_days and n_days <= charts.MAX_PANELS:
        long = charts.day_frame(d.ds, open_, per_group, interval_s=float(d.interval_s))
        charts.series_by_day(long, y_title=t("compare.agents"), title=t("staff.groups_chart"), caption=caption,
                             key="grp_agents", fmt=",.0f", series_title=None, value_kind="int",
                             names=list(per_group))
    elif n_days:
        st.caption(caption)

    # ------------------------------------------------------------------ how many bilingual agents?
    st.header(t("staff.pools_title"))
    st.write(t("staff.pools_intro"))
    days = charts.open_days(d.ds, open_)
    multi = [g for g in scenario.agent_groups if len(g.skills) > 1]
    if not days or not multi:
        st.info(t("staff.pools_none"))
    else:
        _pools(entry, spec, data, d, days)

    # ------------------------------------------------------------------ downloads
    st.header(t("staff.downloads"))
    files = state.group_downloads(spec, data, scenario, plan, lang())
    stem = "".join(ch if ch.isalnum() else "_" for ch in scenario.name).strip("_")[:60] or "scenario"
    dl = st.columns(5)
    dl[0].download_button(t("staff.dl_group_plan"), data=files["plan"], file_name=f"{stem}_staffing_by_group.csv",
                          mime="text/csv", key="dl_group_plan", on_click="ignore", width="stretch")
    dl[1].download_button(t("staff.dl_excel"), data=files["xlsx"], file_name=f"{stem}_simulation.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key="dl_group_excel", on_click="ignore", width="stretch")
    dl[2].download_button(t("staff.dl_csv"), data=files["csv"], file_name=f"{stem}_simulation_csv.zip",
                          mime="application/zip", key="dl_group_csv", on_click="ignore", width="stretch")
    dl[3].download_button(t("staff.dl_toml"), data=scenario.to_toml().encode("utf-8"), file_name=f"{stem}.toml",
                          mime="application/toml", key="dl_group_toml", on_click="ignore", width="stretch")
    dl[4].download_button(t("staff.dl_json"), data=scenario.to_json().encode("utf-8"), file_name=f"{stem}.json",
                          mime="application/json", key="dl_group_json", on_click="ignore", width="stretch")
    st.caption(t("staff.group_downloads_caption"))


def _pools(entry: dict, spec, data, d: simulate.Demand, days: list) -> None:
    """The window picker, the button, and simulate.compare_pools' answer once asked for."""
    scenario, uid = entry["scenario"], entry["uid"]
    wall = charts.wall_clock(d.ds)
    calls = np.asarray(d.calls, dtype=float)
    day_calls = {day: float(calls[np.asarray(wall.normalize() == day)].sum()) for day in days}
    busiest = max(day_calls, key=day_calls.get)
    ss = st.session_state
    if ss.get("pools_day") not in days:
        ss["pools_day"] = busiest
    c = st.columns([1.3, 1, 1, 1.4], vertical_alignment="bottom")
    day = c[0].selectbox(t("staff.pools_day"), days, key="pools_day", format_func=lambda v: fmt_date(v),
                         placeholder=t("common.choose"))
    in_day = np.flatnonzero(np.asarray(wall.normalize() == day) & (calls > 0))
    starts = [wall[i] for i in in_day]
    if ss.get("pools_start") not in starts:
        peak = int(in_day[np.argmax(calls[in_day])])
        ss["pools_start"] = wall[max(peak - 1, int(in_day[0]))]
    c[1].selectbox(t("staff.pools_start"), starts, key="pools_start", format_func=lambda v: fmt_time(v),
                   placeholder=t("common.choose"))
    c[2].selectbox(t("staff.pools_hours"), (1, 2, 3, 4, 6, 8), index=1, key="pools_hours",
                   format_func=lambda h: fmt_count(h, "hour"), placeholder=t("common.choose"))
    first = int(np.flatnonzero(np.asarray(wall == ss["pools_start"]))[0])
    n = max(round(float(ss["pools_hours"]) * 3600.0 / float(d.interval_s)), 1)
    window = np.arange(first, min(first + n, len(d)))
    w_calls = float(calls[window].sum())
    est = estimate_s("pools", w_calls, scenario)
    c[3].button(t("staff.pools_run"), key="pools_run", on_click=_request_pools, args=(uid,), width="stretch",
                help=t("staff.pools_run_help", seconds=fmt_duration(est)))
    if ss.get("pools_request") != (uid, day, ss["pools_start"], ss["pools_hours"]):
        st.caption(t("staff.pools_hint", calls=w_calls, seconds=fmt_duration(est)))
        return
    start, end = str(d.ds[window[0]]), str(d.ds[window[-1]])
    import time

    t0 = time.perf_counter()
    try:
        (cmp,) = run_with_progress([(t("staff.pools_running", calls=w_calls), est,
                                     lambda: state.pool_comparison(spec, data, scenario, start, end))], key="pools")
    except ValueError as exc:
        show_error(exc)
        return
    learn_rate("pools", time.perf_counter() - t0, w_calls)
    row = cmp.table.set_index("option")
    shared = cmp.shared.summary
    st.markdown(t("staff.pools_answer", saving=fmt_kind(row.loc["with bilingual agents", "saving"], "money"),
                  share=fmt_kind(row.loc["with bilingual agents", "saving_share"], "pct"),
                  bil=fmt_kind(cmp.shared.groups.set_index("group")["agent_hours"].get("bilingual", 0.0), "num1"),
                  met=int(shared["intervals_meeting_target"]), open=int(shared["intervals_open"])))
    st.table(_pool_table(cmp, scenario), hide_index=True)
    agents = cmp.shared.agents
    shown = pd.DataFrame({t("chart.time"): [fmt_when(v) for v in agents["ds"]],
                          t("chart.calls"): [fmt_kind(v, "int") for v in agents["calls"]],
                          **{group_name(g): [fmt_kind(v, "int") for v in agents[g]] for g in scenario.group_names}})
    st.dataframe(shown, hide_index=True, key="pools_agents", width="stretch")
    st.caption(t("staff.pools_caption", reps=state.POOL_REPLICATIONS, sims=int(shared.get("simulations", 0))
                 + int(cmp.separate.summary.get("simulations", 0))))
    long = pd.concat([pd.DataFrame({"ds": agents["ds"], "group": g, "agents": agents[g]})
                      for g in scenario.group_names], ignore_index=True)
    st.download_button(t("staff.dl_pools"), data=state.group_plan_csv(long), file_name="bilingual_window_by_group.csv",
                       mime="text/csv", key="dl_pools", on_click="ignore")
