"""Scenarios page: the scenarios side by side, their inputs grouped in tabs and aligned row by row
across scenarios, with add, copy, rename, delete, upload of a scenario file, and each scenario's
headline KPIs in one table at the top.

Each scenario has a *staffing rule* (who is on duty: sized to the target, relative to another
scenario, a constant, a weekly pattern or an uploaded table), re-evaluated on the current demand,
and a *policy* (handle time, patience and redials, lines and IVR, callbacks, targets and costs).

Layout: one grid per tab, a first column with the input's name and help, then one column per
scenario, so a row holds the same input for every scenario (up to 6 fit at 1280 px). Every widget's
own label (collapsed) names its scenario, e.g. "Average handle time (s) — Current staffing", so a
screen-reader user knows which scenario an input belongs to.

Widget keys are ``<field>_<uid>`` (``stkind_0``, ``aht_1``...): stable while scenarios are edited,
added or deleted. The entries in session state are the source of truth; a widget that was cleaned
up by a page switch is re-created from them.
"""
from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

import simulate
from app_pages import state
from app_pages.i18n import t
from app_pages.ui import fmt_kind, fmt_metric, group_name, lang_name, md, md_label, show_error

MAX_SCENARIOS = state.MAX_SCENARIOS
FIELDS = state.FIELDS
_STAFF_FIELDS = ("stkind", "stmethod", "stbase", "stpct", "stagents", "stpattern")
#: the bilingual policy's agent groups the page edits, in its order (English-only, French-only, bilingual)
_GROUPS = ("en", "fr", "bilingual")
_GROUP_FIELDS = tuple(f"stgroup_{g}" for g in _GROUPS)
_LANG_FIELDS = ("bil", "bilpick", "bilover", *(f"gcost_{g}" for g in _GROUPS))
#: who a bilingual agent answers first (Scenario.pick and the call types' priority)
PICKS = ("fr_first", "en_first", "oldest")
_NUMBER_FORMAT = {"s": "%.0f", "s0": "%.0f", "pct": "%.0f", "int": "%d", "int0": "%d", "x": "%.2f", "h": "%.1f",
                  "money": "%.2f"}


# ----------------------------------------------------------------------------- model <-> widget
def _to_widget(field: str, value):
    attr, unit, lo, hi, _step, _group = FIELDS[field]
    if value is None:
        if field == "cbthr":
            return 120.0
        return 0 if unit in ("int", "int0") else 0.0
    if unit == "pct":
        return round(float(value) * 100.0, 1)
    if unit in ("int", "int0"):
        return int(value)
    return float(value)


def _to_model(field: str, value):
    attr, unit, lo, hi, _step, _group = FIELDS[field]
    if unit == "pct":
        return float(value) / 100.0
    if unit == "s0":
        return None if not value else float(value)
    if unit == "int0":
        return None if not value else int(value)
    if unit == "int":
        return int(value)
    return float(value)


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
    if field.startswith("stgroup_"):
        group = field.removeprefix("stgroup_")
        sub = (rule.get("groups") or {}).get(group)
        if isinstance(sub, dict) and "pattern" in sub:
            return "; ".join(f"{k}={v}" for k, v in sub["pattern"].items())
        if isinstance(sub, dict) and "agents" in sub:
            return str(int(sub["agents"]))
        if isinstance(sub, (int, float)):
            return str(int(sub))
        return str(_typical_agents(e, group))
    raise KeyError(field)


def _typical_agents(e: dict, group: str) -> int:
    """A starting number of agents for a group: its mean over the open intervals under the
    scenario's current staffing (0 when that cannot be evaluated)."""
    try:
        spec, data = state.demand_spec(), state.upload_bytes()
        frame = state.group_frame_of(spec, data, e["scenario"], state.plan_for(e["uid"]))
        d = state.current_demand()
        part = frame[frame["group"] == group]["agents"].to_numpy()[: len(d)]
        open_ = d.calls[: len(part)] > 0
        return round(float(part[open_].mean())) if open_.any() else 0
    except (ValueError, KeyError):
        return 0


def _lang_value(field: str, scenario) -> object:
    """The languages tab's widgets from the scenario."""
    if field == "bil":
        return bool(scenario.agent_groups)
    if field == "bilpick":
        if scenario.pick == "oldest" or not state.is_bilingual(scenario):
            return "oldest"
        english, french = state.language_types()
        prio = {t.name: t.priority for t in scenario.call_types}
        return "fr_first" if prio[french] < prio[english] else "en_first" if prio[english] < prio[french] \
            else "oldest"
    if field == "bilover":
        return float(scenario.overflow_after or 0.0)
    if field.startswith("gcost_"):
        group = next((g for g in scenario.agent_groups if g.name == field.removeprefix("gcost_")), None)
        cost = scenario.hourly_cost if group is None or group.hourly_cost is None else group.hourly_cost
        return float(cost)
    raise KeyError(field)


def _widget_value(field: str, scenario) -> object:
    if field == "name":
        return scenario.name
    if field == "cbon":
        return scenario.callback_threshold is not None
    return _to_widget(field, getattr(scenario, FIELDS[field][0]))


def _init(field: str, uid: int, scenario) -> str:
    key = _key(field, uid)
    if key not in st.session_state:
        st.session_state[key] = (_staff_value(field, state.entry(uid))
                                 if field in _STAFF_FIELDS or field.startswith("stgroup_")
                                 else _lang_value(field, scenario)
                                 if field in _LANG_FIELDS or field.startswith("gcost_")
                                 else _widget_value(field, scenario))
    return key


def _forget_widgets(uid: int, fields: tuple[str, ...] | None = None) -> None:
    """Drop the widgets' values of a scenario (all of them, or ``fields``; "stgroup_" and "gcost_"
    stand for every agent group's), so they are drawn again from the scenario."""
    fields = fields or ("name", "cbon", *FIELDS, *_STAFF_FIELDS, *_LANG_FIELDS, "stgroup_", "gcost_")
    suffix = f"_{uid}"
    for key in [k for k in st.session_state if isinstance(k, str) and k.endswith(suffix)]:
        field = key[: -len(suffix)]
        if field in fields or any(field.startswith(f) for f in fields if f.endswith("_")):
            st.session_state.pop(key, None)


# ----------------------------------------------------------------------------- callbacks
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
            bad = state.out_of_range(state.entry(uid)["scenario"], rule)
            if bad:
                raise ValueError(t("door.agents_range", max=state.AGENTS_RANGE[1]))
        elif kind == "groups":
            groups = {}
            for g in state.entry(uid)["scenario"].group_names:
                key = _key(f"stgroup_{g}", uid)
                if key not in ss:
                    _init(f"stgroup_{g}", uid, state.entry(uid)["scenario"])
                text = str(ss.get(key, "0")).strip() or "0"
                sub = simulate.StaffingPlan.parse(text.replace("\n", ";")).to_dict()
                if not ({"agents", "pattern"} & set(sub)):
                    raise ValueError(t("scen.group_rule_help", group=t(f"lang.group_{g}") if g in _GROUPS else g))
                groups[g] = sub
            rule = {"groups": groups}
            if state.out_of_range(state.entry(uid)["scenario"], rule):
                raise ValueError(t("door.agents_range", max=state.AGENTS_RANGE[1]))
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
            name = str(value).strip()[:state.limits.MAX_NAME_LENGTH]
            if not name or name == state.display_name(e):  # unchanged (a ready scenario keeps both names)
                ss[_key(field, uid)] = state.display_name(e)
                return
            new = sc.replace(name=state.unique_name(name, exclude_uid=uid))
            ss[_key(field, uid)] = new.name
            e["label"] = None  # renamed: the planner's own name, in every language
        elif field == "cbon":
            new = sc.replace(callback_threshold=float(ss.get(_key("cbthr", uid), 120.0)) if value else None)
        elif field == "cbthr":
            new = sc.replace(callback_threshold=float(value)) if sc.callback_threshold is not None else sc
        else:
            new = sc.replace(**{FIELDS[field][0]: _to_model(field, value)})
    except ValueError as exc:
        ss[f"err_{uid}"] = str(exc)
        return
    ss.pop(f"err_{uid}", None)
    state.set_scenario(uid, new)


def _copy(uid: int) -> None:
    e = state.entry(uid)
    name = f"{state.display_name(e)} {t('scen.copy_suffix')}"
    state.add_scenario(e["scenario"].replace(name=name[:state.limits.MAX_NAME_LENGTH]), staffing=e["staffing"])


def _delete(uid: int) -> None:
    state.remove_scenario(uid)
    _forget_widgets(uid)
    for e in state.entries():  # rules that pointed at it changed: rebuild their widgets
        _forget_widgets(e["uid"], (*_STAFF_FIELDS, "stgroup_"))
    st.session_state.pop(f"err_{uid}", None)


def _add() -> None:
    """A new scenario from the baseline defaults (the first ready scenario's policy as shipped, not
    as edited), sized to the target."""
    base = state.default_scenarios()[0]
    state.add_scenario(base.replace(name=t("scen.new_name")), staffing={"sized": "erlang_a"})


def _add_bilingual() -> None:
    """The bundled bilingual policy (English-only, French-only and bilingual agents, French first at
    bilingual agents) with the planner's share of French callers, sized to the target."""
    state.add_bilingual()


# ----------------------------------------------------------------------------- both languages
def _rule_for_groups(uid: int, groups: bool) -> None:
    """After languages are turned on or off: a staffing rule that cannot staff the scenario any
    more becomes "sized to the target" (one-pool rules cannot staff agent groups, and rules per
    group need groups)."""
    e = state.entry(uid)
    kind = state.describe_rule(e["staffing"])["kind"]
    if (groups and kind in ("agents", "pattern", "table")) or (not groups and kind == "groups"):
        e["staffing"] = {"sized": "erlang_a"}
    _forget_widgets(uid, (*_STAFF_FIELDS, "stgroup_"))


def _languages_changed(uid: int) -> None:
    ss = st.session_state
    e = state.entry(uid)
    on = bool(ss[_key("bil", uid)])
    try:
        new = state.with_languages(e["scenario"], state.french_share()) if on else state.one_line(e["scenario"])
    except ValueError as exc:
        ss[f"err_{uid}"] = str(exc)
        return
    ss.pop(f"err_{uid}", None)
    state.set_scenario(uid, new)
    _rule_for_groups(uid, on)
    _forget_widgets(uid, _LANG_FIELDS + ("gcost_",))


def _pick_changed(uid: int) -> None:
    """Who a bilingual agent answers first: French callers, English callers (the call types'
    priority), or whoever has waited longest (pick = "oldest")."""
    ss = st.session_state
    sc = state.entry(uid)["scenario"]
    choice = ss[_key("bilpick", uid)]
    if choice == "oldest":
        new = sc.replace(pick="oldest")
    else:
        first = state.language_types()[1] if choice == "fr_first" else state.language_types()[0]
        types = tuple(dataclasses.replace(ct, priority=0 if ct.name == first else 1) for ct in sc.call_types)
        new = sc.replace(pick="priority", call_types=types)
    state.set_scenario(uid, new)


def _overflow_changed(uid: int) -> None:
    ss = st.session_state
    value = float(ss[_key("bilover", uid)] or 0.0)
    try:
        state.set_scenario(uid, state.entry(uid)["scenario"].replace(overflow_after=value or None))
    except ValueError as exc:
        ss[f"err_{uid}"] = str(exc)
        return
    ss.pop(f"err_{uid}", None)


def _group_cost_changed(uid: int, group: str) -> None:
    ss = st.session_state
    sc = state.entry(uid)["scenario"]
    value = float(ss[_key(f"gcost_{group}", uid)])
    groups = tuple(dataclasses.replace(g, hourly_cost=value) if g.name == group else g for g in sc.agent_groups)
    try:
        state.set_scenario(uid, sc.replace(agent_groups=groups))
    except ValueError as exc:
        ss[f"err_{uid}"] = str(exc)
        return
    ss.pop(f"err_{uid}", None)


def _reset() -> None:
    for e in list(state.entries()):
        _forget_widgets(e["uid"])
        st.session_state.pop(f"err_{e['uid']}", None)
    state.load_ready()


def _uploaded_scenario() -> None:
    file = st.session_state.get("scenario_upload")
    if file is None:
        return
    if len(state.entries()) >= MAX_SCENARIOS:
        st.session_state["scenario_upload_error"] = t("scen.full", n=MAX_SCENARIOS)
        return
    try:
        sc = state.scenario_from_upload(file.name, file.getvalue())
    except ValueError as exc:
        st.session_state["scenario_upload_error"] = str(exc)
        return
    st.session_state.pop("scenario_upload_error", None)
    state.add_scenario(sc)


# ----------------------------------------------------------------------------- the grid
def _label(text: str, name: str) -> str:
    """A widget's own label: the input and the scenario it belongs to (read by screen readers)."""
    return f"{text} — {md_label(name)}"


def _row(label_key: str, items: list[dict], help_key: str | None = None):
    """A grid row: the input's name (with its help) in the first column; yields (column, entry)."""
    cols = st.columns([1.25] + [1] * len(items), gap="small", vertical_alignment="center")
    cols[0].markdown(t(label_key), help=t(help_key) if help_key else None)
    return list(zip(cols[1:], items))


def _number(field: str, e: dict, *, disabled: bool = False) -> None:
    uid, sc = e["uid"], e["scenario"]
    attr, unit, lo, hi, step, _group = FIELDS[field]
    key = _init(field, uid, sc)
    if unit in ("int", "int0"):
        lo, hi, step = int(lo), int(hi), int(step)
    else:
        lo, hi, step = (float(lo) * 100, float(hi) * 100, float(step)) if unit == "pct" else (float(lo), float(hi),
                                                                                             float(step))
    st.number_input(_label(t(f"scen.{field}"), state.display_name(e)), min_value=lo, max_value=hi, step=step,
                    format=_NUMBER_FORMAT[unit], key=key, on_change=_changed, args=(uid, field),
                    label_visibility="collapsed", disabled=disabled)


def _staffing_rows(items: list[dict], results: dict) -> None:
    names = {x["uid"]: state.display_name(x) for x in state.entries()}
    for col, e in _row("scen.staffing", items, "scen.staffing_help"):
        uid, sc = e["uid"], e["scenario"]
        kinds = state.GROUP_STAFFING_KINDS if len(sc.agent_groups) > 1 else state.STAFFING_KINDS
        key = _init("stkind", uid, sc)
        if st.session_state[key] not in kinds:  # a rule the scenario's agents cannot take any more
            st.session_state[key] = kinds[0]
        with col:
            st.selectbox(_label(t("scen.staffing"), names[uid]), kinds, key=key,
                         format_func=lambda k: t(f"scen.kshort_{k}"), on_change=_staffing_changed, args=(uid,),
                         label_visibility="collapsed", placeholder=t("common.choose"))
    for col, e in _row("scen.rule_detail", items, "scen.rule_detail_help"):
        uid, sc = e["uid"], e["scenario"]
        kind = st.session_state[_key("stkind", uid)]
        with col:
            if kind == "sized":
                st.selectbox(_label(t("scen.st_method"), names[uid]), state.STAFF_METHODS,
                             key=_init("stmethod", uid, sc), format_func=lambda m: t(f"staff.mshort_{m}"),
                             on_change=_staffing_changed, args=(uid,), label_visibility="collapsed",
                             placeholder=t("common.choose"))
            elif kind == "relative":
                others = [u for u in names if u != uid]
                if others:
                    if st.session_state.get(_key("stbase", uid)) not in others:
                        st.session_state[_key("stbase", uid)] = others[0]
                    st.selectbox(_label(t("scen.st_base"), names[uid]), others, key=_key("stbase", uid),
                                 format_func=lambda u: names[u], on_change=_staffing_changed, args=(uid,),
                                 label_visibility="collapsed", placeholder=t("common.choose"))
                else:
                    st.caption(t("scen.no_base"))
            elif kind == "agents":
                st.number_input(_label(t("scen.st_agents"), names[uid]), min_value=state.AGENTS_RANGE[0],
                                max_value=state.AGENTS_RANGE[1], step=1, key=_init("stagents", uid, sc),
                                on_change=_staffing_changed, args=(uid,), label_visibility="collapsed")
            elif kind == "pattern":
                st.text_area(_label(t("scen.st_pattern"), names[uid]), key=_init("stpattern", uid, sc),
                             on_change=_staffing_changed, args=(uid,), height=90, label_visibility="collapsed")
            elif kind == "groups":
                for g in sc.group_names:  # one rule per agent group: a number or a weekly pattern
                    st.caption(group_name(g), help=t("scen.group_rule_input_help"))
                    st.text_input(_label(group_name(g), names[uid]), key=_init(f"stgroup_{g}", uid, sc),
                                  on_change=_staffing_changed, args=(uid,), label_visibility="collapsed")
            else:
                st.file_uploader(_label(t("scen.st_table"), names[uid]), type=["csv", "xlsx"],
                                 key=_key("sttable", uid), on_change=_table_uploaded, args=(uid,),
                                 label_visibility="collapsed")
    if any(st.session_state[_key("stkind", e["uid"])] == "relative" for e in items):
        for col, e in _row("scen.st_pct", items, "scen.st_pct_help"):
            uid, sc = e["uid"], e["scenario"]
            with col:
                if st.session_state[_key("stkind", uid)] == "relative" and len(names) > 1:
                    st.number_input(_label(t("scen.st_pct"), names[uid]), min_value=-100.0, max_value=500.0,
                                    step=5.0, format="%.0f", key=_init("stpct", uid, sc), on_change=_staffing_changed,
                                    args=(uid,), label_visibility="collapsed")
                else:
                    st.markdown("–")
    for col, e in _row("scen.on_demand", items, "scen.on_demand_help"):
        res = results.get(e["scenario"].name)
        with col:
            if res is not None:
                hours = float(res.intervals["agents"].sum()) * res.interval_s / 3600.0
                st.markdown(t("scen.staffing_short", peak=int(res.intervals["agents"].max()), hours=hours))
                if res.by_group is not None:
                    st.caption("; ".join(t("scen.group_hours", group=group_name(str(r["group"])),
                                           hours=r["agent_hours"])
                                         for _, r in res.by_group.iterrows()))
            else:
                st.markdown("–")


def _language_rows(items: list[dict]) -> None:
    """Both official languages: English-only, French-only and bilingual agents, who bilingual agents
    answer first, when they help, and what each group costs."""
    for col, e in _row("scen.bil", items, "scen.bil_help"):
        uid, sc = e["uid"], e["scenario"]
        with col:
            if state.editable_languages(sc):
                st.checkbox(_label(t("scen.bil"), state.display_name(e)), key=_init("bil", uid, sc),
                            on_change=_languages_changed, args=(uid,), label_visibility="collapsed")
            else:
                st.caption(t("scen.groups_from_file", groups=md(", ".join(
                    f"{g.name} ({'/'.join(g.skills)})" for g in sc.agent_groups) or "–")))

    def editable(e: dict) -> bool:
        return len(e["scenario"].agent_groups) > 1 and state.editable_languages(e["scenario"])

    for col, e in _row("scen.bilpick", items, "scen.bilpick_help"):
        uid, sc = e["uid"], e["scenario"]
        with col:
            if editable(e):
                st.selectbox(_label(t("scen.bilpick"), state.display_name(e)), PICKS, key=_init("bilpick", uid, sc),
                             format_func=lambda k: t(f"scen.pick_{k}"), on_change=_pick_changed, args=(uid,),
                             label_visibility="collapsed", placeholder=t("common.choose"))
            else:
                st.markdown("–")
    for col, e in _row("scen.bilover", items, "scen.bilover_help"):
        uid, sc = e["uid"], e["scenario"]
        with col:
            if editable(e):
                st.number_input(_label(t("scen.bilover"), state.display_name(e)), min_value=0.0,
                                max_value=float(state.limits.MAX_PATIENCE_S), step=10.0, format="%.0f",
                                key=_init("bilover", uid, sc), on_change=_overflow_changed, args=(uid,),
                                label_visibility="collapsed")
            else:
                st.markdown("–")
    for g in _GROUPS:
        for col, e in _row(f"scen.gcost_{g}", items, "scen.gcost_help"):
            uid, sc = e["uid"], e["scenario"]
            with col:
                if editable(e) and g in sc.group_names:
                    st.number_input(_label(t(f"scen.gcost_{g}"), state.display_name(e)), min_value=0.0,
                                    max_value=10_000.0, step=1.0, format="%.2f", key=_init(f"gcost_{g}", uid, sc),
                                    on_change=_group_cost_changed, args=(uid, g), label_visibility="collapsed")
                else:
                    st.markdown("–")
    try:
        split = state.language_share(state.demand_spec(), state.upload_bytes())
    except ValueError:
        split = None
    text = (t("scen.french_share_value", share=state.french_share()) if split is None
            else t("scen.french_share_series", share=float(split.mean()) if len(split) else 0.0))
    for col, e in _row("scen.french_share", items, "scen.french_share_help"):
        with col:
            st.markdown(text if state.is_bilingual(e["scenario"]) else "–")


def _group_rows(group: str, items: list[dict]) -> None:
    if group == "callbacks":
        for col, e in _row("scen.cbon", items, "scen.cbon_help"):
            with col:
                st.checkbox(_label(t("scen.cbon"), state.display_name(e)), key=_init("cbon", e["uid"], e["scenario"]),
                            on_change=_changed, args=(e["uid"], "cbon"), label_visibility="collapsed")
    for field, spec in FIELDS.items():
        if spec[5] != group:
            continue
        for col, e in _row(f"scen.{field}", items, f"scen.{field}_help"):
            with col:
                off = field in ("cbthr", "cbaccept") and e["scenario"].callback_threshold is None
                _number(field, e, disabled=off)


def _kpi_table(items: list[dict], results: dict, errors: dict) -> pd.DataFrame:
    """The headline figures of every scenario; with scenarios that answer in both languages, the
    service level of each language's callers too."""
    rows = []
    for metric in ("service_level", "abandon_rate", "asa_s", "got_through_rate"):
        row = {t("compare.kpi"): t(f"kpi.{metric}")}
        for e in items:
            res = results.get(e["scenario"].name)
            row[state.display_name(e)] = (t("scen.failed_short") if e["uid"] in errors or res is None
                                          else fmt_metric(res, metric, split=True)[0])
        rows.append(row)
    skills = {}
    for e in items:
        res = results.get(e["scenario"].name)
        if res is not None and res.by_skill is not None:
            for _, r in res.by_skill.iterrows():
                skills.setdefault(str(r["skill"]), {})[e["uid"]] = r["service_level"]
    for skill, values in skills.items():
        row = {t("compare.kpi"): t("scen.sl_language", language=lang_name(skill))}
        for e in items:
            row[state.display_name(e)] = fmt_kind(values[e["uid"]], "pct") if e["uid"] in values else "–"
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- page
st.title(t("scen.title"))
st.write(t("scen.intro"))
full = len(state.entries()) >= MAX_SCENARIOS
has_bilingual = any(state.is_bilingual(e["scenario"]) for e in state.entries())
top = st.columns([1, 1, 1, 2], vertical_alignment="bottom")
top[0].button(t("scen.add"), key="add_scenario", on_click=_add, disabled=full, width="stretch",
              help=t("scen.add_help"))
top[1].button(t("scen.add_bilingual"), key="add_bilingual", on_click=_add_bilingual, disabled=full or has_bilingual,
              width="stretch", help=t("scen.add_bilingual_help"))
top[2].button(t("scen.reset"), key="reset_scenarios", on_click=_reset, width="stretch")
with top[3]:
    st.file_uploader(t("scen.upload_label"), type=["toml", "json"], key="scenario_upload",
                     on_change=_uploaded_scenario, help=t("scen.upload_help"))
if st.session_state.get("scenario_upload_error"):
    st.error(t("scen.upload_error", msg=md(st.session_state["scenario_upload_error"])))
if st.session_state.get("url_error"):
    st.warning(t("scen.url_error", msg=md(st.session_state["url_error"])))

try:
    with st.spinner(t("common.simulating")):
        results, failed = state.results()
except ValueError as exc:  # the demand itself could not be built (bad upload, forecast error)
    show_error(exc)
    results, failed = {}, []
errors = {f.uid: f.message for f in failed}
items = list(state.entries())

st.header(t("scen.kpi_title"))
st.table(_kpi_table(items, results, errors), hide_index=True)
st.caption(t("scen.kpi_caption_v2", reps=state.REPLICATIONS, seed=state.SEED))
for e in items:
    if e["uid"] in errors:
        st.error(t("scen.cannot_simulate_named", name=md(state.display_name(e)), msg=md(errors[e["uid"]])))

st.header(t("scen.inputs_title"))
head = st.columns([1.25] + [1] * len(items), gap="small", vertical_alignment="bottom")
head[0].markdown(t("scen.name"), help=t("scen.name_help"))
for col, e in zip(head[1:], items):
    if e.get("label"):  # a ready scenario's name follows the page's language until the planner renames it
        st.session_state[_key("name", e["uid"])] = state.display_name(e)
    with col:
        st.text_input(_label(t("scen.name"), state.display_name(e)), key=_init("name", e["uid"], e["scenario"]),
                      on_change=_changed, args=(e["uid"], "name"), max_chars=state.limits.MAX_NAME_LENGTH,
                      label_visibility="collapsed")
TABS = (state.GROUPS[0], "languages", *state.GROUPS[1:])
tabs = st.tabs([t(f"scen.group_{g}") for g in TABS])
for tab, group in zip(tabs, TABS):
    with tab:
        if group == "staffing":
            _staffing_rows(items, results)
        elif group == "languages":
            _language_rows(items)
        else:
            _group_rows(group, items)

for col, e in _row("scen.actions", items):
    uid = e["uid"]
    with col:
        st.button(t("scen.copy"), key=f"copy_{uid}", on_click=_copy, args=(uid,),
                  disabled=len(state.entries()) >= MAX_SCENARIOS, width="stretch",
                  help=t("scen.copy_help", name=md(state.display_name(e))))
        st.button(t("scen.delete"), key=f"delete_{uid}", on_click=_delete, args=(uid,),
                  disabled=len(state.entries()) <= 1, width="stretch",
                  help=t("scen.delete_help", name=md(state.display_name(e))))
for e in items:
    if f"err_{e['uid']}" in st.session_state:
        st.error(t("scen.invalid_named", name=md(state.display_name(e)), msg=md(st.session_state[f"err_{e['uid']}"])))
