"""Compare page: the KPI table of every scenario (simulate.compare, 95% intervals, best marked with
bold and a star), per-interval charts of wait, service level and queue, and a staffing heat map."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import simulate
from app_pages import charts, state
from app_pages.i18n import t
from app_pages.ui import day_label, fmt_value, show_error

KPI_ROWS = state.KPI_ROWS
STAR = "★"


def kpi_table(results: dict[str, simulate.SimulationResult], labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Display table: one row per KPI, one column per scenario ("mean (lo–hi)"), best starred.
    ``labels`` maps scenario names to the names shown (the page's language)."""
    cmp = simulate.compare(results)
    names = list(results)
    labels = labels or {}
    rows = []
    for metric in KPI_ROWS:
        if metric == "cost":
            costs = {n: state.paid_cost(r) for n, r in results.items()}
            best = cmp.at["cost", "best"] if "cost" in cmp.index else ()
            cells = {n: fmt_value(costs[n], "currency") for n in names}
            direction = "lower"
        else:
            if metric not in cmp.index:
                continue
            unit = simulate.METRICS[metric].unit
            best = cmp.at[metric, "best"]
            direction = simulate.METRICS[metric].direction
            cells = {}
            for n in names:
                mean, lo, hi = (float(cmp.at[metric, c]) for c in (n, f"{n}_lo", f"{n}_hi"))
                text = fmt_value(mean, unit, metric)
                if lo != hi:
                    text += f" ({fmt_value(lo, unit, metric)}–{fmt_value(hi, unit, metric)})"
                cells[n] = text
        for n in best or ():  # every tied scenario shares the star
            cells[n] = f"{STAR} {cells[n]}"
        arrow = {"higher": "↑", "lower": "↓"}.get(direction, "")
        rows.append({t("compare.kpi"): f"{t('kpi.' + metric)} {arrow}".strip(),
                     **{labels.get(n, n): v for n, v in cells.items()}})
    return pd.DataFrame(rows)


def _bold_best(value: object) -> str:
    return "font-weight: 700" if isinstance(value, str) and value.startswith(STAR) else ""


def heat_frame(result: simulate.SimulationResult) -> pd.DataFrame:
    """Agents per interval as day x time of day (open hours only)."""
    iv = result.intervals
    ds = pd.to_datetime(iv["ds"])
    frame = pd.DataFrame({"day": [day_label(d) for d in ds], "time": ds.dt.strftime("%H:%M"),
                          "value": iv["agents"].astype(float), "calls": iv["calls"].astype(float)})
    open_times = frame.groupby("time")["value"].transform("max") > 0
    open_days = frame.groupby("day")["value"].transform("max") > 0
    return frame[open_times & open_days][["day", "time", "value"]]


st.title(t("compare.title"))
st.write(t("compare.intro"))

try:
    fc_ready = "forecast_ready" in st.session_state
    with st.status(t("common.preparing") if not fc_ready else t("common.simulating"), expanded=False) as status:
        bar = st.progress(0.0)
        results, failed = state.results(
            progress=lambda i, n, name: bar.progress(i / n, text=t("common.simulated").format(name=name, i=i, n=n)))
        status.update(label=t("common.done"), state="complete")
    st.session_state["forecast_ready"] = True
except ValueError as exc:
    show_error(exc)
    st.stop()

for f in failed:
    name = state.display_name(state.entry(f.uid))
    st.error(t("compare.scenario_failed").format(name=name, msg=f.message))
if not results:
    st.info(t("compare.nothing"))
    st.stop()

spec = state.demand_spec()
demand = state.current_demand()
labels = {e["scenario"].name: state.display_name(e) for e in state.entries()}
st.caption(t("compare.demand_caption").format(
    start=demand.ds[0].strftime("%Y-%m-%d %H:%M"), end=demand.ds[-1].strftime("%Y-%m-%d %H:%M"),
    calls=float(demand.calls.sum()), reps=state.REPLICATIONS, seed=state.SEED,
    surge=t("compare.surge_on") if spec.surge[0] != "none" else t("compare.surge_off")))
for note in dict.fromkeys(w for r in results.values() for w in r.warnings):
    st.info(note)

st.subheader(t("compare.kpi_title"))
table = kpi_table(results, labels)
st.table(table.style.map(_bold_best), hide_index=True)
engines = ", ".join(f"{labels.get(n, n)}: {r.engine}" for n, r in results.items())
st.caption(t("compare.kpi_caption").format(star=STAR, engines=engines))

st.subheader(t("compare.charts_title"))
frames = {labels.get(n, n): r.intervals for n, r in results.items()}
first = next(iter(results.values()))
open_rows = first.intervals["calls"].to_numpy() > 0
# closed intervals become gaps in the lines (NaN), not straight lines across the night
open_frames = {n: iv.assign(**{m: iv[m].where(open_rows) for m in ("asa_s", "service_level", "avg_queue")})
               for n, iv in frames.items()}


def _worst(metric: str, higher_is_worse: bool) -> str:
    parts = []
    for n, iv in open_frames.items():
        s = iv[metric].astype(float)
        if s.notna().any():
            i = s.idxmax() if higher_is_worse else s.idxmin()
            when = pd.Timestamp(iv.at[i, "ds"])
            parts.append(f"{n}: {fmt_value(float(s[i]), simulate.METRICS[metric].unit, metric)} "
                         f"({day_label(when)} {when:%H:%M})")
    return "; ".join(parts)


charts.scenario_lines(open_frames, "asa_s", title=t("compare.chart_wait"), y_title=t("kpi.asa_s"),
                      caption=t("compare.caption_wait").format(worst=_worst("asa_s", True)), key="wait")
charts.scenario_lines(open_frames, "service_level", title=t("compare.chart_sl"), y_title=t("kpi.service_level"),
                      caption=t("compare.caption_sl").format(worst=_worst("service_level", False)), key="sl",
                      percent=True)
charts.scenario_lines(open_frames, "avg_queue", title=t("compare.chart_queue"), y_title=t("kpi.avg_queue"),
                      caption=t("compare.caption_queue").format(worst=_worst("avg_queue", True)), key="queue")

st.subheader(t("compare.heat_title"))
names = list(results)
chosen = st.selectbox(t("compare.heat_scenario"), names, key="heat_scenario", format_func=lambda n: labels.get(n, n))
heat = heat_frame(results[chosen])
peak = heat.loc[heat["value"].idxmax()] if len(heat) else None
if len(heat):
    charts.heatmap(heat, value_title=t("compare.agents"),
                   title=t("compare.heat_chart").format(name=labels.get(chosen, chosen)),
                   caption=t("compare.heat_caption").format(
                       name=labels.get(chosen, chosen), peak=0 if peak is None else int(peak["value"]),
                       when="" if peak is None else f"{peak['day']} {peak['time']}",
                       hours=float(results[chosen].intervals["agents"].sum()) * results[chosen].interval_s / 3600.0),
                   key="heat")
else:
    st.info(t("compare.no_open"))
