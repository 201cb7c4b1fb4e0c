"""Scenarios page: the scenarios side by side as editable columns, with add, copy, rename, delete,
upload of a scenario file, and each scenario's headline KPIs under its column.

Each column has the scenario's *staffing rule* (who is on duty: sized to the target, relative to
another scenario, a constant, a weekly pattern or an uploaded table), re-evaluated on the current
demand, and its *policy* (handle time, patience, lines, IVR, callbacks, targets, costs).

Widget keys are ``<field>_<uid>`` (``stkind_0``, ``aht_1``...): stable while scenarios are edited,
added or deleted. The entries in session state are the source of truth; a widget that was cleaned
up by a page switch is re-created from them.
"""
from __future__ import annotations

import streamlit as st

import simulate

from app_pages import state
from app_pages.i18n import t
from app_pages.ui import fmt_metric, show_error

MAX_SCENARIOS = state.MAX_SCENARIOS
_STAFF_FIELDS = ("stkind", "stmethod", "stbase", "stpct", "stagents", "stpattern")

# widget field -> (Scenario field, widget -> model, model -> widget)
_PCT = (lambda v: float(v) / 100.0, lambda m: round(float(m) * 100.0, 1))
_NONE0 = (lambda v: None if not v else float(v), lambda m: 0.0 if m is None else float(m))
_FIELDS = {
    "aht": ("aht", float, float),
    "patience": ("patience", *_NONE0),
    "lines": ("lines", lambda v: None if not v else int(v), lambda m: 0 if m is None else int(m)),
    "redial": ("redial_prob", *_PCT),
    "ivr": ("ivr_containment", *_PCT),
    "ivrfactor": ("residual_aht_factor", float, float),
    "cbthr": ("callback_threshold", *_NONE0),
    "cbaccept": ("callback_accept", *_PCT),
    "shrink": ("shrinkage", *_PCT),
    "slthr": ("sl_threshold", float, float),
    "sltgt": ("sl_target", *_PCT),
    "cost": ("hourly_cost", float, float),
}


def _key(field: str, uid: int) -> str:
    return f"{field}_{uid}"


def _staff_value(field: str, e: dict) -> object:
    rule = state.describe_rule(e["staffing"])
    if field == "stkind":
        return rule["kind"]
    if field == "stmethod":
        return rule.get("method", "erlang_a")
    if field == "stbase":
        others = [x["uid"] for x in state.entries() if x["uid"] != e["uid"]]
        return rule.get("base", others[0] if others else e["uid"])
    if field == "stpct":
        return round((rule.get("factor", 1.0) - 1.0) * 100.0, 1)
    if field == "stagents":
        return rule.get("agents", 40)
    if field == "stpattern":
        pattern = rule.get("pattern") or {"Mon-Fri 08:00-20:00": 40}
        return "\n".join(f"{k}={v}" for k, v in pattern.items())
    raise KeyError(field)


def _widget_value(field: str, scenario) -> object:
    if field == "name":
        return scenario.name
    if field == "cbon":
        return scenario.callback_threshold is not None
    name, _, to_widget = _FIELDS[field]
    value = getattr(scenario, name)
    if field == "cbthr" and value is None:
        return 120.0
    return to_widget(value)


def _init(field: str, uid: int, scenario) -> str:
    key = _key(field, uid)
    if key not in st.session_state:
        st.session_state[key] = (_staff_value(field, state.entry(uid)) if field in _STAFF_FIELDS
                                 else _widget_value(field, scenario))
    return key


def _forget_widgets(uid: int) -> None:
    for field in ("name", "cbon", *_FIELDS, *_STAFF_FIELDS):
        st.session_state.pop(_key(field, uid), None)


def _staffing_changed(uid: int) -> None:
    """Widget callback: build the scenario's staffing rule from its staffing widgets."""
    ss = st.session_state
    kind = ss[_key("stkind", uid)]
    try:
        if kind == "sized":
            rule = {"sized": ss.get(_key("stmethod", uid), "erlang_a")}
        elif kind == "relative":
            others = [e["uid"] for e in state.entries() if e["uid"] != uid]
            if not others:
                raise ValueError(t("scen.no_base"))
            base = ss.get(_key("stbase", uid))
            base = base if base in others else others[0]
            rule = {"relative_to": int(base), "factor": 1.0 + float(ss.get(_key("stpct", uid), 0.0)) / 100.0}
        elif kind == "agents":
            rule = {"agents": int(ss.get(_key("stagents", uid), 40))}
        elif kind == "pattern":
            text = str(ss.get(_key("stpattern", uid), ""))
            rule = simulate.StaffingPlan.parse(text.replace("\n", ";")).to_dict()
            if "pattern" not in rule:
                raise ValueError(t("scen.pattern_help"))
        else:  # an uploaded table keeps the table it has; a new one comes from the uploader
            current = state.entry(uid)["staffing"]
            if "table" not in current:
                ss[f"err_{uid}"] = t("scen.table_needed")
                return
            rule = current
        state.set_staffing(uid, rule)
    except ValueError as exc:
        ss[f"err_{uid}"] = str(exc)
        return
    ss.pop(f"err_{uid}", None)


def _table_uploaded(uid: int) -> None:
    file = st.session_state.get(_key("sttable", uid))
    if file is None:
        return
    try:
        rule = state.staffing_table_from_upload(file.name, file.getvalue())
        state.set_staffing(uid, rule)
    except ValueError as exc:
        st.session_state[f"err_{uid}"] = str(exc)
        return
    st.session_state[_key("stkind", uid)] = "table"
    st.session_state.pop(f"err_{uid}", None)


def _changed(uid: int, field: str) -> None:
    """Widget callback: write the widget's value into the scenario (validated by Scenario)."""
    ss = st.session_state
    e = state.entry(uid)
    sc = e["scenario"]
    value = ss[_key(field, uid)]
    try:
        if field == "name":
            new = sc.replace(name=state.unique_name(str(value).strip() or sc.name, exclude_uid=uid))
            ss[_key(field, uid)] = new.name
            e["label"] = None  # renamed: the planner's own name, in every language
        elif field == "cbon":
            new = sc.replace(callback_threshold=float(ss.get(_key("cbthr", uid), 120.0)) if value else None)
        elif field == "cbthr":
            new = sc.replace(callback_threshold=float(value)) if sc.callback_threshold is not None else sc
        else:
            name, to_model, _ = _FIELDS[field]
            new = sc.replace(**{name: to_model(value)})
    except ValueError as exc:
        ss[f"err_{uid}"] = str(exc)
        return
    ss.pop(f"err_{uid}", None)
    state.set_scenario(uid, new)


def _copy(uid: int) -> None:
    e = state.entry(uid)
    name = f"{state.display_name(e)} {t('scen.copy_suffix')}"
    state.add_scenario(e["scenario"].replace(name=name), staffing=e["staffing"])


def _delete(uid: int) -> None:
    state.remove_scenario(uid)
    _forget_widgets(uid)
    for e in state.entries():  # rules that pointed at it changed: rebuild their widgets
        for field in _STAFF_FIELDS:
            st.session_state.pop(_key(field, e["uid"]), None)
    st.session_state.pop(f"err_{uid}", None)


def _add() -> None:
    """A new scenario from the baseline defaults (the first ready scenario's policy), sized to the target."""
    base = state.default_scenarios()[0]
    state.add_scenario(base.replace(name=t("scen.new_name")), staffing={"sized": "erlang_a"})


def _reset() -> None:
    for e in list(state.entries()):
        _forget_widgets(e["uid"])
        st.session_state.pop(f"err_{e['uid']}", None)
    state.load_ready()


def _uploaded_scenario() -> None:
    file = st.session_state.get("scenario_upload")
    if file is None:
        return
    try:
        sc = state.scenario_from_upload(file.name, file.getvalue())
    except ValueError as exc:
        st.session_state["scenario_upload_error"] = f"{file.name}: {exc}"
        return
    st.session_state.pop("scenario_upload_error", None)
    state.add_scenario(sc)


def _staffing_widgets(e: dict, results: dict) -> None:
    """The scenario's staffing rule: kind, then the rule's own parameters; a caption with its agent-hours."""
    uid, sc = e["uid"], e["scenario"]
    names = {x["uid"]: state.display_name(x) for x in state.entries()}
    st.selectbox(t("scen.staffing"), state.STAFFING_KINDS, key=_init("stkind", uid, sc),
                 format_func=lambda k: t(f"scen.kind_{k}"), on_change=_staffing_changed, args=(uid,),
                 help=t("scen.staffing_help"))
    kind = st.session_state[_key("stkind", uid)]
    if kind == "sized":
        st.selectbox(t("scen.st_method"), state.STAFF_METHODS, key=_init("stmethod", uid, sc),
                     format_func=lambda m: t(f"staff.m_{m}"), on_change=_staffing_changed, args=(uid,))
    elif kind == "relative":
        others = [u for u in names if u != uid]
        if others:
            if st.session_state.get(_key("stbase", uid)) not in others:
                st.session_state[_key("stbase", uid)] = others[0]
            st.selectbox(t("scen.st_base"), others, key=_key("stbase", uid), format_func=lambda u: names[u],
                         on_change=_staffing_changed, args=(uid,))
            st.number_input(t("scen.st_pct"), min_value=-100.0, max_value=500.0, step=5.0, format="%.0f",
                            key=_init("stpct", uid, sc), on_change=_staffing_changed, args=(uid,),
                            help=t("scen.st_pct_help"))
        else:
            st.caption(t("scen.no_base"))
    elif kind == "agents":
        st.number_input(t("scen.st_agents"), min_value=0, max_value=100_000, step=1, key=_init("stagents", uid, sc),
                        on_change=_staffing_changed, args=(uid,))
    elif kind == "pattern":
        st.text_area(t("scen.st_pattern"), key=_init("stpattern", uid, sc), on_change=_staffing_changed, args=(uid,),
                     help=t("scen.pattern_help"), height=90)
    else:
        st.file_uploader(t("scen.st_table"), type=["csv", "xlsx"], key=_key("sttable", uid),
                         on_change=_table_uploaded, args=(uid,), help=t("scen.st_table_help"))
    res = results.get(sc.name)
    if res is not None:
        hours = float(res.intervals["agents"].sum()) * res.interval_s / 3600.0
        st.caption(t("scen.staffing_caption").format(peak=int(res.intervals["agents"].max()), hours=hours))


def _column(e: dict, results: dict) -> None:
    uid, sc = e["uid"], e["scenario"]
    st.text_input(t("scen.name"), key=_init("name", uid, sc), on_change=_changed, args=(uid, "name"),
                  help=t("scen.name_help"))
    _staffing_widgets(e, results)
    st.number_input(t("scen.aht"), min_value=1.0, max_value=36_000.0, step=10.0, format="%.0f", key=_init("aht", uid, sc),
                    on_change=_changed, args=(uid, "aht"), help=t("scen.aht_help"))
    st.number_input(t("scen.patience"), min_value=0.0, max_value=36_000.0, step=10.0,
                    format="%.0f", key=_init("patience", uid, sc), on_change=_changed, args=(uid, "patience"),
                    help=t("scen.patience_help"))
    st.number_input(t("scen.lines"), min_value=0, max_value=1_000_000, step=10, key=_init("lines", uid, sc),
                    on_change=_changed, args=(uid, "lines"), help=t("scen.lines_help"))
    st.number_input(t("scen.redial"), min_value=0.0, max_value=100.0, step=5.0, format="%.0f", key=_init("redial", uid, sc),
                    on_change=_changed, args=(uid, "redial"), help=t("scen.redial_help"))
    st.number_input(t("scen.ivr"), min_value=0.0, max_value=100.0, step=5.0, format="%.0f", key=_init("ivr", uid, sc),
                    on_change=_changed, args=(uid, "ivr"), help=t("scen.ivr_help"))
    st.number_input(t("scen.ivrfactor"), min_value=0.1, max_value=5.0, step=0.05, format="%.2f", key=_init("ivrfactor", uid, sc),
                    on_change=_changed, args=(uid, "ivrfactor"), help=t("scen.ivrfactor_help"))
    st.checkbox(t("scen.cbon"), key=_init("cbon", uid, sc), on_change=_changed, args=(uid, "cbon"),
                help=t("scen.cbon_help"))
    if sc.callback_threshold is not None:
        st.number_input(t("scen.cbthr"), min_value=0.0, max_value=36_000.0, step=30.0, format="%.0f", key=_init("cbthr", uid, sc),
                        on_change=_changed, args=(uid, "cbthr"), help=t("scen.cbthr_help"))
        st.number_input(t("scen.cbaccept"), min_value=0.0, max_value=100.0, step=5.0,
                        format="%.0f", key=_init("cbaccept", uid, sc), on_change=_changed, args=(uid, "cbaccept"),
                        help=t("scen.cbaccept_help"))
    st.number_input(t("scen.shrink"), min_value=0.0, max_value=95.0, step=1.0, format="%.0f", key=_init("shrink", uid, sc),
                    on_change=_changed, args=(uid, "shrink"), help=t("scen.shrink_help"))
    st.number_input(t("scen.slthr"), min_value=0.0, max_value=36_000.0, step=5.0, format="%.0f", key=_init("slthr", uid, sc),
                    on_change=_changed, args=(uid, "slthr"), help=t("scen.slthr_help"))
    st.number_input(t("scen.sltgt"), min_value=0.0, max_value=100.0, step=1.0, format="%.0f", key=_init("sltgt", uid, sc),
                    on_change=_changed, args=(uid, "sltgt"), help=t("scen.sltgt_help"))
    st.number_input(t("scen.cost"), min_value=0.0, max_value=10_000.0, step=1.0, format="%.2f", key=_init("cost", uid, sc),
                    on_change=_changed, args=(uid, "cost"), help=t("scen.cost_help"))
    b1, b2 = st.columns(2)
    b1.button(t("scen.copy"), key=f"copy_{uid}", on_click=_copy, args=(uid,),
              disabled=len(state.entries()) >= MAX_SCENARIOS, width="stretch")
    b2.button(t("scen.delete"), key=f"delete_{uid}", on_click=_delete, args=(uid,),
              disabled=len(state.entries()) <= 1, width="stretch")
    if f"err_{uid}" in st.session_state:
        st.error(t("scen.invalid").format(msg=st.session_state[f"err_{uid}"]))


def _kpis(e: dict, results: dict, errors: dict) -> None:
    """The scenario's headline KPIs (mean and 95% interval), above its parameters."""
    uid, sc = e["uid"], e["scenario"]
    st.markdown(f"**{state.display_name(e)}**")
    if uid in errors:
        st.error(t("scen.cannot_simulate").format(msg=errors[uid]))
    elif sc.name in results:
        res = results[sc.name]
        for metric in ("service_level", "abandon_rate", "asa_s", "got_through_rate"):
            mean, ci = fmt_metric(res, metric, split=True)
            st.metric(t(f"kpi.{metric}"), mean, help=t("scen.ci_help").format(ci=ci or mean))


st.title(t("scen.title"))
st.write(t("scen.intro"))
top = st.columns([1, 1, 2])
top[0].button(t("scen.add"), key="add_scenario", on_click=_add, disabled=len(state.entries()) >= MAX_SCENARIOS,
              width="stretch")
top[1].button(t("scen.reset"), key="reset_scenarios", on_click=_reset, width="stretch")
with top[2]:
    st.file_uploader(t("scen.upload"), type=["toml", "json"], key="scenario_upload", on_change=_uploaded_scenario,
                     help=t("scen.upload_help"))
if st.session_state.get("scenario_upload_error"):
    st.error(t("scen.upload_error").format(msg=st.session_state["scenario_upload_error"]))
if st.session_state.get("url_error"):
    st.warning(t("scen.url_error").format(msg=st.session_state["url_error"]))

try:
    with st.spinner(t("common.simulating")):
        results, failed = state.results()
except ValueError as exc:  # the demand itself could not be built (bad upload, forecast error)
    show_error(exc)
    results, failed = {}, []
errors = {f.uid: f.message for f in failed}
items = list(state.entries())
with st.container(border=True):
    for col, e in zip(st.columns(len(items)), items):
        with col:
            _kpis(e, results, errors)
    st.caption(t("scen.kpi_caption").format(reps=state.REPLICATIONS, seed=state.SEED))
for col, e in zip(st.columns(len(items)), items):
    with col:
        _column(e, results)
