"""Capacity plan page: how many people to hire, when, across months (simulate.capacity, issue 16).

Two sources of demand: the bundled 2022 passport surge (applications, the backlog model and the
phones, planned from the first sign of the surge), or a forecast file (ds, yhat and its bands, daily
or per interval, one ``group`` column for several queues) with the policy of a scenario of the
Scenarios page. The planner edits the supply of each group in one table, picks the planning
quantile and the what-ifs; the page shows required vs available staff week by week with the hiring
classes, the latest class start for each peak, the backlog and service level, the what-ifs side by
side, and downloads (Excel with an assumptions sheet, CSV).

Its texts are the ``cap.*`` keys of the message catalogue (simulate/i18n/messages.toml).
"""
from __future__ import annotations

import json
import warnings
from functools import partial
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

import forecast
import simulate
from app_pages import charts, state
from app_pages.i18n import fmt_date, lang, t
from app_pages.ui import fmt_kind, show_error
from forecast.io import DEFAULT_SERIES
from simulate import capacity as cap

# ------------------------------------------------------------------------------------------- texts

ROOT = Path(__file__).resolve().parent.parent
PASSPORT_START, PASSPORT_END = pd.Timestamp("2022-01-17"), pd.Timestamp("2022-12-25")
QUANTILES = (0.5, 0.8, 0.95)
FIELDS = ("headcount", "attrition", "time_to_hire", "training", "ramp_start", "ramp_weeks", "class_every",
          "max_class", "overtime", "borrow", "borrow_lead", "hire_cost")
#: the worked example's assumptions (examples/capacity_passport_2022.py), editable on the page
PASSPORT_SUPPLY = {
    "processing": dict(headcount=1365, attrition=0.2, time_to_hire=4, training=6, ramp_start=50, ramp_weeks=5,
                       class_every=1, max_class=150, overtime=10, borrow=300, borrow_lead=2, hire_cost=5000),
    "phones": dict(headcount=200, attrition=0.3, time_to_hire=3, training=4, ramp_start=50, ramp_weeks=2,
                   class_every=1, max_class=60, overtime=10, borrow=100, borrow_lead=2, hire_cost=5000),
}
DEFAULT_SUPPLY = dict(headcount=50, attrition=0.3, time_to_hire=4, training=4, ramp_start=50, ramp_weeks=4,
                      class_every=1, max_class=30, overtime=10, borrow=0, borrow_lead=2, hire_cost=5000)


# ------------------------------------------------------------------------------------------- cached work
@st.cache_resource(show_spinner=False)
def _passport_inputs() -> dict:
    """The bundled history, the backlog model fitted before the first sign, the intraday profile."""
    history = forecast.read_history(ROOT / "data" / "passport" / "passport_daily.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = forecast.BacklogModel().fit(history[history["ds"] < PASSPORT_START])
    wide = history.pivot(index="ds", columns="series", values="y")
    profile = cap.intraday_profile(forecast.read_history(ROOT / "data" / "passport" / "passport_intraday_30min.csv"))
    return {"model": model, "applications": wide["applications"], "profile": profile}


def _supply(row: dict, *, productivity: float | None = None, weekly_cost: float | None = None) -> cap.Supply:
    return cap.Supply(
        headcount=float(row["headcount"]), attrition=float(row["attrition"]) / 100.0,
        time_to_hire=int(row["time_to_hire"]), training_weeks=int(row["training"]),
        ramp=cap.linear_ramp(float(row["ramp_start"]) / 100.0, int(row["ramp_weeks"])),
        class_weeks=None if int(row["class_every"]) <= 1 else int(row["class_every"]),
        max_class_size=int(row["max_class"]) if row["max_class"] else None, overtime=float(row["overtime"]) / 100.0,
        borrow_max=float(row["borrow"]), borrow_lead_weeks=int(row["borrow_lead"]), borrow_productivity=0.8,
        hire_cost=float(row["hire_cost"]), productivity=productivity, weekly_cost=weekly_cost)


def _problem(source: str, settings: str, upload: bytes | None, upload_name: str | None,
             scenario: simulate.Scenario) -> cap.CapacityProblem:
    cfg = json.loads(settings)
    rows = cfg["supply"]
    if source == "passport":
        inp = _passport_inputs()
        start, end = pd.Timestamp(cfg["start"]), pd.Timestamp(cfg["end"])
        weeks = max(1, ((end - start).days + 1) // 7)
        apps = inp["applications"].loc[start:start + pd.Timedelta(days=7 * weeks - 1)]
        bo = cap.Backoffice(model=inp["model"], applications=apps, target_days=int(cfg["target_days"]))
        wage = scenario.hourly_cost * scenario.paid_hours_per_week
        supply = {"phones": _supply(rows["phones"]),
                  "processing": _supply(rows["processing"], productivity=float(cfg["productivity"]), weekly_cost=wage)}
        return cap.CapacityProblem(scenarios={"phones": scenario.replace(name="phones")}, supply=supply, backoffice=bo,
                                   profile=inp["profile"], quantile=float(cfg["quantile"]), start=start)
    frames = _upload_frames(upload, upload_name)
    return cap.CapacityProblem(demand=frames, scenarios={g: scenario.replace(name=g) for g in frames},
                               supply={g: _supply(rows[g]) for g in frames}, quantile=float(cfg["quantile"]))


#: the forecast's band columns and handle time, read as numbers when present
UPLOAD_NUMERIC = ("yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95", "aht_s")


@st.cache_data(show_spinner=False, max_entries=4)
def _upload_frames(data: bytes | None, name: str | None) -> dict[str, pd.DataFrame]:
    """``{group: forecast frame}`` of an uploaded forecast, read and checked by
    :func:`forecast.read_history` (a 'group' or a 'series' column names the groups; a file with
    neither is one group, "phones"). Raises forecast.DataError naming the file, line and column."""
    if data is None:
        raise ValueError(t("cap.upload_first"))
    table = forecast.read_history(data, name=name or "upload", value=("yhat", "calls", "y"), numeric=UPLOAD_NUMERIC,
                                  series_column="group")
    frames = {str(g): part.drop(columns="series").reset_index(drop=True)
              for g, part in table.groupby("series", sort=False)}
    if list(frames) == [DEFAULT_SERIES]:  # no group column: the one queue is the phones
        frames = {"phones": frames[DEFAULT_SERIES]}
    return frames


@st.cache_data(show_spinner=False, max_entries=16)
def _plan(source: str, settings: str, upload: bytes | None, upload_name: str | None,
          scenario: simulate.Scenario) -> cap.CapacityPlan:
    return cap.plan(_problem(source, settings, upload, upload_name, scenario))


@st.cache_data(show_spinner=False, max_entries=32)
def _what_if(source: str, settings: str, upload: bytes | None, upload_name: str | None,
             scenario: simulate.Scenario, change: str, keep: bool) -> cap.CapacityPlan:
    base = _plan(source, settings, upload, upload_name, scenario)
    problem = cap.what_if(base.problem, keep_hires=base if keep else None, **json.loads(change))
    return cap.plan(problem)


# ------------------------------------------------------------------------------------------- charts
def _group_chart(plan: cap.CapacityPlan, group: str) -> None:
    wk = plan.group(group)
    lines = wk.melt(id_vars="week", value_vars=["required", "available", "headcount"], var_name="series",
                    value_name="value").rename(columns={"week": "ds"})
    labels = {"required": t("cap.required"), "available": t("cap.available"), "headcount": t("cap.headcount")}
    lines["series"] = lines["series"].map(labels)
    lines["when"] = [fmt_date(v) for v in lines["ds"]]
    names = list(labels.values())
    scales = charts._series_scales(names)
    legend = charts._legend(names, None)
    x = charts._date_axis(wk["week"], t("cap.week"))
    tooltip = [alt.Tooltip("when:N", title=t("cap.week")), alt.Tooltip("series:N", title=" "),
               alt.Tooltip("value:Q", format=",.1f", title=t("cap.fte"))]
    top = alt.layer(
        alt.Chart(lines).mark_line(strokeWidth=1.6).encode(
            x=x, y=alt.Y("value:Q", title=t("cap.fte"), axis=alt.Axis(format=",.0f")),
            color=alt.Color("series:N", sort=names, scale=scales["color"], legend=legend),
            strokeDash=alt.StrokeDash("series:N", sort=names, scale=scales["dash"], legend=legend), tooltip=tooltip),
        alt.Chart(lines).mark_point(size=24, filled=True).encode(
            x=x, y="value:Q", color=alt.Color("series:N", sort=names, scale=scales["color"], legend=legend),
            shape=alt.Shape("series:N", sort=names, scale=scales["shape"], legend=legend), tooltip=tooltip))
    classes = plan.classes[plan.classes["group"] == group].rename(columns={"week": "ds"})
    classes = classes.assign(when=[fmt_date(v) for v in classes["ds"]])
    bars = alt.Chart(classes).mark_bar(color=charts.PALETTE[5], size=6).encode(
        x=x, y=alt.Y("size:Q", title=t("cap.hires"), axis=alt.Axis(format=",.0f", tickCount=3)),
        tooltip=[alt.Tooltip("when:N", title=t("cap.c_start")), alt.Tooltip("size:Q", format=",.0f",
                                                                            title=t("cap.c_size"))])
    latest = plan.latest_start[plan.latest_start["group"] == group]
    layers = top
    if len(latest) and pd.notna(latest["latest_start"].iloc[0]):
        rule = alt.Chart(latest.rename(columns={"latest_start": "ds"})).mark_rule(
            color=charts.MUTED, strokeDash=[2, 2]).encode(x="ds:T")
        layers = alt.layer(top, rule)
    ls = latest.iloc[0] if len(latest) else None

    def day(v) -> str:
        return "–" if v is None or pd.isna(v) else fmt_date(v, style="long")

    caption = t("cap.chart_caption", group=group, peak=float(wk["required"].max()),
                peak_week=day(ls["peak_week"] if ls is not None else None), hires=float(wk["hires"].sum()),
                classes=len(classes), latest=day(ls["latest_start"] if ls is not None else None),
                decide=day(ls["decide_by"] if ls is not None else None), short=float(wk["shortfall"].sum()))
    title = t("cap.chart_title", group=group)
    chart = alt.vconcat(layers.properties(height=charts.HEIGHT, title=title),
                        bars.properties(height=90)).resolve_scale(x="shared")
    charts.show(chart, description=f"{title}. {caption}", key=f"cap_{group}")
    table = pd.DataFrame({t("cap.week"): [fmt_date(v, style="iso") for v in wk["week"]]})
    for col, label, kind in (("required", t("cap.required"), "num1"), ("available", t("cap.available"), "num1"),
                             ("headcount", t("cap.headcount"), "num1"), ("in_training", t("cap.in_training"), "num1"),
                             ("hires", t("cap.hires"), "int"), ("overtime", t("cap.overtime"), "num1"),
                             ("borrowed", t("cap.borrowed"), "num1"), ("shortfall", t("cap.shortfall"), "num1"),
                             ("service_level", t("kpi.service_level"), "pct")):
        table[label] = [fmt_kind(v, kind) for v in wk[col]]
    charts.alt_text(caption, table, f"cap_{group}")


def _dates(values) -> list[str]:
    return [fmt_date(v, style="iso") for v in values]


@st.cache_data(show_spinner=False, max_entries=16)
def _download(source: str, settings: str, upload: bytes | None, upload_name: str | None,
              scenario: simulate.Scenario, picked: tuple, keep: bool, language: str, kind: str) -> bytes:
    """One of the page's files in ``language`` ("xlsx": the workbook with every table, the what-ifs and
    the assumptions; "csv": the weekly table), by simulate.export, built when its button is pressed
    and once per plan, what-ifs, language and kind. The base plan is "plan", which the export names
    in ``language``."""
    plan = _plan(source, settings, upload, upload_name, scenario)
    plans = {"plan": plan}
    for name, change in picked:
        plans[name] = _what_if(source, settings, upload, upload_name, scenario, change, keep)
    export = cap.PlanWithWhatIfs(plan, cap.compare(plans))
    if kind == "xlsx":
        return simulate.export.excel_bytes(export, language=language)
    return simulate.export.csv_files(export, language=language, stem="capacity")["capacity.csv"]


# ------------------------------------------------------------------------------------------- page
st.title(t("cap.title"))
st.write(t("cap.intro"))

c = st.columns(3)
source = c[0].radio(t("cap.source"), ("passport", "upload"), key="cap_source",
                    format_func=lambda s: t(f"cap.source_{s}"))
quantile = c[1].selectbox(t("cap.quantile"), QUANTILES, key="cap_quantile", format_func=lambda q: t(f"cap.q_{q}"),
                          placeholder=t("common.choose"))
names = [e["scenario"].name for e in state.entries()]
shown_names = state.shown_names()
policy_name = c[2].selectbox(t("cap.policy"), names, key="cap_policy", format_func=lambda n: shown_names.get(n, n),
                             placeholder=t("common.choose"))
scenario = next(e["scenario"] for e in state.entries() if e["scenario"].name == policy_name)

upload, upload_name = None, None
cfg: dict = {"quantile": quantile}
if source == "passport":
    st.caption(t("cap.synthetic_note"))
    d = st.columns(4)
    cfg["start"] = str(d[0].date_input(t("cap.start"), PASSPORT_START, key="cap_start", help=t("cap.start_help")))
    cfg["end"] = str(d[1].date_input(t("cap.end"), PASSPORT_END, key="cap_end"))
    cfg["productivity"] = d[2].number_input(t("cap.productivity"), 0.5, 50.0, 5.0, 0.1, key="cap_productivity")
    cfg["target_days"] = d[3].number_input(t("cap.target_days"), 1, 20, 15, 1, key="cap_target",
                                           help=t("cap.target_help"))
    groups = ["processing", "phones"]
    defaults = PASSPORT_SUPPLY
else:
    file = st.file_uploader(t("cap.upload_label"), type=["csv", "xlsx"], key="cap_upload", help=t("cap.upload_help"))
    if file is None:
        st.info(t("cap.upload_first"))
        st.stop()
    upload, upload_name = file.getvalue(), file.name
    try:
        groups = list(_upload_frames(upload, upload_name))
    except (ValueError, forecast.DataError) as exc:
        show_error(exc)
        st.stop()
    defaults = {g: DEFAULT_SUPPLY for g in groups}

st.header(t("cap.supply_title"))
st.caption(t("cap.supply_caption"))
table = pd.DataFrame([{"group": g, **defaults.get(g, DEFAULT_SUPPLY)} for g in groups])
labels = {"group": t("cap.group"), **{f: t(f"cap.f_{f}") for f in FIELDS}}
edited = st.data_editor(table.rename(columns=labels), hide_index=True, disabled=[labels["group"]],
                        key=f"cap_supply_{source}", width="stretch")
edited.columns = list(table.columns)
cfg["supply"] = {r["group"]: {f: float(r[f]) for f in FIELDS} for r in edited.to_dict("records")}
settings = json.dumps(cfg, sort_keys=True, default=str)

try:
    with st.status(t("cap.computing"), expanded=False) as status:
        plan = _plan(source, settings, upload, upload_name, scenario)
        status.update(label=t("common.done"), state="complete")
except (ValueError, forecast.DataError, RuntimeError) as exc:
    show_error(exc)
    st.stop()

s = plan.summary
m = st.columns(5)
m[0].metric(t("cap.m_cost"), fmt_kind(s["cost"], "int"))
m[1].metric(t("cap.m_hires"), fmt_kind(s["hires"], "int"))
m[2].metric(t("cap.m_short"), fmt_kind(s["weeks_short"], "int"))
m[3].metric(t("cap.m_sl"), fmt_kind(s["min_service_level"], "pct"))
m[4].metric(t("cap.m_backlog"), fmt_kind(s["peak_backlog"], "int"))
if s["weeks_short"]:
    st.warning(t("cap.status_short", weeks=s["weeks_short"], fte=s["fte_weeks_short"],
                                            first=fmt_date(s["first_week_short"], style="long")))
else:
    st.success(t("cap.status_ok", gap=0.0 if pd.isna(s["mip_gap"]) else s["mip_gap"]))

for g in s["groups"]:
    _group_chart(plan, g)

st.header(t("cap.latest_title"))
lt = plan.latest_start
st.table(pd.DataFrame({
    t("cap.group"): lt["group"].astype(str), t("cap.l_peak_week"): _dates(lt["peak_week"]),
    t("cap.l_peak"): [fmt_kind(v, "num1") for v in lt["peak_required"]], t("cap.l_latest"): _dates(lt["latest_start"]),
    t("cap.l_full"): _dates(lt["latest_full_start"]), t("cap.l_decide"): _dates(lt["decide_by"]),
    t("cap.l_in_time"): [t("common.yes") if v else t("common.no") for v in lt["in_time"]]}), hide_index=True)
st.header(t("cap.classes_title"))
cl = plan.classes
st.dataframe(pd.DataFrame({
    t("cap.group"): cl["group"].astype(str), t("cap.c_start"): _dates(cl["week"]),
    t("cap.c_size"): [fmt_kind(v, "int") for v in cl["size"]], t("cap.c_productive"): _dates(cl["productive_from"]),
    t("cap.c_full"): _dates(cl["full_from"]),
    t("cap.c_committed"): [t("common.yes") if v else t("common.no") for v in cl["committed"]]}),
    hide_index=True, key="cap_classes", width="stretch")

if plan.daily is not None:
    proc = plan.group("processing")
    frame = pd.DataFrame({"ds": proc["week"], "backlog": proc["backlog"], "past_standard": proc["past_standard"]})
    phones = plan.group("phones")
    charts.daily_lines(frame, {"backlog": t("cap.backlog"), "past_standard": t("cap.past_standard")},
                       title=t("cap.backlog_title"), key="cap_backlog", y_title=t("cap.applications"),
                       caption=t("cap.backlog_caption", backlog=s["peak_backlog"], late=s["peak_past_standard"],
                                                               calls=phones["calls"].sum(),
                                                               status=phones["status_calls"].sum()))
sl = plan.weeks[plan.weeks["service_level"].notna()]
if len(sl):
    frame = sl.pivot(index="week", columns="group", values="service_level").reset_index().rename(columns={"week": "ds"})
    cols = {g: g for g in frame.columns if g != "ds"}
    charts.daily_lines(frame, cols, title=t("cap.sl_title"), key="cap_sl", y_title=t("kpi.service_level"),
                       caption=t("cap.sl_caption", sl=sl["service_level"].min(), target=scenario.sl_target,
                                                          below=int((sl["service_level"] < scenario.sl_target - 1e-9)
                                                                    .sum())))

# ------------------------------------------------------------------------------------------- what-ifs
st.header(t("cap.whatif_title"))
w = st.columns(5)
surge = w[0].number_input(t("cap.w_surge"), 0, 200, 20, 5, key="cap_w_surge")
earlier = w[1].number_input(t("cap.w_earlier"), 0, 26, 4, 1, key="cap_w_earlier")
attrition = w[2].number_input(t("cap.w_attrition"), 0.0, 10.0, 2.0, 0.5, key="cap_w_attrition")
training = w[3].number_input(t("cap.w_training"), 0, 26, 2, 1, key="cap_w_training")
automation = w[4].number_input(t("cap.w_automation"), 0, 100, 20, 5, key="cap_w_automation")
changes = ({"surge": 1 + surge / 100.0}, {"earlier_weeks": int(earlier)}, {"attrition": float(attrition)},
           {"training_weeks_less": int(training)}, {"automation": automation / 100.0})
options = {simulate.export.what_if_label(change, lang()): change for change in changes}
# each what-if is a MILP of 1-3 s: the first load plans the base and the surge, the planner adds more
picked = st.multiselect(t("cap.whatif_pick"), list(options), default=list(options)[:1], key="cap_w_pick",
                        placeholder=t("common.choose"))
st.caption(t("cap.whatif_pick_caption"))
keep = st.toggle(t("cap.keep_hires"), value=False, key="cap_w_keep")
plans = {t("cap.w_base"): plan}
try:
    with st.spinner(t("cap.whatif_running")):
        for name in picked:
            plans[name] = _what_if(source, settings, upload, upload_name, scenario,
                                   json.dumps(options[name], sort_keys=True), keep)
except (ValueError, forecast.DataError, RuntimeError) as exc:
    show_error(exc)
comparison = cap.compare(plans)
rows = {"cost": "cap.i_cost", "hires": "cap.i_hires", "classes": "cap.i_classes", "peak_required": "cap.i_peak",
        "fte_weeks_short": "cap.i_short", "weeks_short": "cap.i_weeks_short", "first_week_short": "cap.i_first_short",
        "mean_service_level": "cap.i_mean_sl", "min_service_level": "cap.i_min_sl", "peak_backlog": "cap.i_backlog",
        "peak_past_standard": "cap.i_late"}


def _cell(key: str, v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "–"
    if isinstance(v, pd.Timestamp):
        return fmt_date(v, style="iso")
    if key.endswith("service_level"):
        return fmt_kind(v, "pct")
    return fmt_kind(v, "int") if isinstance(v, (int, float)) else str(v)


side = pd.DataFrame({t("cap.indicator"): [t(k) for k in rows.values()],
                     **{r["plan"]: [_cell(c, r[c]) for c in rows] for _, r in comparison.iterrows()}})
extra = [c for c in comparison.columns if c.startswith("latest_start_")]
for col in extra:
    side.loc[len(side)] = [t("cap.i_latest", group=col.removeprefix("latest_start_")),
                           *[_cell(col, v) for v in comparison[col]]]
st.table(side.set_index(t("cap.indicator")))
st.caption(t("cap.whatif_caption"))

# ------------------------------------------------------------------------------------------- downloads
st.header(t("cap.downloads"))
# deferred: each file is built when its button is pressed, not on every rerun
files = {k: partial(_download, source, settings, upload, upload_name, scenario,
                    tuple((n, json.dumps(options[n], sort_keys=True)) for n in picked), keep, lang(), k)
         for k in ("xlsx", "csv")}
d = st.columns(2)
d[0].download_button(t("cap.dl_excel"), data=files["xlsx"], file_name="capacity_plan.xlsx", key="cap_dl_excel",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")
d[1].download_button(t("cap.dl_csv"), data=files["csv"], file_name=f"capacity_{t('export.file.weeks')}.csv",
                     mime="text/csv",
                     key="cap_dl_csv", on_click="ignore")
st.caption(t("cap.downloads_caption"))
