"""Compare page: the KPI table of every scenario (simulate.compare, 95% intervals that stay in
range, every tied best starred), the comparison as a download (Excel with each scenario's
assumptions, CSV), per-interval charts of service level, wait and queue by open day (small
multiples; a heat map on long horizons), and a staffing heat map."""
from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

import simulate
from app_pages import charts, state
from app_pages.i18n import fmt_datetime, lang, t
from app_pages.languages import GAP_ASA_S, GAP_SERVICE_LEVEL, equal_service, group_table, language_table
from app_pages.ui import fmt_kind, fmt_value, md, metric_kind, show_error

KPI_ROWS = state.KPI_ROWS
STAR = "★"


def kpi_table(results: dict[str, simulate.SimulationResult], labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Display table: one row per KPI, one column per scenario ("mean (lo – hi)", written the page's
    way), every tied best starred (simulate.compare's ``best``: a scenario that serves nobody is never
    best). ``labels`` maps scenario names to the names shown (the page's language)."""
    cmp = simulate.compare(results)
    names = list(results)
    labels = labels or {}
    rows = []
    for metric in KPI_ROWS:
        if metric not in cmp.index:
            continue
        kind = metric_kind(metric)
        direction = "lower" if metric == "cost" else simulate.METRICS[metric].direction
        cells = {}
        for n in names:
            mean, lo, hi = (float(cmp.at[metric, c]) for c in (n, f"{n}_lo", f"{n}_hi"))
            text = fmt_kind(mean, kind)
            if lo != hi and np.isfinite(lo) and np.isfinite(hi):
                text += f" ({fmt_kind(lo, kind)} – {fmt_kind(hi, kind)})"
            cells[n] = text
        best = cmp.at[metric, "best"]
        for n in (best if isinstance(best, tuple) else (best,) if best else ()):
            cells[n] = f"{STAR} {cells[n]}"
        arrow = {"higher": "↑", "lower": "↓"}.get(direction, "")
        rows.append({t("compare.kpi"): f"{t('kpi.' + metric)} {arrow}".strip(),
                     **{labels.get(n, n): v for n, v in cells.items()}})
    return pd.DataFrame(rows)


def _bold_best(value: object) -> str:
    return "font-weight: 700" if isinstance(value, str) and value.startswith(STAR) else ""


def _worst(frames: dict[str, pd.DataFrame], metric: str, higher_is_worse: bool, open_: np.ndarray) -> str:
    parts = []
    for n, iv in frames.items():
        s = iv[metric].astype(float).where(open_)
        if s.notna().any():
            i = s.idxmax() if higher_is_worse else s.idxmin()
            parts.append(t("compare.worst_item", name=n, value=fmt_value(float(s[i]), "", metric),
                           when=fmt_datetime(iv.at[i, "ds"])))
    return "; ".join(parts)


st.title(t("compare.title"))
st.write(t("compare.intro"))

try:
    slot = st.empty()

    def _progress(i: int, n: int, name: str) -> None:
        slot.progress(i / n, text=t("common.simulating_item", name=md(name), i=i + 1, n=n))

    results, failed = state.results(progress=_progress)
    slot.empty()
except ValueError as exc:
    show_error(exc)
    st.stop()

for f in failed:
    name = state.display_name(state.entry(f.uid))
    st.error(t("compare.scenario_failed", name=md(name), msg=md(f.message)))
if not results:
    st.info(t("compare.nothing"))
    st.stop()

spec, data = state.demand_spec(), state.upload_bytes()
demand = state.current_demand()
labels = state.shown_names()
st.caption(t("compare.demand_caption_v2", start=fmt_datetime(demand.ds[0]), end=fmt_datetime(demand.ds[-1]),
             calls=float(demand.calls.sum()), reps=state.REPLICATIONS, seed=state.SEED,
             surge=t("compare.surge_on") if spec.surge[0] != "none" else t("compare.surge_off")))
for note in dict.fromkeys(w for r in results.values() for w in r.warnings):
    st.info(md(note))

st.header(t("compare.kpi_title"))
table = kpi_table(results, labels)
st.table(table.style.map(_bold_best), hide_index=True)
engines = "; ".join(t("compare.engine_item", name=labels.get(n, n), engine=t(f"engine.{r.engine}"))
                    for n, r in results.items())
st.caption(md(t("compare.kpi_caption_v2", star=STAR, engines=engines)))

# a plan sized by a quick Erlang estimate that misses in simulation: say so, and which figure to trust
for e in state.entries():
    name = e["scenario"].name
    method = (e.get("staffing") or {}).get("sized")
    note = simulate.staffing.sized_plan_note(results[name], method, lang()) \
        if name in results and method else ""
    if note:
        st.warning(f"**{md(labels.get(name, name))}**: {note}")

# ----------------------------------------------------------------------------- both official languages
by_language = {n: r for n, r in results.items() if r.by_skill is not None}
if by_language:
    st.header(t("compare.lang_title"))
    for n, r in by_language.items():
        sentence, flagged = equal_service(r, labels.get(n, n))
        (st.warning if flagged else st.success)(sentence)
    st.table(language_table(by_language, labels), hide_index=True)
    st.caption(t("compare.lang_caption", points=GAP_SERVICE_LEVEL * 100, seconds=GAP_ASA_S))
    by_group = {n: r for n, r in by_language.items() if r.by_group is not None}
    if by_group:
        st.table(group_table(by_group, labels), hide_index=True)
        st.caption(t("compare.group_caption"))

# ----------------------------------------------------------------------------- download
runs = tuple((labels.get(n, n), e["scenario"], state.plan_for(e["uid"])) for e in state.entries()
             for n in [e["scenario"].name] if n in results)
language = st.session_state.get("lang", "en")
d = st.columns([1, 1, 2], vertical_alignment="center")
# deferred: each file is built when its button is pressed (an edit's rerun does not rebuild them)
d[0].download_button(t("compare.dl_excel"), data=partial(state.comparison_file, spec, data, runs, language, "xlsx"),
                     file_name="queuecast_comparison.xlsx",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     key="dl_compare_xlsx", width="stretch", on_click="ignore")
d[1].download_button(t("compare.dl_csv"), data=partial(state.comparison_file, spec, data, runs, language, "csv"),
                     file_name="queuecast_comparison_csv.zip",
                     mime="application/zip", key="dl_compare_csv", width="stretch", on_click="ignore")
d[2].caption(t("compare.dl_caption"))

# ----------------------------------------------------------------------------- through the days
st.header(t("compare.charts_title"))
open_ = np.asarray(demand.open, dtype=bool)
frames = {labels.get(n, n): r.intervals for n, r in results.items()}
names = list(frames)
n_days = len(charts.open_days(demand.ds, open_))
interval_s = float(demand.interval_s)
specs = [("service_level", "compare.chart_sl", "compare.caption_sl", False, ".0%", "pct"),
         ("asa_s", "compare.chart_wait", "compare.caption_wait", True, ",.0f", "sec"),
         ("avg_queue", "compare.chart_queue", "compare.caption_queue", True, ",.0f", "num1")]
if n_days == 0:
    st.info(t("compare.no_open"))
elif n_days <= charts.MAX_PANELS:
    st.caption(t("compare.by_day_note"))
    for metric, title_key, caption_key, worse_high, fmt, kind in specs:
        long = charts.day_frame(demand.ds, open_, {n: iv[metric].to_numpy() for n, iv in frames.items()},
                                interval_s=interval_s)
        target = None
        if metric == "service_level":
            targets = {e["scenario"].sl_target for e in state.entries()}
            target = targets.pop() if len(targets) == 1 else None
        charts.series_by_day(long, y_title=t(f"kpi.{metric}"), title=t(title_key), key=f"cmp_{metric}", fmt=fmt,
                             caption=t(caption_key, worst=_worst(frames, metric, worse_high, open_)),
                             series_title=t("compare.scenario"), value_kind=kind, target=target, names=names)
else:
    st.caption(t("compare.long_note", days=n_days))
    pick = st.selectbox(t("compare.metric_scenario"), names, key="metric_heat_scenario",
                        placeholder=t("common.choose"))
    iv = frames[pick]
    for metric, _title_key, caption_key, worse_high, fmt, kind in specs:
        charts.heatmap(demand.ds, open_, iv[metric].to_numpy(dtype=float), interval_s=interval_s,
                       value_title=t(f"kpi.{metric}"), title=t("compare.heat_metric", metric=t(f"kpi.{metric}"),
                                                                  name=pick),
                       caption=t(caption_key, worst=_worst({pick: iv}, metric, worse_high, open_)),
                       key=f"cmp_heat_{metric}", fmt=fmt, value_kind=kind, reverse=metric == "service_level")

# ----------------------------------------------------------------------------- staffing heat map
st.header(t("compare.heat_title"))
chosen = st.selectbox(t("compare.heat_scenario"), names, key="heat_scenario_name", placeholder=t("common.choose"))
iv = frames[chosen]
agents = iv["agents"].to_numpy(dtype=float)
hours = float(agents.sum()) * interval_s / 3600.0
if n_days:
    peak_i = int(np.nanargmax(np.where(open_, agents, -1)))
    charts.heatmap(demand.ds, open_, agents, interval_s=interval_s, value_title=t("compare.agents"),
                   title=t("compare.heat_chart", name=chosen), key="heat",
                   caption=t("compare.heat_caption_v2", name=chosen, peak=int(agents[peak_i]),
                             when=fmt_datetime(demand.ds[peak_i]), hours=hours))
