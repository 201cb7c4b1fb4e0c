"""Capacity plans (:mod:`simulate.capacity`) as export tables, in English or Canadian French.

Registers :class:`~simulate.capacity.CapacityPlan` and
:class:`~simulate.capacity.PlanWithWhatIfs` (a plan with the what-ifs table of
:func:`simulate.capacity.compare`) with :func:`simulate.export.tables`, so every writer of
:mod:`simulate.export` (Excel, CSV, zip) exports them like any other result: sheet names, headers
(with units) and words from the message catalogue (``export.cap.*``), numbers as numbers with their
Excel formats, text escaped against formulas by the writers.

Tables, in sheet order (keys in brackets; the CSV file of each is ``<stem>_<key in the language>``):
Summary (``summary``: the plan's totals and the solver's outcome, one figure per row), Weeks
(``weeks``, the main table: one row per group and week), Classes (``classes``), Latest start
(``latest_start``), What-ifs (``what_ifs``, when given: one row per plan), Daily back office
(``daily``, when the plan has a back office), Assumptions (``assumptions``: section, parameter
(English only), unit, value, description: the planning choices, each group's supply and policy,
the back office, cross-training, the tool's version and the creation time).

Group and plan names are the user's text, shown as given, except the tool's own names, which the
catalogue knows: the what-ifs of :data:`simulate.capacity.DEFAULT_WHAT_IFS` and the base plan
``"plan"`` (:func:`plan_label`); the notes of ``plan.summary["notes"]`` are English sentences from
the planner and stay English.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from simulate import i18n
from simulate.capacity import DEFAULT_WHAT_IFS, CapacityPlan, PlanWithWhatIfs
from simulate.capacity.supply import cross_training_pairs
from simulate.export import labels as L
from simulate.export.table import Table, _columns, _meta_rows, _scenario_rows, tables

__all__ = ["plan_label", "what_if_label"]

#: what-if keyword -> (catalogue key, its number as the label shows it)
_WHAT_IF_WORDS: dict[str, tuple[str, Callable[[float], float]]] = {
    "surge": ("cap.wn_surge", lambda f: (f - 1.0) * 100.0),
    "earlier_weeks": ("cap.wn_earlier", lambda w: int(w)),
    "attrition": ("cap.wn_attrition", lambda f: float(f)),
    "training_weeks_less": ("cap.wn_training", lambda w: int(w)),
    "automation": ("cap.wn_automation", lambda a: a * 100.0),
}
_BASE_NAME = "plan"  # simulate.capacity.what_ifs' default base_name


def what_if_label(change: Mapping[str, Any], language: str = "en") -> str:
    """A what-if's name in words from its :func:`simulate.capacity.what_if` arguments:
    ``{"surge": 1.2}`` is ``"Surge +20%"`` / ``"Hausse +20 %"``; several changes are joined by
    ", "; no change is the base plan (``"Plan"``)."""
    parts = []
    for k, v in change.items():
        if k not in _WHAT_IF_WORDS:
            raise ValueError(f"what-if: unknown change {k!r}; known: {sorted(_WHAT_IF_WORDS)}")
        key, number = _WHAT_IF_WORDS[k]
        parts.append(i18n.text(key, language, v=number(v)))
    return ", ".join(parts) if parts else i18n.text("cap.w_base", language)


def plan_label(name: str, language: str = "en") -> str:
    """A plan's name to show: the tool's own names (``"plan"`` and the keys of
    :data:`simulate.capacity.DEFAULT_WHAT_IFS`) in ``language``, any other name as given."""
    if name == _BASE_NAME:
        return i18n.text("cap.w_base", language)
    if name in DEFAULT_WHAT_IFS:
        return what_if_label(DEFAULT_WHAT_IFS[name], language)
    return str(name)


def _word(key: str, language: str, **values: Any) -> str:
    return i18n.text(f"export.cap.{key}", language, **values)


def _label(key: str, language: str) -> str:
    """A summary figure's name: ``export.cap.<key>``, else the exports' shared ``export.<key>``
    (``method``), else the key itself (a figure added to the plan's summary without words yet)."""
    for full in (f"export.cap.{key}", f"export.{key}"):
        if i18n.has(full):
            return i18n.text(full, language)
    return key


def _known(language: str, *, dynamic: bool = False) -> Callable[[str, str], tuple[str, str | None, str] | None]:
    """The (label, unit key, kind) lookup of capacity columns for :func:`simulate.export.table._columns`;
    ``dynamic``: also the what-ifs table's per-group columns (``latest_start_<group>``, ``in_time_<group>``)."""
    def lookup(name: str, lang: str) -> tuple[str, str | None, str] | None:
        if dynamic:
            for prefix, key, kind in (("latest_start_", "latest_start_of", "date"), ("in_time_", "in_time_of", "text")):
                if name.startswith(prefix):
                    return _word(key, lang, group=name[len(prefix):]), None, kind
        if name in L.CAPACITY_COLUMNS and i18n.has(f"export.cap.{name}"):
            unit_key, kind = L.CAPACITY_COLUMNS[name]
            return _word(name, lang), unit_key, kind
        return None
    return lookup


def _cell(value: Any, language: str, field: str | None = None) -> Any:
    """A key/value cell: NaN/NaT ``–``, None ``none``, booleans yes/no, codes in words, numbers as numbers."""
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return i18n.MISSING
    if value is pd.NaT:
        return i18n.MISSING
    return L.value(field, value, language)


def _kind(value: Any, kind: str) -> str:
    return "text" if isinstance(value, str) else kind


def _status(status: str, language: str) -> str:
    """The solver's outcome (``plan.summary["status"]``, English from :mod:`simulate.capacity.plan`) in words."""
    for code in ("status_met", "status_short"):
        english = _word(code, "en")
        if status.startswith(english):
            rest = status[len(english):]
            suffix = " (time limit reached: "
            if rest.startswith(suffix) and rest.endswith(")"):
                return _word(code, language) + _word("status_time_limit", language, message=rest[len(suffix):-1])
            if not rest:
                return _word(code, language)
    return status


def _summary(plan: CapacityPlan, language: str) -> Table:
    """Metric | Unit | Value: the plan's figures, one per row, in ``plan.summary`` order; then its notes."""
    rows: list[tuple[str, str, str, Any]] = []
    for key, value in plan.summary.items():
        if key == "notes":
            continue
        unit_key, kind = L.CAPACITY_COLUMNS.get(key, (None, "num"))
        if key == "groups":
            value = ", ".join(str(g) for g in value)
        elif key == "status":
            value = _status(str(value), language)
        value = _cell(value, language, key)
        rows.append((_label(key, language), L.unit(unit_key, language), _kind(value, kind), value))
    for n, note in enumerate(plan.summary.get("notes", ()), start=1):
        rows.append((_word("note", language, n=n), "", "text", str(note)))
    value_h = i18n.text("export.value", language)
    frame = pd.DataFrame({i18n.text("export.metric", language): [r[0] for r in rows],
                          i18n.text("export.unit", language): [r[1] for r in rows],
                          value_h: pd.Series([r[3] for r in rows], dtype=object)})
    return Table(key="summary", name=i18n.text("export.Summary", language), frame=frame,
                 row_kinds=tuple(r[2] for r in rows), row_kind_columns=(value_h,))


Row = tuple[str, str, str, str, Any, str]  # section, parameter, unit, kind, value, description


def _supply_value(name: str, value: Any, language: str) -> Any:
    if name == "ramp":
        return ", ".join(i18n.fmt_percent(v, language, decimals=0) for v in value) if value else None
    if name == "attrition" and isinstance(value, (list, tuple)):
        return "; ".join(i18n.fmt_percent(v, language, decimals=2) for v in value)
    if name == "classes":
        return "; ".join(f"{w}: {i18n.fmt_number(n, language)}" for w, n in value.items()) if value else None
    if name == "class_weeks" and isinstance(value, (list, tuple)):
        return ", ".join(str(w) for w in value)
    return value


def _assumption_rows(plan: CapacityPlan, language: str) -> list[Row]:
    p = plan.problem
    s = plan.summary
    rows: list[Row] = []

    def add(section: str, parameter: str, unit_key: str | None, kind: str, value: Any, description: str) -> None:
        value = _cell(value, language, parameter)
        rows.append((section, parameter, L.unit(unit_key, language), _kind(value, kind), value, description))

    sec = _word("s_plan", language)
    add(sec, "start", None, "date", pd.Timestamp(s["start"]), _word("start", language))
    add(sec, "weeks", None, "int", s["weeks"], _word("weeks", language))
    add(sec, "quantile", "u_share", "pct", p.quantile, _word("quantile", language))
    add(sec, "method", None, "text", p.method, i18n.text("export.method", language))
    known = L.column(p.column, language)
    add(sec, "column", None, "text", known[0] if known else p.column, _word("column", language))
    intraday = (_word("intraday_profile", language) if p.profile is not None else
                _word("intraday_flat", language, open=p.open_hours[0], close=p.open_hours[1]))
    add(sec, "intraday", None, "text", intraday, _word("intraday", language))
    add(sec, "interval", "u_min", "num", pd.Timedelta(p.interval).total_seconds() / 60.0, _word("interval", language))
    for g, sup in p.supply.items():
        sec = _word("s_supply", language, group=g)
        for name, value in sup.to_dict().items():
            unit_key, kind = L.SUPPLY_FIELDS.get(name, (None, "text"))
            add(sec, name, unit_key, kind, _supply_value(name, value, language), _word(f"f_{name}", language))
    for g, sc in p.scenarios.items():
        sec = _word("s_policy", language, group=g)
        rows += [(sec, name, unit, kind, value, description)
                 for name, unit, kind, value, description in _scenario_rows(sc, language, sc.name)]
    if p.backoffice is not None:
        bo, m = p.backoffice, p.backoffice.model
        sec = _word("s_backoffice", language)
        add(sec, "group", None, "text", bo.group, _word("bo_group", language))
        add(sec, "phone_group", None, "text", bo.phone_group, _word("bo_phone_group", language))
        add(sec, "status_deflection", "u_share", "pct", bo.status_deflection, _word("bo_deflection", language))
        add(sec, "standard_days", "u_business_days", "int", m.standard_days, _word("bo_standard", language))
        add(sec, "model_end", None, "date", pd.Timestamp(m.end_).normalize(), _word("bo_history_end", language))
        add(sec, "applications", "u_applications", "num", float(bo.applications.sum()),
            _word("bo_applications", language))
        for term, coef in m.coef_.items():
            add(sec, f"coef_{term}", None, "num", float(coef), _word("bo_coefficient", language, term=term))
    for (a, b), (share, eff) in cross_training_pairs(p.cross_training, p.groups).items():
        sec = _word("s_cross", language)
        add(sec, f"{a}>{b}", "u_share", "pct", share, _word("cross_share", language, source=a, target=b))
        add(sec, f"{a}>{b} efficiency", "u_share", "pct", eff, _word("cross_efficiency", language, source=a, target=b))
    sec = _word("s_tool", language)
    rows += [(sec, name, unit, kind, value, description)
             for name, unit, kind, value, description in _meta_rows(language)]
    return rows


def _assumptions(plan: CapacityPlan, language: str) -> Table:
    """Section | Parameter | Unit | Value | Description, like every export's Assumptions sheet plus a
    section (a plan has several groups); the French table leaves the English identifiers out."""
    rows = _assumption_rows(plan, language)
    value_h = i18n.text("export.value", language)
    data: dict[str, list[Any]] = {i18n.text("export.section", language): [r[0] for r in rows]}
    if L.SHOW_IDENTIFIERS[language]:
        data[i18n.text("export.parameter", language)] = [r[1] for r in rows]
    data[i18n.text("export.unit", language)] = [r[2] for r in rows]
    data[value_h] = [r[4] for r in rows]
    data[i18n.text("export.description", language)] = [r[5] for r in rows]
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    return Table(key="assumptions", name=i18n.text("export.Assumptions", language), frame=frame,
                 row_kinds=tuple(r[3] for r in rows), row_kind_columns=(value_h,))


def _tables(plan: CapacityPlan, what_ifs: pd.DataFrame | None, language: str) -> list[Table]:
    i18n.check_language(language)
    known = _known(language)
    out = [
        _summary(plan, language),
        _columns(plan.weeks, language, "weeks", i18n.text("export.Weeks", language), main=True, known=known),
        _columns(plan.classes.rename(columns={"week": "class_start"}), language, "classes",
                 i18n.text("export.Classes", language), known=known),
        _columns(plan.latest_start, language, "latest_start", i18n.text("export.Latest_start", language),
                 known=known),
    ]
    if what_ifs is not None:
        table = what_ifs.copy()
        if "plan" in table.columns:
            table["plan"] = [plan_label(str(n), language) for n in table["plan"]]
        out.append(_columns(table, language, "what_ifs", i18n.text("export.What_ifs", language),
                            known=_known(language, dynamic=True)))
    if plan.daily is not None:
        daily = plan.daily.rename(columns={"backlog": "backlog_day", "past_standard": "past_standard_day"})
        out.append(_columns(daily, language, "daily", i18n.text("export.Daily_back_office", language),
                            known=known))
    out.append(_assumptions(plan, language))
    return out


@tables.register
def _(obj: CapacityPlan, *, language: str = "en", name: str | Mapping[str, str] | None = None) -> list[Table]:
    return _tables(obj, None, language)


@tables.register
def _(obj: PlanWithWhatIfs, *, language: str = "en", name: str | Mapping[str, str] | None = None) -> list[Table]:
    return _tables(obj.plan, obj.what_ifs, language)
