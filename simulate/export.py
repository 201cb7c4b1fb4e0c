"""Manager-ready exports: Excel workbooks, plain CSV files and a one-page printable HTML report.

What can be exported (``obj``):

* a :class:`~simulate.result.SimulationResult` (one scenario simulated),
* a comparison: a mapping ``{scenario name: SimulationResult}``,
* a :class:`~simulate.staffing.StaffingPlan` (with its :class:`~simulate.schedule.Schedule` if one
  is attached),
* a :class:`~simulate.schedule.Schedule` on its own.

Every export is built from the same tables (:func:`tables`): ``Summary``, ``Intervals``,
``Schedule`` (plans with a schedule, and schedules; for a plan without one, its requirements) and
``Assumptions`` (every scenario parameter with its unit and value, the tool version, the creation
time, engine, seed, replications and staffing method), so Excel and CSV always agree.

Headers carry units ("ASA (s)", "Service level (%)"). Metric names, units and definitions come
from :data:`simulate.metrics.METRICS` (one definition, one place); this module only adds display
labels. Rates are stored as fractions and shown as percentages in Excel; CSV, which has no
formats, writes them multiplied by 100 under the same "(%)" header.

Spreadsheet safety: every text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is prefixed with a single quote (:func:`escape_cell`, OWASP "CSV injection"), so a scenario
named ``=HYPERLINK(...)`` is shown, never executed. Numbers, negative ones included, stay numbers.

CSV layout (choice): one file per table. ``to_csv(obj, "plan.csv")`` writes the main table to
``plan.csv`` (intervals for results and comparisons, requirements for plans, shifts for schedules)
and the others beside it as ``plan_summary.csv``, ``plan_assumptions.csv`` and, when present,
``plan_schedule.csv`` / ``plan_coverage.csv`` / ``plan_methods.csv``. The assumptions file carries
the tool version and creation time.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import html
import importlib.metadata
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulate import i18n as _i18n
from simulate.metrics import METRICS
from simulate.staffing import workforce_totals

__all__ = ["escape_cell", "tables", "Table", "to_excel", "to_csv", "to_report", "LANGUAGES"]

LANGUAGES = ("en", "fr")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# display text lives in THE message catalogue (simulate/i18n/messages.toml): export.*, metric.*, field.*

_METRIC_UNIT_KEY = {"share": "u_share", "seconds": "u_seconds", "calls": "u_calls", "callers": "u_callers"}

# every Scenario field: unit key (None = no unit), display kind; descriptions are field.<name> in the catalogue
_SCENARIO_FIELDS: dict[str, tuple[str | None, str]] = {
    "name": (None, "text"),
    "aht": ("u_seconds", "sec"),
    "aht_dist": (None, "text"),
    "aht_cv": ("u_ratio", "num"),
    "patience": ("u_seconds", "sec"),
    "patience_dist": (None, "text"),
    "patience_cv": ("u_ratio", "num"),
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

# summary keys of plans and schedules: unit key, kind
_SUMMARY_KEYS: dict[str, tuple[str | None, str]] = {
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

# interval / schedule columns: unit key, kind
_COLUMNS: dict[str, tuple[str | None, str]] = {
    "ds": (None, "datetime"), "calls": (None, "num"), "agents": (None, "int"),
    "agents_required": (None, "num"), "scheduled": (None, "num"), "scheduled_int": (None, "int"),
    "open": (None, "text"), "met": (None, "text"), "start": (None, "datetime"), "end": (None, "datetime"),
    "length_h": ("u_hours", "num"), "paid_h": ("u_hours", "num"), "breaks": (None, "text"),
    "people": (None, "int"), "required": (None, "num"), "on_duty": (None, "num"),
    "over": ("u_agents", "num"), "under": ("u_agents", "num"), "agent_hours": ("u_hours", "num"),
    "scheduled_hours": ("u_hours", "num"), "fte": ("u_fte", "num"), "cost": ("u_currency", "money"),
    "peak_agents": (None, "int"), "method": (None, "text"), "date": (None, "datetime"),
    "p_miss": ("u_share", "pct"), "expected_sl": ("u_share", "pct"), "sl_sd": ("u_share", "pct"),
    "sl_p05": ("u_share", "pct"), "draws": (None, "int"),
    "p_miss_lo": ("u_share", "pct"), "p_miss_hi": ("u_share", "pct"),
    "ideal_paid_hours": ("u_hours", "num"), "ideal_fte": ("u_fte", "num"), "ideal_cost": ("u_currency", "money"),
    "predicted_service_level": ("u_share", "pct"), "simulated_service_level": ("u_share", "pct"),
    "gap_agent_hours": ("u_hours", "num"),
}

_XLSX_FORMATS = {
    "pct": "0.0%", "sec": "0.0", "int": "#,##0", "num": "#,##0.0", "money": "#,##0.00",
    "datetime": "yyyy-mm-dd hh:mm", "text": "@",
}


def _t(key: str, language: str) -> str:
    if _i18n.has(f"export.{key}"):
        return _i18n.text(f"export.{key}", language)
    return key.replace("_", " ").capitalize()


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"export language must be one of {LANGUAGES}, got {language!r}")
    return language


def escape_cell(value: Any) -> Any:
    """A cell value safe for spreadsheets: text starting with ``= + - @``, tab or carriage return
    gets a leading single quote so it is shown as text, never run as a formula. Anything that is
    not text (numbers, negative ones included, dates, None) is returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# ---------------------------------------------------------------------------------------------
# tables: one description of every sheet, rendered by the Excel, CSV and HTML writers


@dataclass(frozen=True, eq=False)
class Table:
    """One sheet/file: ``frame`` with display headers; ``kinds`` maps a header to its display kind
    (``pct``, ``sec``, ``int``, ``num``, ``money``, ``datetime``, ``text``); ``row_kinds`` (one per
    row) overrides the kind of the columns in ``row_kind_columns`` (for key/value tables);
    ``alert_rows`` are shown in red by the Excel writer."""

    name: str
    frame: pd.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)
    row_kinds: tuple[str, ...] | None = None
    row_kind_columns: tuple[str, ...] = ()
    alert_rows: tuple[int, ...] = ()  # rows printed in red (a plan that misses its target)

    def kind(self, row: int, column: str) -> str:
        if self.row_kinds is not None and column in self.row_kind_columns:
            return self.row_kinds[row]
        return self.kinds.get(column, "text")


def _header(label: str, unit_key: str | None, language: str) -> str:
    return f"{label} ({_t(unit_key, language)})" if unit_key else label


def _metric_label(metric: str, language: str) -> tuple[str, str | None, str]:
    """(label, unit key, kind) of a metric from METRICS."""
    m = METRICS.get(metric)
    label = _i18n.text(f"metric.{metric}", language) if _i18n.has(f"metric.{metric}") else (
        metric.replace("_", " ").capitalize())
    unit = m.unit if m else ""
    unit_key = _METRIC_UNIT_KEY.get(unit)
    kind = {"share": "pct", "seconds": "sec"}.get(unit, "num")
    return label, unit_key, kind


def _kind_of_series(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "text"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime"
    if pd.api.types.is_integer_dtype(s):
        return "int"
    if pd.api.types.is_float_dtype(s):
        return "num"
    return "text"


def _column_frame(df: pd.DataFrame, language: str, name: str) -> Table:
    """A data frame with known column names (interval rows, shifts, methods) relabelled with units."""
    out, kinds = {}, {}
    for col in df.columns:
        col_s = str(col)
        base = col_s[:-3] if col_s.endswith(("_lo", "_hi")) else col_s
        suffix = col_s[len(base):]
        if base in METRICS and base not in _COLUMNS:
            label, unit_key, kind = _metric_label(base, language)
        elif col_s in _COLUMNS:
            unit_key, kind = _COLUMNS[col_s]
            label, suffix = _t(col_s, language), ""
        else:
            label, unit_key, kind, suffix = col_s, None, _kind_of_series(df[col]), ""
            if col_s.endswith("_s"):
                label, unit_key, kind = col_s[:-2], "u_seconds", "sec"
        if suffix:
            label = f"{label}, {_t(suffix[1:], language)}"
        header = _header(label, unit_key, language)
        series = df[col]
        tz = getattr(series.dtype, "tz", None)
        if tz is not None:
            header = f"{header} ({tz})"  # cells hold local wall-clock time; the zone goes in the header
        if pd.api.types.is_bool_dtype(series):
            series = series.map({True: "yes", False: "no"}) if language == "en" else series.map({True: "oui", False: "non"})
        out[header] = series.reset_index(drop=True)
        kinds[header] = kind
    return Table(name=name, frame=pd.DataFrame(out), kinds=kinds)


def _plain(value: Any, language: str) -> Any:
    """A scenario/summary value as a plain cell value (numbers stay numbers)."""
    if value is None:
        return _t("none", language)
    if isinstance(value, (bool, np.bool_)):
        return ("yes" if value else "no") if language == "en" else ("oui" if value else "non")
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def _scenario_rows(scenario: Any, language: str) -> list[tuple[str, str, str, Any, str]]:
    """(parameter, unit, kind, value, description) for every Scenario field, in field order."""
    rows = []
    names = [f.name for f in fields(scenario)] if hasattr(scenario, "__dataclass_fields__") else []
    for name in names:
        value = getattr(scenario, name)
        unit_key, kind = _SCENARIO_FIELDS.get(name, (None, "text"))
        description = _i18n.text(f"field.{name}", language) if _i18n.has(f"field.{name}") else name
        if name == "call_types":
            value = "; ".join(
                f"{ct.name}: share {ct.share:.0%}, "
                f"aht {f'{ct.aht:g} s' if ct.aht is not None else 'as scenario'}, "
                f"patience {f'{ct.patience:g} s' if ct.patience is not None else 'as scenario'}, "
                f"priority {ct.priority}" + (f", skill {ct.skill}" if ct.skill is not None else "")
                for ct in value) or _t("none", language)
        if name == "agent_groups":
            value = "; ".join(
                f"{g.name}: {', '.join(g.skills)}"
                + (f", {g.hourly_cost:g}/h" if g.hourly_cost is not None else "")
                for g in value) or _t("none", language)
        if value is None or isinstance(value, str):
            kind = "text"
        rows.append((name, _t(unit_key, language) if unit_key else "", kind, _plain(value, language),
                     description))
    return rows


def _version() -> str:
    try:
        return importlib.metadata.version("queuecast")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _created() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _meta_rows(language: str, **items: Any) -> list[tuple[str, str, str, Any, str]]:
    rows = [("tool_version", "", "text", _version(), _t("tool_version", language)),
            ("created", "", "text", _created(), _t("created", language))]
    for key, value in items.items():
        if value is None:
            continue
        kind = "int" if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else "text"
        rows.append((key, "", kind, _plain(value, language), _t(key, language)))
    return rows


def _assumptions_table(columns: Mapping[str, list[tuple[str, str, str, Any, str]]], language: str) -> Table:
    """Parameter | Unit | value per column (one per scenario) | Description."""
    names = list(columns)
    first = columns[names[0]]
    value_headers = [_t("value", language)] if len(names) == 1 else [str(n) for n in names]
    data: dict[str, list[Any]] = {_t("parameter", language): [r[0] for r in first],
                                  _t("unit", language): [r[1] for r in first]}
    for header, name in zip(value_headers, names):
        by_key = {r[0]: r[3] for r in columns[name]}
        data[header] = [by_key.get(r[0]) for r in first]
    data[_t("description", language)] = [r[4] for r in first]
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    return Table(name=_t("Assumptions", language), frame=frame, kinds={},
                 row_kinds=tuple(r[2] for r in first), row_kind_columns=tuple(value_headers))


def _key_value_table(summary: Mapping[str, Any], language: str, name: str) -> Table:
    keys, units, values, kinds = [], [], [], []
    for key, value in summary.items():
        if isinstance(value, (list, dict, tuple, pd.DataFrame, pd.Series, np.ndarray)):
            continue  # histories and frames are other tables, not one cell
        unit_key, kind = _SUMMARY_KEYS.get(key, (None, "num"))
        value = _plain(value, language)
        if isinstance(value, str):
            kind = "text"
        keys.append(_t(key, language))
        units.append(_t(unit_key, language) if unit_key else "")
        values.append(value)
        kinds.append(kind)
    value_h = _t("value", language)
    frame = pd.DataFrame({_t("metric", language): keys, _t("unit", language): units,
                          value_h: pd.Series(values, dtype=object)})
    return Table(name=name, frame=frame, row_kinds=tuple(kinds), row_kind_columns=(value_h,))


def _plan_summary_table(plan: Any, language: str) -> Table:
    """A recommendation's Summary: the simulated verdict and the quick estimates in words, then
    ``plan.summary`` (one figure per row); the verdict and "target met" rows are alerts when the plan
    misses its target in its own simulation."""
    summary = dict(plan.summary)
    head: dict[str, Any] = {}
    if hasattr(plan, "verdict"):
        head["verdict"] = plan.verdict(language)
    gap = plan.gap(language) if hasattr(plan, "gap") else ""
    if gap:
        head["gap"] = gap
    if "basis" in summary:
        summary["basis"] = _t(f"basis_{summary['basis']}", language)
    rows = {**head, **summary}
    table = _key_value_table(rows, language, _t("Summary", language))
    if summary.get("meets_target") is False:
        keys = list(rows)
        alert = tuple(keys.index(k) for k in ("verdict", "meets_target") if k in rows)
        table = dataclasses.replace(table, alert_rows=alert)
    return table


def _summary_table(summary: pd.DataFrame, language: str) -> Table:
    """A SimulationResult summary (index metric; mean, lo, hi) with labels, units and definitions."""
    rows, kinds = [], []
    for metric in summary.index:
        label, unit_key, kind = _metric_label(str(metric), language)
        m = METRICS.get(str(metric))
        rows.append({_t("metric", language): label, _t("unit", language): _t(unit_key, language) if unit_key else "",
                     _t("mean", language): float(summary.at[metric, "mean"]),
                     _t("lo", language): float(summary.at[metric, "lo"]),
                     _t("hi", language): float(summary.at[metric, "hi"]),
                     _t("definition", language): m.definition if m else ""})
        kinds.append(kind)
    cols = (_t("mean", language), _t("lo", language), _t("hi", language))
    return Table(name=_t("Summary", language), frame=pd.DataFrame(rows), row_kinds=tuple(kinds), row_kind_columns=cols)


def _is_result(obj: Any) -> bool:
    return all(hasattr(obj, a) for a in ("summary", "intervals", "per_replication", "scenario"))


def _is_plan(obj: Any) -> bool:
    return all(hasattr(obj, a) for a in ("requirements", "method", "scenario", "summary"))


def _is_schedule(obj: Any) -> bool:
    return all(hasattr(obj, a) for a in ("shifts", "coverage", "paid_hours"))


def _schedule_tables(sched: Any, language: str) -> list[Table]:
    shifts = _column_frame(sched.shifts, language, _t("Schedule", language))
    coverage = _column_frame(sched.coverage.rename(columns={"scheduled": "on_duty"}), language,
                             _t("Coverage", language))
    return [shifts, coverage]


def tables(obj: Any, *, language: str = "en") -> list[Table]:
    """The tables every writer renders, in sheet order (see module docstring)."""
    language = _check_language(language)
    if _is_schedule(obj) and not _is_plan(obj):
        shifts, coverage = _schedule_tables(obj, language)
        meta = _meta_rows(language)
        settings = [(k, "", "text" if isinstance(v, str) or v is None else "num", _plain(v, language), k)
                    for k, v in obj.settings.items()]
        return [_key_value_table(obj.summary(), language, _t("Summary", language)), shifts,
                Table(name=_t("Intervals", language), frame=coverage.frame, kinds=coverage.kinds),
                _assumptions_table({"schedule": settings + meta}, language)]
    if _is_plan(obj):
        out = [_plan_summary_table(obj, language)]
        req = obj.requirements
        intervals = _column_frame(req, language, _t("Intervals", language))
        if obj.verification is not None:
            ver = obj.verification.drop(columns=[c for c in ("ds", "calls", "agents", "open")
                                                 if c in obj.verification.columns])
            simulated = _column_frame(ver, language, "")
            frame, kinds = intervals.frame.copy(), dict(intervals.kinds)
            for col in simulated.frame.columns:
                header = f"{_t('simulated_prefix', language)}{col[0].lower()}{col[1:]}"
                frame[header] = simulated.frame[col].to_numpy()
                kinds[header] = simulated.kinds[col]
            intervals = Table(name=intervals.name, frame=frame, kinds=kinds)
        out.append(intervals)
        if obj.schedule is not None:
            shifts, coverage = _schedule_tables(obj.schedule, language)
            out += [shifts, coverage]
        else:
            out.append(Table(name=_t("Schedule", language), frame=intervals.frame, kinds=intervals.kinds))
        if getattr(obj, "risk", None) is not None and len(obj.risk):
            out.append(_column_frame(obj.risk, language, _t("Risk", language)))
        if obj.comparison is not None and len(obj.comparison):
            out.append(_column_frame(obj.comparison.reset_index(), language, _t("Methods", language)))
        extra_meta: dict[str, Any] = {"method": obj.method}
        if obj.verification is not None:
            extra_meta.update({k: obj.verification.attrs.get(k) for k in ("engine", "seed", "replications")})
        elif obj.summary.get("engine") is not None:
            extra_meta["engine"] = obj.summary.get("engine")
        out.append(_assumptions_table(
            {obj.scenario.name: _scenario_rows(obj.scenario, language) + _meta_rows(language, **extra_meta)},
            language))
        return out
    if _is_result(obj):
        return [
            _summary_table(obj.summary, language),
            _column_frame(obj.intervals, language, _t("Intervals", language)),
            _assumptions_table({obj.scenario.name: _scenario_rows(obj.scenario, language) + _meta_rows(
                language, engine=obj.engine, seed=obj.seed, replications=obj.replications)}, language),
        ]
    if isinstance(obj, Mapping) and obj and all(_is_result(v) for v in obj.values()):
        return _comparison_tables(obj, language)
    raise ValueError(
        "export: expected a SimulationResult, a mapping of scenario name -> SimulationResult, a StaffingPlan "
        f"or a Schedule, got {type(obj).__name__}")


def _comparison_tables(results: Mapping[str, Any], language: str) -> list[Table]:
    from simulate.metrics import compare

    names = [str(n) for n in results]
    cmp = compare(results)
    rows, kinds = [], []
    value_cols: list[str] = []
    for metric in cmp.index:
        label, unit_key, kind = _metric_label(str(metric), language)
        if metric == "cost":  # compare's paid cost of each staffing (simulate.workforce_totals)
            label, unit_key, kind = _t("cost", language), "u_currency", "money"
        row = {_t("metric", language): label, _t("unit", language): _t(unit_key, language) if unit_key else ""}
        for name in names:
            for suffix, key in (("", "mean"), ("_lo", "lo"), ("_hi", "hi")):
                header = name if not suffix else f"{name}, {_t(key, language)}"
                row[header] = float(cmp.at[metric, f"{name}{suffix}"])
                if header not in value_cols:
                    value_cols.append(header)
        best = cmp.at[metric, "best"]
        row[_t("best", language)] = ", ".join(best) if isinstance(best, tuple) else best
        m = METRICS.get(str(metric))
        row[_t("definition", language)] = m.definition if m else ""
        rows.append(row)
        kinds.append(kind)
    summary = Table(name=_t("Summary", language), frame=pd.DataFrame(rows), row_kinds=tuple(kinds),
                    row_kind_columns=tuple(value_cols))
    parts = []
    for name, res in results.items():
        part = res.intervals.copy()
        part.insert(0, "scenario", str(name))
        parts.append(part)
    intervals = _column_frame(pd.concat(parts, ignore_index=True), language, _t("Intervals", language))
    columns = {}
    for name, res in results.items():
        columns[str(name)] = _scenario_rows(res.scenario, language) + _meta_rows(
            language, engine=res.engine, seed=res.seed, replications=res.replications)
    return [summary, intervals, _assumptions_table(columns, language)]


# ---------------------------------------------------------------------------------------------
# writers


def _cell(value: Any) -> Any:
    """A frame value as an openpyxl/csv cell: NaN -> None, numpy -> Python, tz-aware -> naive."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = value.tz_localize(None)
        return value.to_pydatetime()
    if isinstance(value, (pd.Timedelta, _dt.timedelta)):
        return str(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return escape_cell(value)


def _display_width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "datetime":
        return 16
    if kind == "pct" and isinstance(value, (int, float)):
        return len(f"{value * 100:.1f}%")
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return len(str(value))


def to_excel(obj: Any, path: str | Path, *, language: str = "en") -> Path:
    """Write ``obj`` (see module docstring) as an .xlsx workbook; returns the path.

    Sheets: Summary, Intervals, Schedule (plans and schedules), Coverage, Methods (plans, when
    present), Assumptions. Header rows are bold and frozen; numbers carry formats (percent for
    rates, 0.0 for seconds, integers for counts, date-time for ``ds``); widths fit the content.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    red = Font(bold=True, color="C00000")
    for table in tables(obj, language=language):
        ws = wb.create_sheet(title=table.name[:31])
        headers = [str(h) for h in table.frame.columns]
        ws.append([escape_cell(h) for h in headers])
        widths = [len(h) for h in headers]
        columns = [table.frame[c].tolist() for c in table.frame.columns]
        for r in range(len(table.frame)):
            ws.append([_cell(col[r]) for col in columns])
            for c, header in enumerate(headers):
                kind = table.kind(r, header)
                cell = ws.cell(row=r + 2, column=c + 1)
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) or kind == "datetime":
                    cell.number_format = _XLSX_FORMATS.get(kind, "General")
                widths[c] = max(widths[c], _display_width(cell.value, kind))
                if r in table.alert_rows:
                    cell.font = red
        for c, cell in enumerate(ws[1]):
            cell.font = bold
            cell.alignment = Alignment(wrap_text=False, vertical="top")
            ws.column_dimensions[get_column_letter(c + 1)].width = min(max(widths[c] + 2, 8), 60)
        ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _csv_value(value: Any, kind: str) -> Any:
    value = _cell(value)
    if value is None:
        return ""
    if kind == "pct" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value * 100.0
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ")
    return value


def to_csv(obj: Any, path: str | Path) -> list[Path]:
    """Write ``obj`` as plain CSV files (UTF-8, comma, header row); returns the paths written.

    ``path`` gets the main table (intervals; a plan's requirements; a schedule's shifts); the
    other tables go beside it as ``<stem>_<table>.csv`` (``summary``, ``assumptions``, and for
    plans ``schedule``/``coverage``/``methods`` when present). Rates are written as percentages
    (x 100) under headers ending in "(%)". Text cells are escaped with :func:`escape_cell`.
    """
    path = Path(path)
    all_tables = tables(obj, language="en")
    main_name = "Schedule" if _is_schedule(obj) and not _is_plan(obj) else "Intervals"
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for table in all_tables:
        if table.name == "Schedule" and _is_plan(obj) and obj.schedule is None:
            continue  # same rows as the main (requirements) file
        if _is_schedule(obj) and not _is_plan(obj) and table.name == "Intervals":
            target = path.with_name(f"{path.stem}_coverage{path.suffix or '.csv'}")
        elif table.name == main_name:
            target = path
        else:
            target = path.with_name(f"{path.stem}_{table.name.lower()}{path.suffix or '.csv'}")
        headers = [str(h) for h in table.frame.columns]
        columns = [table.frame[c].tolist() for c in table.frame.columns]
        with target.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([escape_cell(h) for h in headers])
            for r in range(len(table.frame)):
                writer.writerow([_csv_value(col[r], table.kind(r, h)) for col, h in zip(columns, headers)])
        written.append(target)
    return written


# ---------------------------------------------------------------------------------------------
# the one-page report


def _fmt(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "sec":
        return f"{value:,.1f} s"
    if kind == "int":
        return f"{int(round(value)):,}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "num":
        return f"{value:,.1f}"
    return str(value)


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    v = values.to_numpy(dtype=float)
    w = weights.to_numpy(dtype=float)
    ok = np.isfinite(v) & (w > 0)
    return float(np.sum(v[ok] * w[ok]) / np.sum(w[ok])) if ok.any() else float("nan")


def _svg_chart(x_labels: Sequence[str], series: Sequence[tuple[str, np.ndarray, str, str]], *, title: str,
               desc: str, y_label: str, percent: bool = False, band: tuple[np.ndarray, np.ndarray] | None = None,
               target: float | None = None, target_label: str = "target", width: int = 720,
               height: int = 260) -> str:
    """An inline SVG line chart. series: (name, values, css colour, "line" | "step")."""
    legend = [(name, colour, style) for name, _, colour, style in series]
    legend += [(target_label, "#d62728", "dash")] if target is not None else []
    slots, x, row = [], 56, 0
    for name, colour, style in legend:
        w = 30 + 7 * len(name)
        if x + w > width and x > 56:
            x, row = 56, row + 1
        slots.append((x, row, name, colour, style))
        x += w
    left, right, top, bottom = 56, 12, 14, 30 + 16 * (row + 1)
    height += 16 * row
    pw, ph = width - left - right, height - top - bottom
    n = max(len(x_labels), 1)
    all_vals = np.concatenate([np.asarray(s[1], dtype=float) for s in series] +
                              ([np.asarray(band[1], dtype=float)] if band is not None else []) +
                              ([np.array([target])] if target is not None else []))
    finite = all_vals[np.isfinite(all_vals)]
    y_max = 1.0 if percent else (float(finite.max()) if finite.size else 1.0)
    y_max = y_max if y_max > 0 else 1.0
    if not percent:
        mag = 10 ** math.floor(math.log10(y_max))
        y_max = math.ceil(y_max / mag * 1.05) * mag

    def px(i: float) -> float:
        return left + pw * i / n

    def py(v: float) -> float:
        return top + ph * (1 - v / y_max)

    parts = [f'<svg role="img" aria-labelledby="chart-title chart-desc" '
             f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px">',
             f'<title id="chart-title">{html.escape(title)}</title>', f'<desc id="chart-desc">{html.escape(desc)}</desc>',
             f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fff" stroke="#999"/>']
    for j in range(5):
        v = y_max * j / 4
        y = py(v)
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
                     f'{html.escape(f"{v:.0%}" if percent else f"{v:g}")}</text>')
    for i in range(n):
        if not x_labels[i]:
            continue
        parts.append(f'<text x="{px(i + 0.5):.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="10">'
                     f'{html.escape(x_labels[i])}</text>')
    parts.append(f'<text x="14" y="{top + ph / 2:.1f}" font-size="11" transform="rotate(-90 14 {top + ph / 2:.1f})" '
                 f'text-anchor="middle">{html.escape(y_label)}</text>')
    if band is not None:
        lo, hi = (np.clip(np.nan_to_num(np.asarray(b, dtype=float)), 0.0, y_max) for b in band)
        pts = [f"{px(i + 0.5):.1f},{py(hi[i]):.1f}" for i in range(n)]
        pts += [f"{px(i + 0.5):.1f},{py(lo[i]):.1f}" for i in reversed(range(n))]
        parts.append(f'<polygon points="{" ".join(pts)}" fill="#9ecae1" fill-opacity="0.45" stroke="none"/>')
    if target is not None:
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(target):.1f}" y2="{py(target):.1f}" '
                     f'stroke="#d62728" stroke-dasharray="6 4"/>')
    for name, values, colour, style in series:
        vals = np.clip(np.nan_to_num(np.asarray(values, dtype=float)), 0.0, y_max)
        if style == "step":
            pts = []
            for i in range(n):
                pts += [f"{px(i):.1f},{py(vals[i]):.1f}", f"{px(i + 1):.1f},{py(vals[i]):.1f}"]
        else:
            pts = [f"{px(i + 0.5):.1f},{py(vals[i]):.1f}" for i in range(n)]
        parts.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for lx, row_i, name, colour, style in slots:
        ly = top + ph + 34 + 16 * row_i
        dash = ' stroke-dasharray="6 4"' if style == "dash" else ""
        parts.append(f'<line x1="{lx}" x2="{lx + 18}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" '
                     f'stroke-width="2"{dash}/>')
        parts.append(f'<text x="{lx + 22}" y="{ly}" font-size="11">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;margin:2rem auto;max-width:52rem;padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin:0 0 .2rem} h2{font-size:1.1rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #ccc}
.meta{color:#555;font-size:.85rem} .rec{font-size:1.15rem;background:#f3f7fb;border-left:4px solid #2b6cb0;padding:.6rem .9rem}
.rec.miss{background:#fdecea;border-left-color:#c00000;color:#8b0000}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.5rem}
.card{border:1px solid #ddd;border-radius:4px;padding:.4rem .6rem} .card .v{font-size:1.3rem;font-weight:600}
.card .l{font-size:.8rem;color:#555} .card .n{font-size:.8rem;color:#222} table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{border-bottom:1px solid #e2e2e2;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#f4f4f4} figure{margin:0} figcaption{font-size:.85rem;color:#444}
@media print{body{margin:0;max-width:none;font-size:10pt}.rec{background:none}h2{break-after:avoid}
figure,table,.cards{break-inside:avoid}@page{size:A4;margin:12mm}}
"""


def _when(ts: Any) -> str:
    """An interval start in words for captions, e.g. ``Mon 2022-06-06 10:30``."""
    return pd.Timestamp(ts).strftime("%a %Y-%m-%d %H:%M")


def _ds_labels(ds: pd.Series) -> list[str]:
    """Axis labels per interval: the time of day, or the day (``Mon 06``) at each day's first
    interval when the intervals span several days; empty where no tick is wanted."""
    ds = pd.Series(pd.to_datetime(ds)).reset_index(drop=True)
    if not len(ds):
        return []
    day = ds.dt.normalize()
    if day.nunique() > 1:
        first_of_day = (day != day.shift()).to_numpy()
        return [t.strftime("%a %d") if first else "" for t, first in zip(ds, first_of_day)]
    hours = max(1, math.ceil(len(ds) * _ds_step_s(ds) / 3600.0 / 8))
    return [t.strftime("%H:%M") if (t.minute == 0 and t.hour % hours == 0) or len(ds) <= 8 else ""
            for t in ds]


def _result_headlines(res: Any, language: str) -> tuple[list[tuple[str, str]], str, str, str]:
    """Headline cards, recommendation, chart SVG, caption for a SimulationResult."""
    sc = res.scenario
    iv = res.intervals
    interval_s = res.interval_s
    totals = workforce_totals(iv["agents"].to_numpy(), interval_s, sc)
    agent_hours, fte = totals["agent_hours"], totals["fte"]

    def ci(metric: str, kind: str) -> str:
        if metric not in res.summary.index:
            return "–"
        m, lo, hi = (float(res.summary.at[metric, c]) for c in ("mean", "lo", "hi"))
        return f"{_fmt(m, kind)} (95% CI {_fmt(lo, kind)}–{_fmt(hi, kind)})"

    sl = float(res.summary.at["service_level", "mean"]) if "service_level" in res.summary.index else float("nan")
    cards = [
        (_t("peak_agents", language), _fmt(float(iv["agents"].max()), "int")),
        (_t("agent_hours", language), _fmt(agent_hours, "num")),
        (_t("fte", language), _fmt(fte, "num")),
        (_t("cost", language), _fmt(totals["cost"], "money")),
        (f"{_t('sl_expected', language)} ({_t('target', language)} {sc.sl_target:.0%} / {sc.sl_threshold:g} s)",
         ci("service_level", "pct")),
        (_t("abandonment", language), ci("abandon_rate", "pct")),
        (_t("got_through", language), ci("got_through_rate", "pct")),
        (_metric_label("asa_s", language)[0], ci("asa_s", "sec")),
    ]
    met = sl >= sc.sl_target
    if language == "en":
        rec = (f"With {int(iv['agents'].max())} agents at the peak ({agent_hours:,.0f} agent-hours), scenario "
               f"“{sc.name}” answers {sl:.0%} of calls within {sc.sl_threshold:g} s: the {sc.sl_target:.0%} "
               f"target is {'met' if met else 'NOT met'}.")
    else:
        rec = (f"Avec {int(iv['agents'].max())} agents à la pointe ({agent_hours:,.0f} heures-agents), le scénario "
               f"« {sc.name} » répond à {sl:.0%} des appels en {sc.sl_threshold:g} s : la cible de "
               f"{sc.sl_target:.0%} {'est atteinte' if met else 'N’EST PAS atteinte'}.")
    label = _metric_label("service_level", language)[0]
    lo = iv["service_level_lo"] if "service_level_lo" in iv else iv["service_level"]
    hi = iv["service_level_hi"] if "service_level_hi" in iv else iv["service_level"]
    desc = (f"{label} per interval with its 95% confidence band and the {sc.sl_target:.0%} target; "
            f"overall {sl:.1%}, lowest interval {np.nanmin(iv['service_level'].to_numpy(dtype=float)):.1%}.")
    svg = _svg_chart(_ds_labels(iv["ds"]), [(label, iv["service_level"].to_numpy(dtype=float), "#2b6cb0", "line")],
                     title=f"{label} per interval", desc=desc, y_label=f"{label} (%)", percent=True,
                     band=(lo.to_numpy(dtype=float), hi.to_numpy(dtype=float)), target=sc.sl_target,
                     target_label=f"{_t('target', language)} {sc.sl_target:.0%}")
    return cards, rec, svg, desc


def _ds_step_s(ds: pd.Series) -> float:
    """The interval length of a table's ``ds`` by the one rule (:func:`simulate.demand.interval_of`)."""
    from simulate.demand import interval_of

    return interval_of(ds) if pd.Series(ds).nunique() > 1 else 3600.0


def _plan_headlines(plan: Any, result: Any, language: str) -> tuple[list[tuple[str, str]], str, str, str, bool]:
    """Headline cards, recommendation (the simulated verdict first), chart SVG, caption, and whether
    the plan misses its target in its own simulation (the recommendation is then shown in red)."""
    s, sc, req = plan.summary, plan.scenario, plan.requirements
    sim = result if result is not None else getattr(plan, "simulation", None)
    if sim is not None:
        def ci(metric: str, kind: str) -> str:
            m, lo, hi = (float(sim.summary.at[metric, c]) for c in ("mean", "lo", "hi"))
            return f"{_fmt(m, kind)} (95% CI {_fmt(lo, kind)}–{_fmt(hi, kind)})"
        sl_text, ab_text, gt_text = ci("service_level", "pct"), ci("abandon_rate", "pct"), ci("got_through_rate", "pct")
        asa_text = ci("asa_s", "sec")
    else:
        method = {"erlang_c": "Erlang C", "erlang_a": "Erlang A"}.get(plan.method, plan.method)
        sl_text = f"{_fmt(_weighted(req['service_level'], req['calls']), 'pct')} ({method})"
        ab_text = f"{_fmt(_weighted(req['abandon_rate'], req['calls']), 'pct')} ({method})"
        asa_text = f"{_fmt(_weighted(req['asa_s'], req['calls']), 'sec')} ({method})"
        gt_text = _t("not_simulated", language)
    basis = s.get("basis", "requirement")
    cards = [
        (f"{_t('sl_expected', language)} ({_t('target', language)} {sc.sl_target:.0%} / {sc.sl_threshold:g} s)", sl_text),
        (_t("abandonment", language), ab_text),
        (_metric_label("asa_s", language)[0], asa_text),
        (_t("got_through", language), gt_text),
    ]
    if s.get("intervals_meeting_target") is not None and s.get("intervals_open"):
        cards.append((_t("intervals_meeting_target", language),
                      f"{s['intervals_meeting_target']} / {s['intervals_open']}"))
    cards += [
        (_t("peak_agents", language), _fmt(s.get("peak_agents"), "int")),
        (_t("peak_scheduled", language), _fmt(s.get("peak_scheduled"), "int")),
        (_t("agent_hours", language), _fmt(s.get("agent_hours"), "num")),
        (f"{_t('paid_hours', language)} ({_t('basis_' + basis, language)})", _fmt(s.get("paid_hours"), "num")),
        (_t("fte", language), _fmt(s.get("fte"), "num")),
        (_t("cost", language), _fmt(s.get("cost"), "money")),
    ]
    sched = plan.schedule
    if sched is not None:
        cards += [(_t("ideal_paid_hours", language), _fmt(s.get("ideal_paid_hours"), "num")),
                  (_t("ideal_cost", language), _fmt(s.get("ideal_cost"), "money")),
                  (_t("granularity_hours", language), _fmt(s.get("granularity_hours"), "num")),
                  (_t("schedule_shifts", language), _fmt(sched.headcount, "int"))]
    fte, paid, cost = s.get("fte", float("nan")), s.get("paid_hours", 0.0), s.get("cost", 0.0)
    verdict = plan.verdict(language) + " " if hasattr(plan, "verdict") and result is None else ""
    if language == "en":
        rec = (f"{verdict}Schedule {s.get('peak_scheduled')} agents at the peak: {paid:,.0f} paid hours, "
               f"{fte:.1f} FTE, cost {cost:,.2f}")
    else:
        rec = (f"{verdict}Prévoir {s.get('peak_scheduled')} agents à la pointe : {paid:,.0f} heures payées, "
               f"{fte:.1f} ETP, coût {cost:,.2f}")
    if sched is not None:
        short = int(len(sched.short))
        gran, ideal = s.get("granularity_hours", 0.0), s.get("ideal_paid_hours", 0.0)
        if language == "en":
            rec += (f" in {sched.headcount} shifts; the requirement alone needs {ideal:,.0f} paid hours: the schedule "
                    f"pays {gran:,.0f} h for shift granularity"
                    + ("." if sched.feasible else f", and leaves {short} interval(s) short (headcount cap)."))
        else:
            rec += (f" en {sched.headcount} quarts; le besoin seul demande {ideal:,.0f} heures payées : l'horaire "
                    f"paie {gran:,.0f} h de plus à cause des quarts entiers"
                    + ("." if sched.feasible else f", et {short} intervalle(s) restent en manque (plafond d'effectif)."))
    else:
        rec += "."
    alert = s.get("meets_target") is False
    if result is not None:
        alert = float(result.summary.at["service_level", "mean"]) < sc.sl_target
    labels = _ds_labels(req["ds"])
    req_label, on_label = _t("agents_required", language), _t("agents", language)
    series = [(req_label, req["agents_required"].to_numpy(dtype=float), "#d62728", "line"),
              (on_label, req["agents"].to_numpy(dtype=float), "#2b6cb0", "step")]
    if sched is not None and len(sched.coverage) == len(req):
        series.append((_t("scheduled", language), req["scheduled"].to_numpy(dtype=float), "#7f7f7f", "line"))
        series.append((_t("on_duty", language), sched.coverage["scheduled"].to_numpy(dtype=float), "#2ca02c", "step"))
    peak_i = int(np.argmax(req["agents"].to_numpy())) if len(req) else 0
    desc = (f"{on_label} and {req_label.lower()} per interval; peak {int(req['agents'].max()) if len(req) else 0} "
            f"agents at {_when(req['ds'].iloc[peak_i]) if len(req) else '–'}; {s.get('agent_hours', 0):,.0f} agent-hours in all.")
    if sched is not None:
        desc += (f" Shift schedule: {sched.headcount} shifts, {sched.paid_hours:,.0f} paid hours, at most "
                 f"{sched.coverage['scheduled'].max():g} people on duty"
                 + ("." if sched.feasible else f"; {len(sched.short)} interval(s) short."))
    svg = _svg_chart(labels, series, title=f"{on_label} per interval", desc=desc, y_label=_t("u_agents", language))
    return cards, rec, svg, desc, alert


def to_report(plan_or_result: Any, path: str | Path, *, title: str | None = None, language: str = "en",
              result: Any = None) -> Path:
    """Write a self-contained, printable one-page HTML report for a manager; returns the path.

    ``plan_or_result``: a staffing recommendation or a SimulationResult. For a recommendation the
    service level, abandonment, ASA and callers who got through come with 95% confidence intervals
    from its own simulation (``rec.simulation``; ``result`` overrides it), its verdict opens the
    recommendation, shown in red when the plan misses its target; without any simulation the
    method's own predictions are shown, weighted by calls. Paid hours, FTE and cost are the
    recommendation's ``summary`` (the schedule's when one is attached, with the ideal figures and
    the difference beside them). No external resources, no JavaScript: inline CSS
    (with print rules) and an inline SVG chart with a title, a description and a caption.
    """
    language = _check_language(language)
    alert = False
    if _is_plan(plan_or_result):
        cards, rec, svg, caption, alert = _plan_headlines(plan_or_result, result, language)
        assumptions = [t for t in tables(plan_or_result, language=language) if t.name == _t("Assumptions", language)][0]
        name = plan_or_result.scenario.name
    elif _is_result(plan_or_result):
        cards, rec, svg, caption = _result_headlines(plan_or_result, language)
        assumptions = tables(plan_or_result, language=language)[-1]
        name = plan_or_result.scenario.name
    else:
        raise ValueError(f"to_report: expected a StaffingPlan or a SimulationResult, got {type(plan_or_result).__name__}")
    title = title or f"{_t('report_title', language)}: {name}"
    date = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    esc = html.escape
    rows = []
    frame = assumptions.frame
    for r in range(len(frame)):
        cells = []
        for col in frame.columns:
            value = frame[col].iloc[r]
            kind = assumptions.kind(r, str(col))
            text = _fmt(value, kind) if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
                value, bool) else ("" if value is None else str(value))
            cells.append(f"<td>{esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{esc(str(c))}</th>" for c in frame.columns)
    card_html = ""
    for label, value in cards:
        main, _, note = value.partition(" (")  # "75.4% (95% CI 50.9%–99.8%)": the figure big, its note small
        note_html = f'<div class="n">{esc(note[:-1])}</div>' if note else ""
        card_html += (f'<div class="card"><div class="v">{esc(main)}</div>{note_html}'
                      f'<div class="l">{esc(label)}</div></div>')
    doc = f"""<!DOCTYPE html>
<html lang="{esc(language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title><style>{_CSS}</style></head>
<body>
<h1>{esc(title)}</h1>
<p class="meta">{esc(_t('made_with', language).format(version=_version(), date=date))}</p>
<h2>{esc(_t('recommendation', language))}</h2>
<p class="{'rec miss' if alert else 'rec'}">{esc(rec)}</p>
<h2>{esc(_t('headline', language))}</h2>
<div class="cards">{card_html}</div>
<h2>{esc(_t('chart', language))}</h2>
<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>
<h2>{esc(_t('Assumptions', language))}</h2>
<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>
</body></html>
"""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc, encoding="utf-8")
    return path
