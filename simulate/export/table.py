"""Objects to tables: pure functions from a result, a comparison, a recommendation or a schedule to
the list of tables every writer renders (Excel sheets, CSV files, the report's assumptions).

A :class:`Table` holds display-ready columns (headers in the export's language, with units) and the
display kind of each cell, so the Excel writer can give each number its format and the CSV writer
can write shares as percentages; the values stay numbers. Dispatch is on the object's type
(:func:`tables` is a :func:`functools.singledispatch` function): a new exportable type registers
its own function here.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import importlib.metadata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from simulate import i18n
from simulate.export import labels as L
from simulate.metrics import compare
from simulate.result import SimulationResult
from simulate.schedule import Schedule
from simulate.staffing import StaffingRecommendation

__all__ = ["Table", "tables", "tool_version", "EXPORTABLE"]

#: what can be exported, in words (for error messages)
EXPORTABLE = ("a SimulationResult, a mapping of scenario name -> SimulationResult, a StaffingRecommendation, "
              "a Schedule, or a capacity plan (simulate.capacity.CapacityPlan or PlanWithWhatIfs)")


@dataclass(frozen=True, eq=False)
class Table:
    """One sheet / one CSV file.

    key: a stable identifier (``summary``, ``intervals``, ``schedule``, ``coverage``, ``methods``,
        ``risk``, ``assumptions``), the same in every language; name: the sheet name in the
        export's language; main: the table CSV writes to the path given (the others beside it).
    frame: display headers; values are numbers, timestamps (wall-clock; a time zone goes in the
        header) or text. kinds: header -> display kind (see :mod:`simulate.export.labels`);
        row_kinds (one per row) overrides the kind of the ``row_kind_columns`` (key/value tables
        such as the Summary); alert_rows: rows shown in red (a plan that misses its target).
    copy_of: the key of the table this one repeats under another sheet name (CSV leaves it out).
    """

    key: str
    name: str
    frame: pd.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)
    row_kinds: tuple[str, ...] | None = None
    row_kind_columns: tuple[str, ...] = ()
    alert_rows: tuple[int, ...] = ()
    main: bool = False
    copy_of: str | None = None

    def kind(self, row: int, column: str) -> str:
        """The display kind of one cell."""
        if self.row_kinds is not None and column in self.row_kind_columns:
            return self.row_kinds[row]
        return self.kinds.get(column, "text")


@functools.singledispatch
def tables(obj: Any, *, language: str = "en", name: str | Mapping[str, str] | None = None) -> list[Table]:
    """The tables of ``obj`` in sheet order, headers and words in ``language`` ("en" or "fr").

    ``obj``: a :class:`~simulate.SimulationResult` (Summary, Intervals, Assumptions); a mapping
    ``{scenario name: SimulationResult}`` (a comparison: Summary with one column per scenario and
    its 95% bounds, Intervals of every scenario, Assumptions with one column per scenario); a
    :class:`~simulate.StaffingRecommendation` (Summary: the verdict, the quick estimates and
    ``rec.summary``; Intervals: requirements and the plan's simulation; Schedule and Coverage (or
    the requirements again without a schedule); Risk and Methods when present; Assumptions); a
    :class:`~simulate.Schedule` (Summary, Schedule, Intervals (coverage), Assumptions).
    ``name``: the scenario's name to show (a string, or ``{"en": ..., "fr": ...}``); default the
    scenario's own (a comparison shows its keys: pass the names to show as keys). Raises
    ValueError for anything else.
    """
    raise ValueError(f"export: expected {EXPORTABLE}, got {type(obj).__name__}")


def _word(key: str, language: str) -> str:
    return L.word(key, language)


def _wall_clock(series: pd.Series) -> tuple[pd.Series, str | None]:
    """Timestamps as wall-clock times and the name of their zone (None when naive)."""
    tz = getattr(series.dtype, "tz", None)
    if tz is None:
        return series, None
    return series.dt.tz_localize(None), str(tz)


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


def _columns(df: pd.DataFrame, language: str, key: str, name: str, *, main: bool = False,
             known: Callable[[str, str], tuple[str, str | None, str] | None] = L.column) -> Table:
    """A frame with known column names (intervals, shifts, methods, risk) relabelled with units;
    booleans and codes in words; timestamps as wall-clock times with the zone in the header.
    ``known(column, language)``: (label, unit key, kind) of a column, None if unknown
    (:func:`simulate.export.labels.column` by default; capacity plans pass their own)."""
    out, kinds = {}, {}
    for col in df.columns:
        col_s = str(col)
        found = known(col_s, language)
        series = df[col].reset_index(drop=True)
        label: str
        unit_key: str | None
        kind: str
        if found is not None:
            label, unit_key, kind = found
        elif col_s.endswith("_s"):
            label, unit_key, kind = col_s, "u_seconds", "sec"
        else:
            label, unit_key, kind = col_s, None, _kind_of_series(series)
        head = L.header(label, unit_key, language)
        series, tz = _wall_clock(series)
        if tz is not None:
            head = f"{head} ({tz})"
        if pd.api.types.is_bool_dtype(series):
            series = series.map(lambda v: L.yes_no(v, language))
        elif col_s in L.ENUMS:
            series = series.map(lambda v, field=col_s: L.value(field, v, language))
        elif col_s == "breaks":
            series = series.map(lambda v: L.breaks(v, language))
        out[head] = series
        kinds[head] = kind
    return Table(key=key, name=name, frame=pd.DataFrame(out), kinds=kinds, main=main)


def tool_version() -> str:
    try:
        return importlib.metadata.version("queuecast")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _created() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


Row = tuple[str, str, str, Any, str]  # parameter, unit, kind, value, description


def _call_types(call_types: tuple[Any, ...], language: str) -> str:
    if not call_types:
        return _word("none", language)
    as_scenario = _word("as_scenario", language)
    return "; ".join(
        L.word("call_type", language, name=ct.name, share=ct.share,
               aht=i18n.fmt_duration(ct.aht, language) if ct.aht is not None else as_scenario,
               patience=i18n.fmt_duration(ct.patience, language) if ct.patience is not None else as_scenario,
               priority=ct.priority)
        + (L.word("call_type_skill", language, skill=ct.skill) if getattr(ct, "skill", None) else "")
        for ct in call_types)


def _agent_groups(groups: tuple[Any, ...], language: str) -> str:
    if not groups:
        return _word("none", language)
    return "; ".join(
        L.word("agent_group", language, name=g.name, skills=", ".join(g.skills))
        + (L.word("agent_group_cost", language, cost=i18n.fmt_money(g.hourly_cost, language))
           if g.hourly_cost is not None else "")
        for g in groups)


def _scenario_rows(scenario: Any, language: str, shown_name: str) -> list[Row]:
    """(parameter, unit, kind, value, description) for every Scenario field, in field order."""
    rows = []
    for f in fields(scenario):
        value = getattr(scenario, f.name)
        unit_key, kind = L.SCENARIO_FIELDS.get(f.name, (None, "text"))
        if f.name == "name":
            value = shown_name
        elif f.name == "call_types":
            value = _call_types(value, language)
        elif f.name == "agent_groups":
            value = _agent_groups(value, language)
        if value is None or isinstance(value, str):
            kind = "text"
        description = i18n.text(f"field.{f.name}", language) if i18n.has(f"field.{f.name}") else f.name
        rows.append((f.name, L.unit(unit_key, language), kind, L.value(f.name, value, language), description))
    return rows


def _meta_rows(language: str, **items: Any) -> list[Row]:
    rows: list[Row] = [("tool_version", "", "text", tool_version(), _word("tool_version", language)),
                       ("created", "", "text", _created(), _word("created", language))]
    for key, value in items.items():
        if value is None:
            continue
        kind = "int" if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else "text"
        rows.append((key, "", kind, L.value(key, value, language), _word(key, language)))
    return rows


def _assumptions(columns: Mapping[str, list[Row]], language: str) -> Table:
    """Parameter | Unit | one value column per scenario | Description.

    Parameter is the field's name in a scenario file (``redial_prob``), an English identifier: the
    English table starts with it so that a row can be traced to the file; the French table leaves it
    out (Unité | valeurs | Description), so that a French reader meets no English word."""
    names = list(columns)
    first = columns[names[0]]
    value_headers = [_word("value", language)] if len(names) == 1 else [str(n) for n in names]
    data: dict[str, list[Any]] = {}
    if L.SHOW_IDENTIFIERS[language]:
        data[_word("parameter", language)] = [r[0] for r in first]
    data[_word("unit", language)] = [r[1] for r in first]
    for head, n in zip(value_headers, names):
        by_key = {r[0]: r[3] for r in columns[n]}
        data[head] = [by_key.get(r[0]) for r in first]
    data[_word("description", language)] = [r[4] for r in first]
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    return Table(key="assumptions", name=_word("Assumptions", language), frame=frame,
                 row_kinds=tuple(r[2] for r in first), row_kind_columns=tuple(value_headers))


def _key_values(summary: Mapping[str, Any], language: str) -> Table:
    """Metric | Unit | Value, one row per figure (frames and lists left out: other tables hold them)."""
    keys, units, values, kinds = [], [], [], []
    for key, value in summary.items():
        if isinstance(value, (list, dict, tuple, pd.DataFrame, pd.Series, np.ndarray)):
            continue
        unit_key, kind = L.SUMMARY_KEYS.get(key, (None, "num"))
        value = L.value(key, value, language)
        if isinstance(value, str):
            kind = "text"
        keys.append(_word(key, language) if i18n.has(f"export.{key}") else key)
        units.append(L.unit(unit_key, language))
        values.append(value)
        kinds.append(kind)
    value_h = _word("value", language)
    frame = pd.DataFrame({_word("metric", language): keys, _word("unit", language): units,
                          value_h: pd.Series(values, dtype=object)})
    return Table(key="summary", name=_word("Summary", language), frame=frame, row_kinds=tuple(kinds),
                 row_kind_columns=(value_h,))


def _schedule_tables(sched: Schedule, language: str) -> tuple[Table, Table]:
    shifts = _columns(sched.shifts, language, "schedule", _word("Schedule", language))
    coverage = _columns(sched.coverage.rename(columns={"scheduled": "on_duty"}), language, "coverage",
                        _word("Coverage", language))
    return shifts, coverage


def _status(sched: Schedule) -> str:
    """The solver's outcome as a code of the catalogue (value.status.<code>)."""
    if sched.headcount == 0 and sched.required_agent_hours <= 0:
        return "empty"
    if not sched.feasible:
        return "partial"
    return "optimal" if sched.optimal else "not_proven"


# ---------------------------------------------------------------------------------------------
# one function per exportable type


@tables.register
def _(obj: SimulationResult, *, language: str = "en", name: str | Mapping[str, str] | None = None) -> list[Table]:
    i18n.check_language(language)
    shown = L.display_name(name, language, obj.scenario.name)
    return [
        _result_summary(obj.summary, language),
        _columns(obj.intervals, language, "intervals", _word("Intervals", language), main=True),
        _assumptions({shown: _scenario_rows(obj.scenario, language, shown) + _meta_rows(
            language, engine=obj.engine, seed=obj.seed, replications=obj.replications)}, language),
    ]


def _result_summary(summary: pd.DataFrame, language: str) -> Table:
    """A SimulationResult summary (index metric; mean, lo, hi) with labels, units and definitions."""
    rows, kinds = [], []
    mean, lo, hi = _word("mean", language), _word("lo", language), _word("hi", language)
    for m in summary.index:
        label, unit_key, kind = L.metric(str(m), language)
        rows.append({_word("metric", language): label, _word("unit", language): L.unit(unit_key, language),
                     mean: float(summary.at[m, "mean"]), lo: float(summary.at[m, "lo"]),
                     hi: float(summary.at[m, "hi"]), _word("definition", language): L.definition(str(m), language)})
        kinds.append(kind)
    return Table(key="summary", name=_word("Summary", language), frame=pd.DataFrame(rows), row_kinds=tuple(kinds),
                 row_kind_columns=(mean, lo, hi))


@tables.register
def _(obj: Mapping, *, language: str = "en", name: str | Mapping[str, str] | None = None) -> list[Table]:
    i18n.check_language(language)
    if not obj or not all(isinstance(v, SimulationResult) for v in obj.values()):
        raise ValueError(f"export: expected {EXPORTABLE}; this mapping holds "
                         f"{sorted({type(v).__name__ for v in obj.values()}) or 'nothing'}")
    names = [str(n) for n in obj]
    cmp = compare(obj)
    rows, kinds = [], []
    value_cols: list[str] = []
    for metric in cmp.index:
        label, unit_key, kind = L.metric(str(metric), language)
        if metric == "cost":  # compare's paid cost of each staffing (simulate.workforce_totals)
            label, unit_key, kind = _word("cost", language), "u_currency", "money"
        row: dict[str, Any] = {_word("metric", language): label, _word("unit", language): L.unit(unit_key, language)}
        for n in names:
            for suffix, key in (("", "mean"), ("_lo", "lo"), ("_hi", "hi")):
                head = n if not suffix else f"{n}, {_word(key, language)}"
                row[head] = float(cmp.at[metric, f"{n}{suffix}"])
                if head not in value_cols:
                    value_cols.append(head)
        best = cmp.at[metric, "best"]
        row[_word("best", language)] = ", ".join(best) if isinstance(best, tuple) else best
        row[_word("definition", language)] = (L.definition(str(metric), language) if metric != "cost"
                                              else _word("cost", language))
        rows.append(row)
        kinds.append(kind)
    summary = Table(key="summary", name=_word("Summary", language), frame=pd.DataFrame(rows),
                    row_kinds=tuple(kinds), row_kind_columns=tuple(value_cols))
    parts = []
    for n, res in obj.items():
        part = res.intervals.copy()
        part.insert(0, "scenario", str(n))
        parts.append(part)
    intervals = _columns(pd.concat(parts, ignore_index=True), language, "intervals", _word("Intervals", language),
                         main=True)
    columns = {str(n): _scenario_rows(res.scenario, language, str(n)) + _meta_rows(
        language, engine=res.engine, seed=res.seed, replications=res.replications) for n, res in obj.items()}
    return [summary, intervals, _assumptions(columns, language)]


@tables.register
def _(obj: StaffingRecommendation, *, language: str = "en",
      name: str | Mapping[str, str] | None = None) -> list[Table]:
    i18n.check_language(language)
    shown = L.display_name(name, language, obj.scenario.name)
    out = [_recommendation_summary(obj, language)]
    intervals = _columns(obj.requirements, language, "intervals", _word("Intervals", language), main=True)
    if obj.verification is not None:
        ver = obj.verification.drop(columns=[c for c in ("ds", "calls", "agents", "open")
                                             if c in obj.verification.columns])
        simulated = _columns(ver, language, "", "")
        frame, kinds = intervals.frame.copy(), dict(intervals.kinds)
        for col in simulated.frame.columns:
            head = f"{_word('simulated_prefix', language)}{col[0].lower()}{col[1:]}"
            frame[head] = simulated.frame[col].to_numpy()
            kinds[head] = simulated.kinds[col]
        intervals = dataclasses.replace(intervals, frame=frame, kinds=kinds)
    out.append(intervals)
    if obj.schedule is not None:
        out += list(_schedule_tables(obj.schedule, language))
    else:  # the requirements again, under the sheet name a planner looks for
        out.append(dataclasses.replace(intervals, key="schedule", name=_word("Schedule", language), main=False,
                                       copy_of="intervals"))
    if obj.risk is not None and len(obj.risk):
        out.append(_columns(obj.risk, language, "risk", _word("Risk", language)))
    if obj.comparison is not None and len(obj.comparison):
        out.append(_columns(obj.comparison.reset_index(), language, "methods", _word("Methods", language)))
    meta: dict[str, Any] = {"method": obj.method}
    sim = obj.simulated
    if sim:
        meta.update({k: sim.get(k) for k in ("engine", "seed", "replications")})
    elif obj.facts.get("engine") is not None:
        meta["engine"] = obj.facts.get("engine")
    out.append(_assumptions({shown: _scenario_rows(obj.scenario, language, shown) + _meta_rows(language, **meta)},
                            language))
    return out


def _recommendation_summary(rec: StaffingRecommendation, language: str) -> Table:
    """The verdict and the quick estimates in words, then ``rec.summary`` (one figure per row); the
    verdict and "target met" rows are alerts when the plan misses its target in its own simulation."""
    summary = dict(rec.summary)
    head: dict[str, Any] = {"verdict": rec.verdict(language)}
    gap = rec.gap(language)
    if gap:
        head["gap"] = gap
    if "basis" in summary:
        summary["basis"] = _word(f"basis_{summary['basis']}", language)
    rows = {**head, **summary}
    table = _key_values(rows, language)
    if summary.get("meets_target") is False:
        keys = list(rows)
        table = dataclasses.replace(table, alert_rows=tuple(keys.index(k) for k in ("verdict", "meets_target")))
    return table


@tables.register
def _(obj: Schedule, *, language: str = "en", name: str | Mapping[str, str] | None = None) -> list[Table]:
    i18n.check_language(language)
    shifts, coverage = _schedule_tables(obj, language)
    summary = obj.summary()
    summary["status"] = i18n.text(f"value.status.{_status(obj)}", language)
    settings: list[Row] = []
    for key, value in obj.settings.items():
        unit_key, kind = L.SETTINGS.get(key, (None, "text" if isinstance(value, str) else "num"))
        if key == "breaks" and isinstance(value, str) and value.startswith("auto"):
            value = i18n.text("value.breaks_auto", language)
        elif key == "requirement_column" and isinstance(value, str):
            known = L.column(value, language)
            value = known[0] if known else value
        value = L.value(key, value, language)
        settings.append((key, L.unit(unit_key, language), "text" if isinstance(value, str) else kind, value,
                         i18n.text(f"export.setting.{key}", language) if i18n.has(f"export.setting.{key}") else key))
    return [_key_values(summary, language),
            dataclasses.replace(shifts, main=True),
            dataclasses.replace(coverage, name=_word("Intervals", language)),
            _assumptions({_word("Schedule", language): settings + _meta_rows(language)}, language)]
