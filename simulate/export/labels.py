"""What every exported column, row and value is called, its unit and how it is shown.

The words come from THE message catalogue (:mod:`simulate.i18n`: ``export.*``, ``metric.*``,
``metric_def.*``, ``field.*``, ``value.*``); this module holds only what is not words: the unit
and the display kind of each known column, summary figure, scenario field and schedule setting,
and the Excel number formats of each kind in each language.

Display kinds: ``pct`` (a share in [0, 1], shown as a percentage), ``sec`` (seconds), ``int``,
``num`` (one decimal), ``money`` (two decimals), ``datetime``, ``date``, ``text``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from simulate import i18n
from simulate.metrics import METRICS

# ---------------------------------------------------------------------------------------------
# units and kinds (not words)

#: METRICS unit -> unit key (export.u_*)
METRIC_UNIT = {"share": "u_share", "seconds": "u_seconds", "calls": "u_calls", "callers": "u_callers"}

#: every Scenario field: unit key (None = no unit), display kind; words: field.<name>
SCENARIO_FIELDS: dict[str, tuple[str | None, str]] = {
    "name": (None, "text"),
    "aht": ("u_seconds", "sec"),
    "aht_dist": (None, "text"),
    "aht_cv": ("u_ratio", "num"),
    "patience": ("u_seconds", "sec"),
    "patience_dist": (None, "text"),
    "patience_cv": ("u_ratio", "num"),
    "aht_quantiles": (None, "text"),
    "patience_quantiles": (None, "text"),
    "lines": ("u_lines", "int"),
    "redial_prob": ("u_share", "pct"),
    "redial_delay": ("u_seconds", "sec"),
    "max_attempts": ("u_attempts", "int"),
    "ivr_containment": ("u_share", "pct"),
    "ivr_time": ("u_seconds", "sec"),
    "residual_aht_factor": ("u_ratio", "num"),
    "callback_threshold": ("u_seconds", "sec"),
    "callback_accept": ("u_share", "pct"),
    "callback_deadline": ("u_seconds", "sec"),
    "call_types": (None, "text"),
    "agent_groups": (None, "text"),
    "pick": (None, "text"),
    "overflow_after": ("u_seconds", "sec"),
    "at_close": (None, "text"),
    "sl_threshold": ("u_seconds", "sec"),
    "sl_target": ("u_share", "pct"),
    "max_abandon_rate": ("u_share", "pct"),
    "max_occupancy": ("u_share", "pct"),
    "shrinkage": ("u_share", "pct"),
    "paid_hours_per_week": ("u_hours", "num"),
    "hourly_cost": ("u_currency_h", "money"),
}

#: summary figures of recommendations and schedules: unit key, kind; words: export.<key>
SUMMARY_KEYS: dict[str, tuple[str | None, str]] = {
    "calls": ("u_calls", "num"), "intervals": (None, "int"), "intervals_open": (None, "int"),
    "agent_hours": ("u_hours", "num"), "agent_hours_required": ("u_hours", "num"),
    "scheduled_hours": ("u_hours", "num"), "fte": ("u_fte", "num"), "cost": ("u_currency", "money"),
    "peak_agents": ("u_agents", "int"), "peak_scheduled": ("u_agents", "int"),
    "intervals_meeting_target": (None, "int"), "iterations": (None, "int"), "simulations": (None, "int"),
    "seconds": ("u_seconds", "sec"), "paid_hours": ("u_hours", "num"), "headcount": ("u_people", "int"),
    "required_agent_hours": ("u_hours", "num"), "efficiency": ("u_share", "pct"),
    "shortage_agent_hours": ("u_hours", "num"), "intervals_short": (None, "int"),
    "solve_time_s": ("u_seconds", "sec"),
    "simulated_service_level": ("u_share", "pct"), "simulated_service_level_lo": ("u_share", "pct"),
    "simulated_service_level_hi": ("u_share", "pct"), "simulated_abandon_rate": ("u_share", "pct"),
    "simulated_abandon_rate_lo": ("u_share", "pct"), "simulated_abandon_rate_hi": ("u_share", "pct"),
    "simulated_asa_s": ("u_seconds", "sec"), "simulated_asa_s_lo": ("u_seconds", "sec"),
    "simulated_asa_s_hi": ("u_seconds", "sec"), "intervals_below_target": (None, "int"),
    "sl_target": ("u_share", "pct"), "sl_threshold_s": ("u_seconds", "sec"),
    "ideal_paid_hours": ("u_hours", "num"), "ideal_fte": ("u_fte", "num"), "ideal_cost": ("u_currency", "money"),
    "schedule_paid_hours": ("u_hours", "num"), "schedule_fte": ("u_fte", "num"),
    "schedule_cost": ("u_currency", "money"), "schedule_shifts": (None, "int"),
    "granularity_hours": ("u_hours", "num"), "granularity_cost": ("u_currency", "money"),
}

#: columns of interval, schedule, method and risk tables: unit key, kind; words: export.<column>
COLUMNS: dict[str, tuple[str | None, str]] = {
    "ds": (None, "datetime"), "calls": (None, "num"), "aht_s": ("u_seconds", "sec"), "agents": (None, "int"),
    "agents_required": (None, "num"), "scheduled": (None, "num"), "scheduled_int": (None, "int"),
    "open": (None, "text"), "met": (None, "text"), "start": (None, "datetime"), "end": (None, "datetime"),
    "length_h": ("u_hours", "num"), "paid_h": ("u_hours", "num"), "breaks": (None, "text"),
    "people": (None, "int"), "required": (None, "num"), "on_duty": (None, "num"),
    "over": ("u_agents", "num"), "under": ("u_agents", "num"), "agent_hours": ("u_hours", "num"),
    "scheduled_hours": ("u_hours", "num"), "fte": ("u_fte", "num"), "cost": ("u_currency", "money"),
    "peak_agents": (None, "int"), "method": (None, "text"), "date": (None, "date"), "scenario": (None, "text"),
    "p_miss": ("u_share", "pct"), "expected_sl": ("u_share", "pct"), "sl_sd": ("u_share", "pct"),
    "sl_p05": ("u_share", "pct"), "draws": (None, "int"),
    "p_miss_lo": ("u_share", "pct"), "p_miss_hi": ("u_share", "pct"),
    "ideal_paid_hours": ("u_hours", "num"), "ideal_fte": ("u_fte", "num"), "ideal_cost": ("u_currency", "money"),
    "predicted_service_level": ("u_share", "pct"), "simulated_service_level": ("u_share", "pct"),
    "gap_agent_hours": ("u_hours", "num"),
}

#: Schedule.settings: unit key, kind; words: export.setting.<key>
SETTINGS: dict[str, tuple[str | None, str]] = {
    "requirement_column": (None, "text"), "interval_min": ("u_min", "num"), "shift_lengths_h": ("u_hours", "text"),
    "start_every_min": ("u_min", "num"), "breaks": (None, "text"), "max_headcount": (None, "int"),
    "cyclic": (None, "text"), "drop_idle_shifts": (None, "text"), "max_idle_h": ("u_hours", "num"),
    "least_idle": (None, "text"), "time_limit_s": ("u_seconds", "sec"), "shortage_penalty": (None, "num"),
}

#: capacity plans (:mod:`simulate.capacity`): columns of the weekly table, the classes, the latest
#: starts, the what-ifs comparison and the back office's daily projection, and the plan's summary
#: figures: unit key, kind; words: export.cap.<key>
CAPACITY_COLUMNS: dict[str, tuple[str | None, str]] = {
    "group": (None, "text"), "week_index": (None, "int"), "week": (None, "date"),
    "required": ("u_fte", "num"), "available": ("u_fte", "num"), "headcount": ("u_people", "num"),
    "productive": ("u_fte", "num"), "in_training": ("u_people", "num"), "hires": ("u_people", "num"),
    "attrition": ("u_people", "num"), "overtime": ("u_fte", "num"), "borrowed": ("u_fte", "num"),
    "cross_in": ("u_fte", "num"), "cross_out": ("u_fte", "num"), "shortfall": ("u_fte", "num"),
    "cost": ("u_currency", "money"), "calls": ("u_calls", "num"), "backlog": ("u_applications", "num"),
    "past_standard": ("u_applications", "num"), "status_calls": ("u_calls", "num"),
    "service_level": ("u_share", "pct"),
    "class_start": (None, "date"), "size": ("u_people", "int"), "committed": (None, "text"),
    "productive_from": (None, "date"), "full_from": (None, "date"),
    "peak_week_index": (None, "int"), "peak_week": (None, "date"), "peak_required": ("u_fte", "num"),
    "latest_start_week_index": (None, "int"), "latest_start": (None, "date"),
    "latest_full_start_week_index": (None, "int"), "latest_full_start": (None, "date"),
    "decide_by": (None, "date"), "in_time": (None, "text"),
    "plan": (None, "text"), "wage_cost": ("u_currency", "money"), "hiring_cost": ("u_currency", "money"),
    "overtime_cost": ("u_currency", "money"), "borrowed_cost": ("u_currency", "money"), "classes": (None, "int"),
    "fte_weeks_short": ("u_fte_weeks", "num"), "weeks_short": (None, "int"), "first_week_short": (None, "date"),
    "min_service_level": ("u_share", "pct"), "mean_service_level": ("u_share", "pct"),
    "peak_backlog": ("u_applications", "num"), "peak_past_standard": ("u_applications", "num"),
    "feasible": (None, "text"),
    "ds": (None, "date"), "applications": ("u_applications", "num"), "processed": ("u_applications", "num"),
    "backlog_day": ("u_applications", "num"), "past_standard_day": ("u_applications", "num"),
    "processing_days": ("u_business_days", "num"), "calls_lo_80": ("u_calls", "num"),
    "calls_hi_80": ("u_calls", "num"), "calls_lo_95": ("u_calls", "num"), "calls_hi_95": ("u_calls", "num"),
    # summary figures only
    "start": (None, "date"), "weeks": (None, "int"), "groups": (None, "text"), "optimal": (None, "text"),
    "status": (None, "text"), "objective": ("u_currency", "money"), "cost_bound": ("u_currency", "money"),
    "mip_gap": ("u_share", "pct"), "solves": (None, "int"), "rounds": (None, "int"),
    "link_residual_fte": ("u_fte", "num"), "solve_time_s": ("u_seconds", "sec"),
    "total_time_s": ("u_seconds", "sec"), "quantile": ("u_share", "pct"), "method": (None, "text"),
}

#: every :class:`simulate.capacity.Supply` field: unit key, kind; words: export.cap.f_<name>
SUPPLY_FIELDS: dict[str, tuple[str | None, str]] = {
    "headcount": ("u_people", "num"), "attrition": ("u_share", "pct"), "training_weeks": ("u_weeks", "int"),
    "ramp": (None, "text"), "time_to_hire": ("u_weeks", "int"), "class_weeks": (None, "text"),
    "max_class_size": ("u_people", "int"), "min_class_size": ("u_people", "int"), "classes": (None, "text"),
    "overtime": ("u_share", "pct"), "overtime_premium": ("u_ratio", "num"), "borrow_max": ("u_fte", "num"),
    "borrow_lead_weeks": ("u_weeks", "int"), "borrow_productivity": ("u_share", "pct"),
    "borrow_cost": ("u_currency_week", "money"), "weekly_cost": ("u_currency_week", "money"),
    "hire_cost": ("u_currency", "money"), "productivity": ("u_applications_day", "num"),
}

#: fields whose values are codes with words in the catalogue: value.<family>.<code>
ENUMS = {"method": "method", "requested_method": "method", "engine": "engine", "aht_dist": "dist",
         "patience_dist": "dist", "at_close": "at_close"}

#: whether tables show identifiers (scenario fields, settings): English names, so French leaves them out
SHOW_IDENTIFIERS = {"en": True, "fr": False}

#: Excel number formats of each kind. The codes are Excel's own (``,`` groups and ``.`` marks the
#: decimals in the file whatever the language; Excel shows them with the reader's separators, so a
#: French Excel shows ``28 043,5``); French puts a no-break space before ``%`` (``58,1 %``) and
#: writes times ``14 h 30``.
EXCEL_FORMATS: dict[str, dict[str, str]] = {
    "en": {"pct": "0.0%", "sec": "#,##0.0", "int": "#,##0", "num": "#,##0.0", "money": "#,##0.00",
           "datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd", "text": "General"},
    "fr": {"pct": '0.0"\u00a0"%', "sec": "#,##0.0", "int": "#,##0", "num": "#,##0.0", "money": "#,##0.00",
           "datetime": 'yyyy-mm-dd hh" h "mm', "date": "yyyy-mm-dd", "text": "General"},
}

# ---------------------------------------------------------------------------------------------
# words


def word(key: str, language: str, **values: Any) -> str:
    """``export.<key>`` of the catalogue (its placeholders filled the locale's way)."""
    return i18n.text(f"export.{key}", language, **values)


def unit(unit_key: str | None, language: str) -> str:
    return word(unit_key, language) if unit_key else ""


def header(label: str, unit_key: str | None, language: str) -> str:
    """``"Service level (%)"``: a label with its unit in brackets."""
    return f"{label} ({unit(unit_key, language)})" if unit_key else label


def metric(name: str, language: str) -> tuple[str, str | None, str]:
    """(label, unit key, kind) of a metric of :data:`simulate.METRICS`."""
    m = METRICS.get(name)
    label = i18n.text(f"metric.{name}", language) if i18n.has(f"metric.{name}") else name
    unit_of = m.unit if m else ""
    return label, METRIC_UNIT.get(unit_of), {"share": "pct", "seconds": "sec"}.get(unit_of, "num")


def definition(name: str, language: str) -> str:
    """The definition of a metric in words (``metric_def.<name>``; METRICS' English otherwise)."""
    if i18n.has(f"metric_def.{name}"):
        return i18n.text(f"metric_def.{name}", language)
    m = METRICS.get(name)
    return m.definition if m else ""


def column(name: str, language: str) -> tuple[str, str | None, str] | None:
    """(label, unit key, kind) of a known column (metrics, ``_lo``/``_hi`` bounds, :data:`COLUMNS`),
    or None for a column this module does not know."""
    base = name[:-3] if name.endswith(("_lo", "_hi")) else name
    suffix = name[len(base):]
    if base in METRICS and base not in COLUMNS:
        label, unit_key, kind = metric(base, language)
    elif name in COLUMNS and i18n.has(f"export.{name}"):
        unit_key, kind = COLUMNS[name]
        return word(name, language), unit_key, kind
    elif base in COLUMNS and suffix and i18n.has(f"export.{base}"):
        unit_key, kind = COLUMNS[base]
        label = word(base, language)
    else:
        return None
    if suffix:
        label = f"{label}, {word(suffix[1:], language)}"
    return label, unit_key, kind


def yes_no(value: Any, language: str) -> str:
    return i18n.text("value.yes" if value else "value.no", language)


def value(field: str | None, value: Any, language: str) -> Any:
    """A scenario, summary or setting value as a plain cell: numbers stay numbers (numpy ones made
    Python), None is "none", booleans yes/no, codes (methods, engines, distributions, closing
    rule) their words; anything else unchanged."""
    if value is None:
        return word("none", language)
    if isinstance(value, (bool, np.bool_)):
        return yes_no(value, language)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, str) and field in ENUMS:
        key = f"value.{ENUMS[field]}.{value}"
        return i18n.text(key, language) if i18n.has(key) else value
    return value


_BREAK = re.compile(r"(\d+):(\d\d)-(\d+):(\d\d) (paid|unpaid)")


def breaks(text: Any, language: str) -> Any:
    """A shift's breaks (``"03:30-04:00 unpaid"``, offsets from the shift start) in words:
    ``"3 h 30–4 h 00 non payée"`` in French."""
    if not isinstance(text, str) or not text:
        return text

    def offset(h: str, m: str) -> str:
        return f"{int(h)} h {m}" if language == "fr" else f"{int(h):02d}:{m}"

    def one(match: re.Match[str]) -> str:
        h1, m1, h2, m2, paid = match.groups()
        return i18n.text(f"value.break_{paid}", language, start=offset(h1, m1), end=offset(h2, m2))

    return _BREAK.sub(one, text)


def display_name(name: str | Mapping[str, str] | None, language: str, default: str) -> str:
    """A scenario's name to show: ``name`` if a string, its ``language`` entry if a mapping of
    languages (``{"en": "Current staffing", "fr": "Effectif actuel"}``), else ``default``."""
    if name is None:
        return default
    if isinstance(name, Mapping):
        return str(name.get(language) or name.get("en") or default)
    return str(name)
