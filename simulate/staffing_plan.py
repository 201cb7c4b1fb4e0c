"""StaffingPlan: who is on duty, by timestamp. Separate from the policy (Scenario) and the demand.

A planner says "40 agents Monday to Friday, 08:00 to 20:00", or hands over last month's roster, or
asks "staff to the target", or "the baseline plus 25%". Each of these is a :class:`StaffingPlan`:
a *rule* that gives the agents on duty for any interval it is asked about. It is evaluated on a
:class:`simulate.Demand` by timestamp, never by position, so one plan fits any week, horizon or
data set it covers:

============================================  ==================================================
``StaffingPlan.constant(40)``                 40 agents in every interval
``StaffingPlan.pattern({"Mon-Fri 08:00-20:00": 40, "Sat 09:00-13:00": 12})``
                                              a weekly pattern by weekday and wall-clock time;
                                              0 outside the windows; a later window overrides an
                                              earlier one where they overlap; "22:00-06:00" runs
                                              past midnight; days in English or French
                                              (Mon/lun ... Sun/dim, ``Daily``)
``StaffingPlan.table(frame)``                 a table ``ds, agents`` (each row covers its own
                                              interval, inferred from ``ds`` by the one rule of
                                              :func:`simulate.demand.interval_of`)
``StaffingPlan.sized("erlang_a")``            the least agents meeting the scenario's targets on
                                              the demand it is evaluated on (``"erlang_c"``,
                                              ``"erlang_a"`` or ``"simulation"``)
``StaffingPlan.from_schedule(schedule)``      a shift schedule's coverage
``plan * 1.25``, ``plan + 10``,               relative to another plan: per interval
``StaffingPlan.relative(plan, 1.25, 10)``     ``agents x factor`` rounded so the total stays exact
                                              (cumulative rounding), plus ``add`` only where the
                                              base plan has agents (nights stay closed)
``StaffingPlan.groups({"en": 20, "fr": 6,     a plan per agent group (``Scenario.agent_groups``),
"bilingual": plan})``, or a table             each value any of the above but sized; ``x 1.25``
``ds, group, agents``                         scales every group
============================================  ==================================================

With agent groups (English, French, bilingual...), :meth:`StaffingPlan.group_agents` gives the
agents of each group per interval, (n, G); ``StaffingPlan.sized(...)`` sizes the groups together
(:mod:`simulate.staffing_groups`). A scenario without agent groups has one pool, and its plans are
exactly as above.

A table that does not cover an open interval of the demand (one with calls expected) is an
error naming the first uncovered interval; covering extra intervals is fine. A plan is frozen and
hashable (a safe cache key) and round-trips through plain dicts (:meth:`to_dict`,
:meth:`from_dict`), which is how the app keeps each scenario's staffing rule in its share link.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulate.demand import Demand, _error, _shown, as_demand, interval_of

if TYPE_CHECKING:
    from simulate.scenario import Scenario

__all__ = ["StaffingPlan", "as_plan", "SIZING_METHODS"]

SIZING_METHODS = ("auto", "erlang_c", "erlang_a", "simulation")
_MAX_AGENTS = 1_000_000

_DAYS = {  # English and French day names -> Monday = 0
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6,
}
_WINDOW = re.compile(r"^\s*(?P<days>[A-Za-zéû.,\- ]+?)\s+(?P<start>\d{1,2}(?::|h)\d{2})\s*[-–]\s*"
                     r"(?P<end>\d{1,2}(?::|h)\d{2})\s*$")


def _agents_value(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or float(value) < 0 or not float(value).is_integer():
        raise ValueError(f"{what} must be a whole number of agents >= 0, got {_shown(value)!r}")
    if float(value) > _MAX_AGENTS:
        raise ValueError(f"{what} is {_shown(value)!r}; at most {_MAX_AGENTS:,} agents per interval")
    return int(value)


def _clock(text: str, what: str) -> float:
    h, m = re.split(r"[:h]", text)
    hours, minutes = int(h), int(m)
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"{what}: {text!r} is not a time of day (00:00 to 24:00)")
    return hours * 3600.0 + minutes * 60.0


def _days(text: str, what: str) -> tuple[int, ...]:
    t = text.strip().lower().replace(".", "")
    if t in ("daily", "all", "every day", "tous les jours", "tlj"):
        return tuple(range(7))
    out: list[int] = []
    for part in re.split(r"\s*,\s*", t):
        ends = [p.strip()[:3] for p in re.split(r"\s*[-–]\s*", part)]
        if not ends or any(e not in _DAYS for e in ends) or len(ends) > 2:
            raise ValueError(f"{what}: {part!r} is not a day or a range of days (Mon-Fri, Sat, lun-ven...)")
        a = _DAYS[ends[0]]
        b = _DAYS[ends[-1]]
        out.extend((a + i) % 7 for i in range(((b - a) % 7) + 1))
    return tuple(sorted(set(out)))


def _parse_pattern(pattern: Mapping[str, Any]) -> tuple[tuple[tuple[int, ...], float, float, int], ...]:
    if not isinstance(pattern, Mapping) or not pattern:
        raise ValueError("StaffingPlan.pattern expects a mapping such as {'Mon-Fri 08:00-20:00': 40}")
    windows = []
    for key, value in pattern.items():
        what = f"staffing pattern {key!r}"
        m = _WINDOW.match(str(key))
        if not m:
            raise ValueError(f"{what}: expected days and hours such as 'Mon-Fri 08:00-20:00'")
        start, end = _clock(m["start"], what), _clock(m["end"], what)
        if start == end:
            raise ValueError(f"{what}: the window is empty (start = end)")
        windows.append((_days(m["days"], what), start, end, _agents_value(value, what)))
    return tuple(windows)


def _pattern_text(window: tuple[tuple[int, ...], float, float, int]) -> str:
    days, start, end, _ = window
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    runs, i = [], 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        runs.append(names[days[i]] if i == j else f"{names[days[i]]}-{names[days[j]]}")
        i = j + 1
    fmt = lambda s: f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}"  # noqa: E731
    return f"{','.join(runs)} {fmt(start)}-{fmt(end)}"


@dataclass(frozen=True)
class StaffingPlan:
    """Agents on duty as a rule evaluated by timestamp (see the module docstring).

    Build one with the class methods; evaluate it with :meth:`agents` (an int64 array aligned to a
    demand), :meth:`group_agents` (per agent group) or :meth:`frame`. ``kind`` is one of
    "constant", "pattern", "table", "sized", "relative", "groups"; ``spec`` is its hashable
    description.
    """

    kind: str
    spec: tuple

    # ------------------------------------------------------------------ makers
    @classmethod
    def constant(cls, agents: int) -> StaffingPlan:
        """The same number of agents in every interval."""
        return cls("constant", (_agents_value(agents, "agents"),))

    @classmethod
    def pattern(cls, pattern: Mapping[str, Any]) -> StaffingPlan:
        """A weekly pattern: ``{"Mon-Fri 08:00-20:00": 40, "Sat 09:00-13:00": 12}`` (wall-clock times)."""
        return cls("pattern", _parse_pattern(pattern))

    @classmethod
    def table(cls, frame: pd.DataFrame, *, interval: Any = None, column: str = "agents") -> StaffingPlan:
        """A table of agents by timestamp: ``ds`` (column or DatetimeIndex) and ``agents`` (whole, >= 0),
        and optionally ``group`` (an agent group's name: the table is then a plan per group, see
        :meth:`groups`; each group's rows must cover the open intervals).

        Each row covers ``[ds, ds + interval)``; ``interval`` (seconds or "30min") is inferred from
        ``ds`` when not given. A table finer than the demand's intervals is averaged over each
        interval (time-weighted, rounded to whole agents)."""
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"StaffingPlan.table expects a DataFrame with ds and {column} columns, "
                             f"got {type(frame).__name__}")
        df = frame if "ds" in frame.columns else frame.rename_axis("ds").reset_index()
        if "ds" not in df.columns or column not in df.columns:
            raise _error(f"staffing table: expected columns 'ds' and {column!r}, got {list(frame.columns)}")
        if len(df) == 0:
            raise _error("staffing table: no rows")
        try:
            ds = pd.DatetimeIndex(pd.to_datetime(df["ds"], errors="coerce"))
        except ValueError:  # UTC offsets that change (daylight saving): the instants are exact in UTC
            ds = pd.DatetimeIndex(pd.to_datetime(df["ds"], errors="coerce", utc=True))
        if ds.hasnans:
            r = int(np.flatnonzero(ds.isna())[0])
            raise _error(f"staffing table: row {r + 1}: 'ds' is not a timestamp, got {_shown(df['ds'].iloc[r])!r}")
        raw = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=np.float64)
        for r, v in enumerate(raw):
            if not (math.isfinite(v) and v >= 0 and float(v).is_integer() and v <= _MAX_AGENTS):
                raise _error(f"staffing table: row {r + 1}, column {column!r}: expected a whole number of agents "
                             f"from 0 to {_MAX_AGENTS:,}, got {_shown(df[column].iloc[r])!r}")
        group = None
        if "group" in df.columns:
            group = df["group"].to_numpy(dtype=object)
            for r, g in enumerate(group):
                if not isinstance(g, str) or not g.strip():
                    raise _error(f"staffing table: row {r + 1}, column 'group': expected an agent group's name, "
                                 f"got {g!r}")
            pairs = pd.MultiIndex.from_arrays([group, ds])
            if pairs.has_duplicates:
                r = int(np.flatnonzero(pairs.duplicated())[0])
                raise _error(f"staffing table: row {r + 1}: timestamp {ds[r]} appears twice for group {group[r]!r}")
        elif ds.has_duplicates:
            r = int(np.flatnonzero(ds.duplicated())[0])
            raise _error(f"staffing table: row {r + 1}: timestamp {ds[r]} appears twice")
        if interval is not None:
            from simulate.demand import _seconds

            step = _seconds(interval, "interval")
        elif ds.nunique() > 1:
            step = interval_of(ds.unique().sort_values())
        else:
            raise _error("staffing table: a single row needs interval= (its length)")
        if group is not None:
            names = list(dict.fromkeys(group))
            return cls.groups({g: cls._table(ds[group == g], raw[group == g], step) for g in names})
        return cls._table(ds, raw, step)

    @classmethod
    def _table(cls, ds: pd.DatetimeIndex, raw: np.ndarray, step: float) -> StaffingPlan:
        order = np.argsort(ds.asi8, kind="stable")
        ds, agents = ds[order], raw[order].astype(np.int64)
        tz = None if ds.tz is None else str(ds.tz)
        ns = tuple(int(x) for x in ds.tz_convert("UTC").asi8) if ds.tz is not None else tuple(int(x) for x in ds.asi8)
        return cls("table", (ns, tuple(int(a) for a in agents), float(step), tz, ds.unit if hasattr(ds, "unit")
                             else "ns"))

    @classmethod
    def groups(cls, plans: Mapping[str, Any]) -> StaffingPlan:
        """A plan per agent group: ``{"en": plan, "fr": 6, "bilingual": {"Mon-Fri 08:00-20:00": 8}}``.

        Each value is anything :func:`as_plan` reads (a plan, a number, a weekly pattern, a table),
        except a plan sized to target (size the whole scenario with ``StaffingPlan.sized`` instead:
        the groups are sized together). The names must be the scenario's agent groups (all of them)
        when the plan is evaluated."""
        if not isinstance(plans, Mapping) or not plans:
            raise ValueError("StaffingPlan.groups expects a mapping of agent group -> plan, such as "
                             "{'en': 20, 'fr': 6, 'bilingual': 8}")
        items = []
        for name, value in plans.items():
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"StaffingPlan.groups: group names must be non-empty strings, got {name!r}")
            plan = as_plan(value)
            if plan.kind == "groups":
                raise ValueError(f"StaffingPlan.groups: the plan of group {name!r} is itself a plan per group")
            if plan.needs_scenario:
                raise ValueError(f"StaffingPlan.groups: the plan of group {name!r} is sized to target; size the "
                                 "whole scenario instead (StaffingPlan.sized(...) sizes every group together)")
            items.append((name, plan))
        return cls("groups", tuple(items))

    @classmethod
    def sized(cls, method: str = "erlang_a", **options: Any) -> StaffingPlan:
        """The least agents meeting the scenario's targets on the demand it is evaluated on.

        method: "auto" (simulation when the scenario has anything Erlang cannot see, else Erlang A),
        "erlang_c", "erlang_a" or "simulation"; options go to
        :func:`simulate.staffing.required_agents` (e.g. ``replications``, ``seed``)."""
        if method not in SIZING_METHODS:
            raise ValueError(f"StaffingPlan.sized: method must be one of {SIZING_METHODS}, got {method!r}")
        return cls("sized", (method, tuple(sorted(options.items()))))

    @classmethod
    def relative(cls, base: StaffingPlan, factor: float = 1.0, add: int = 0) -> StaffingPlan:
        """``base x factor + add`` per interval: the product rounded cumulatively (every interval within
        one agent of the exact value, the total within one), ``add`` only where the base has agents."""
        base = as_plan(base)
        if isinstance(factor, bool) or not isinstance(factor, (int, float, np.integer, np.floating)) \
                or not math.isfinite(float(factor)) or not 0 <= float(factor) <= 100:
            raise ValueError(f"StaffingPlan.relative: factor must be a number from 0 to 100, got {factor!r}")
        if isinstance(add, bool) or not isinstance(add, (int, np.integer)) or abs(int(add)) > _MAX_AGENTS:
            raise ValueError(f"StaffingPlan.relative: add must be a whole number of agents, got {add!r}")
        return cls("relative", (base, float(factor), int(add)))

    @classmethod
    def from_schedule(cls, schedule: Any, *, shrinkage: float = 0.0) -> StaffingPlan:
        """The agents on the phones under a :class:`simulate.Schedule`: the people on duty in each
        interval (its ``coverage.scheduled``) times the share of paid time on the phones,
        ``1 - shrinkage``, rounded down to whole agents (a schedule is usually built on
        ``scheduled = agents / (1 - shrinkage)``, so pass the scenario's shrinkage)."""
        cov = getattr(schedule, "coverage", None)
        if not isinstance(cov, pd.DataFrame) or not {"ds", "scheduled"} <= set(cov.columns):
            raise ValueError("StaffingPlan.from_schedule expects a simulate.Schedule (with a coverage table)")
        if not 0.0 <= float(shrinkage) < 1.0:
            raise ValueError(f"StaffingPlan.from_schedule: shrinkage must be in [0, 1), got {shrinkage!r}")
        agents = np.floor(cov["scheduled"].to_numpy(dtype=np.float64) * (1.0 - float(shrinkage)) + 1e-9)
        return cls.table(pd.DataFrame({"ds": cov["ds"], "agents": agents}),
                         interval=getattr(schedule, "interval_s", None))

    @classmethod
    def parse(cls, text: str) -> StaffingPlan:
        """A plan from a short text (the command line, a form field):

        ``"40"`` (constant), ``"erlang_a"`` / ``"erlang_c"`` / ``"simulation"`` (sized to target), or a
        weekly pattern ``"Mon-Fri 08:00-20:00=40; Sat 09:00-13:00=12"``; any of them followed by
        ``" x 1.25"`` and/or ``" + 10"`` makes it relative. Agents per group read
        ``"en=20; fr=6; bilingual=8"`` (a constant per agent group)."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("staffing: expected a number of agents, a method (erlang_a, erlang_c, simulation) or a "
                             "weekly pattern such as 'Mon-Fri 08:00-20:00=40'")
        body = text.strip()
        factor, add = 1.0, 0
        m = re.search(r"\s+[x×*]\s*([0-9.]+)\s*(?:([+-])\s*(\d+))?\s*$", body) or \
            re.search(r"\s+([+-])\s*(\d+)\s*$", body)
        if m is not None and len(m.groups()) == 3:
            factor = float(m.group(1))
            if m.group(2):
                add = int(m.group(3)) * (1 if m.group(2) == "+" else -1)
            body = body[:m.start()].strip()
        elif m is not None:
            add = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
            body = body[:m.start()].strip()
        if re.fullmatch(r"\d+", body):
            base = cls.constant(int(body))
        elif body in SIZING_METHODS:
            base = cls.sized(body)
        else:
            windows = {}
            for part in filter(None, (p.strip() for p in body.split(";"))):
                key, sep, value = part.rpartition("=")
                if not sep or not value.strip().isdigit():
                    raise ValueError(f"staffing: {part!r} should read like 'Mon-Fri 08:00-20:00=40' (or 'en=20' "
                                     "for agents per group)")
                windows[key.strip()] = int(value)
            if all(re.fullmatch(r"[\w\-]+", k) for k in windows):
                base = cls.groups(windows)
            else:
                base = cls.pattern(windows)
        return base if (factor, add) == (1.0, 0) else cls.relative(base, factor, add)

    def __mul__(self, factor: float) -> StaffingPlan:
        return StaffingPlan.relative(self, factor=factor)

    __rmul__ = __mul__

    def __add__(self, add: int) -> StaffingPlan:
        return StaffingPlan.relative(self, add=add)

    # ------------------------------------------------------------------ evaluation
    def agents(self, demand: Any, scenario: Scenario | None = None) -> np.ndarray:
        """Agents on duty in each interval of ``demand``: int64 array of shape (n,).

        ``scenario`` is needed by sized plans (targets and handle time). With agent groups (a plan per
        group, or a scenario with several groups) this is all groups together (see
        :meth:`group_agents`). Raises forecast.DataError naming the first open interval a table does
        not cover."""
        demand = as_demand(demand)
        kind = self.kind
        if self.per_group or (scenario is not None and len(scenario.group_names) > 1):
            return self.group_agents(demand, scenario).sum(axis=1)
        if kind == "constant":
            return np.full(len(demand), self.spec[0], dtype=np.int64)
        if kind == "pattern":
            return _eval_pattern(self.spec, demand.ds, demand.interval_s)
        if kind == "table":
            return _eval_table(self.spec, demand)
        if kind == "sized":
            if scenario is None:
                raise ValueError("a staffing plan sized to the target needs the scenario (its targets and "
                                 "handle time)")
            from simulate.staffing import required_agents

            method, options = self.spec
            req = required_agents(demand, scenario, method=method, **dict(options))
            return req["agents"].to_numpy(dtype=np.int64)
        if kind == "relative":
            base, factor, add = self.spec
            a = base.agents(demand, scenario).astype(np.float64)
            # cumulative rounding: each interval within one agent of base x factor, and the total
            # agent-hours within one interval's worth of exactly factor x the base's
            cum = np.floor(np.cumsum(a * factor) + 0.5)
            out = np.diff(np.concatenate([[0.0], cum])) + np.where(a > 0, add, 0)
            return np.clip(out, 0, _MAX_AGENTS).astype(np.int64)
        raise ValueError(f"unknown staffing plan kind {kind!r}")

    def group_agents(self, demand: Any, scenario: Scenario | None = None) -> np.ndarray:
        """Agents on duty per interval and agent group: int64 array of shape (n, G), columns in
        ``scenario.group_names`` order (the plan's own order for a plan per group evaluated without a
        scenario).

        A plan per group gives each group its own plan (every group of the scenario must have one);
        a plan sized to target sizes the groups together (:func:`simulate.staffing_groups.group_agents`);
        a relative plan scales each group's agents; a constant, pattern or table is one pool and fits
        only a scenario without agent groups (or with one)."""
        demand = as_demand(demand)
        names = None if scenario is None else scenario.group_names
        kind = self.kind
        if kind == "groups":
            plans = dict(self.spec)
            if names is None:
                names = tuple(plans)
            unknown = [g for g in plans if g not in names]
            missing = [g for g in names if g not in plans]
            if unknown or missing:
                assert scenario is not None  # names came from it
                where = f"scenario {scenario.name!r} has agent groups {list(names)}"
                raise ValueError(f"the staffing plan per group does not fit: {where}; "
                                 + "; ".join(([f"no plan for {missing}"] if missing else [])
                                             + ([f"plans for unknown groups {unknown}"] if unknown else [])))
            return np.stack([plans[g].agents(demand) for g in names], axis=1).astype(np.int64)
        if kind == "relative":
            base, factor, add = self.spec
            a = base.group_agents(demand, scenario).astype(np.float64)
            # cumulative rounding per group: each interval within one agent of base x factor, and each
            # group's total agent-hours within one interval's worth of exactly factor x the base's
            cum = np.floor(np.cumsum(a * factor, axis=0) + 0.5)
            out = np.diff(np.concatenate([np.zeros((1, a.shape[1])), cum]), axis=0) + np.where(a > 0, add, 0)
            return np.clip(out, 0, _MAX_AGENTS).astype(np.int64)
        if names is not None and len(names) > 1:
            assert scenario is not None  # names came from it
            if kind == "sized":
                from simulate.staffing_groups import group_agents

                method, options = self.spec
                return group_agents(demand, scenario, method=method, **dict(options))
            raise ValueError(f"scenario {scenario.name!r} has agent groups {list(names)}: give a staffing plan per "
                             f"group, e.g. {{{', '.join(repr(g) + ': 10' for g in names)}}}, a table with a "
                             "'group' column, or StaffingPlan.sized(...) to size the groups together")
        return self.agents(demand, scenario)[:, None]

    def frame(self, demand: Any, scenario: Scenario | None = None) -> pd.DataFrame:
        """``ds, agents`` for every interval of ``demand`` (all agent groups together)."""
        demand = as_demand(demand)
        return pd.DataFrame({"ds": demand.ds, "agents": self.agents(demand, scenario)})

    def group_frame(self, demand: Any, scenario: Scenario | None = None) -> pd.DataFrame:
        """``ds, group, agents``: one row per interval of ``demand`` and agent group (long format,
        the shape :meth:`table` reads back)."""
        demand = as_demand(demand)
        a = self.group_agents(demand, scenario)
        names = scenario.group_names if scenario is not None else (
            tuple(g for g, _ in self.spec) if self.kind == "groups" else ("agents",))
        return pd.DataFrame({"ds": np.tile(demand.ds, len(names)),
                             "group": np.repeat(np.array(names, dtype=object), len(demand)),
                             "agents": a.T.ravel()})

    @property
    def per_group(self) -> bool:
        """Whether the plan gives agents per group (a plan per group, or relative to one)."""
        return self.kind == "groups" or (self.kind == "relative" and self.spec[0].per_group)

    @property
    def needs_scenario(self) -> bool:
        """Whether evaluating the plan needs a scenario (it is, or builds on, a sized plan)."""
        if self.kind == "sized":
            return True
        if self.kind == "groups":
            return False  # a plan per group never holds a sized plan
        return self.kind == "relative" and self.spec[0].needs_scenario

    # ------------------------------------------------------------------ words and round trips
    def describe(self) -> str:
        """The rule in plain words, e.g. "Mon-Fri 08:00-20:00: 40" or "erlang_a x 1.25"."""
        k, s = self.kind, self.spec
        if k == "constant":
            return f"{s[0]} agents"
        if k == "pattern":
            return "; ".join(f"{_pattern_text(w)}: {w[3]}" for w in s)
        if k == "table":
            return f"table of {len(s[0])} rows every {s[2] / 60:g} min"
        if k == "sized":
            return f"sized to target ({s[0]})"
        if k == "groups":
            return "; ".join(f"{g}: {p.describe()}" for g, p in s)
        base, factor, add = s
        parts = [f"({base.describe()})" if base.kind == "groups" else base.describe()]
        if factor != 1.0:
            parts.append(f"x {factor:g}")
        if add:
            parts.append(f"{'+' if add > 0 else '-'} {abs(add)}")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (see :meth:`from_dict`)."""
        k, s = self.kind, self.spec
        if k == "constant":
            return {"agents": s[0]}
        if k == "pattern":
            return {"pattern": {_pattern_text(w): w[3] for w in s}}
        if k == "table":
            ns, agents, step, tz, unit = s
            ds = pd.DatetimeIndex(np.asarray(ns, dtype=f"datetime64[{unit}]"))
            if tz is not None:
                ds = ds.tz_localize("UTC").tz_convert(tz)
            return {"table": [[d.isoformat(), a] for d, a in zip(ds, agents)], "interval_s": step,
                    **({"tz": tz} if tz is not None else {})}
        if k == "sized":
            return {"sized": s[0], **({"options": dict(s[1])} if s[1] else {})}
        if k == "groups":
            return {"groups": {g: p.to_dict() for g, p in s}}
        base, factor, add = s
        return {"base": base.to_dict(), "factor": factor, "add": add}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StaffingPlan:
        """Inverse of :meth:`to_dict`; ValueError naming what is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a staffing plan must be a mapping, got {type(data).__name__}")
        keys = set(data)
        if keys == {"agents"}:
            return cls.constant(data["agents"])
        if keys == {"pattern"}:
            return cls.pattern(data["pattern"])
        if "table" in keys and keys <= {"table", "interval_s", "tz"}:
            rows = data["table"]
            if not isinstance(rows, list) or not all(isinstance(r, (list, tuple)) and len(r) == 2 for r in rows):
                raise ValueError("staffing plan 'table' must be a list of [timestamp, agents] pairs")
            frame = pd.DataFrame(rows, columns=["ds", "agents"])
            if data.get("tz") is not None:  # the zone by name: offsets alone lose it (and change with DST)
                frame["ds"] = pd.to_datetime(frame["ds"], errors="coerce", utc=True).dt.tz_convert(data["tz"])
            return cls.table(frame, interval=data.get("interval_s"))
        if keys in ({"sized"}, {"sized", "options"}):
            options = data.get("options", {})
            if not isinstance(options, Mapping):
                raise ValueError("staffing plan 'options' must be a mapping")
            return cls.sized(data["sized"], **dict(options))
        if keys == {"groups"}:
            plans = data["groups"]
            if not isinstance(plans, Mapping):
                raise ValueError("staffing plan 'groups' must map each agent group to its plan")
            return cls.groups({g: cls.from_dict(p) if isinstance(p, Mapping) and not _is_pattern(p) else p
                               for g, p in plans.items()})
        if "base" in keys and keys <= {"base", "factor", "add"}:
            return cls.relative(cls.from_dict(data["base"]), data.get("factor", 1.0), data.get("add", 0))
        raise ValueError(f"a staffing plan needs one of: agents, pattern, table, sized, base (relative), groups; "
                         f"got keys {sorted(keys)}")


_PLAN_KEYS = frozenset({"agents", "pattern", "table", "interval_s", "sized", "options", "base", "factor", "add",
                        "groups"})


def _is_pattern(mapping: Mapping) -> bool:
    return bool(mapping) and all(isinstance(k, str) and _WINDOW.match(k) for k in mapping)


def as_plan(staffing: Any) -> StaffingPlan:
    """A :class:`StaffingPlan` from a plan, a short text (:meth:`StaffingPlan.parse`: "40",
    "erlang_a x 1.25", "Mon-Fri 08:00-20:00=40", "en=20; fr=5"), a whole number (constant), a pattern
    mapping, a table (DataFrame ``ds, agents`` and optionally ``group``), a plain dict of
    :meth:`StaffingPlan.to_dict`, a mapping of agent group -> plan (``{"en": 20, "fr": 6, "bilingual": 8}``),
    or a staffing
    recommendation from :func:`simulate.staff` (its plan)."""
    if isinstance(staffing, StaffingPlan):
        return staffing
    if isinstance(staffing, str):
        return StaffingPlan.parse(staffing)
    if isinstance(staffing, (int, np.integer)) and not isinstance(staffing, bool):
        return StaffingPlan.constant(int(staffing))
    if isinstance(staffing, pd.DataFrame):
        return StaffingPlan.table(staffing)
    plan = getattr(staffing, "plan", None)
    if isinstance(plan, StaffingPlan):
        return plan
    if isinstance(staffing, Mapping):
        if _is_pattern(staffing):
            return StaffingPlan.pattern(staffing)
        if staffing and not set(staffing) & _PLAN_KEYS:
            return StaffingPlan.groups(staffing)
        return StaffingPlan.from_dict(staffing)
    raise ValueError("staffing must be a StaffingPlan, a whole number of agents, a weekly pattern such as "
                     "{'Mon-Fri 08:00-20:00': 40}, or a table with ds and agents columns; got "
                     f"{type(staffing).__name__}")


# --------------------------------------------------------------------------- evaluation helpers
def _eval_pattern(windows: tuple, ds: pd.DatetimeIndex, interval_s: float) -> np.ndarray:
    """Agents of a weekly pattern at each interval start (wall-clock weekday and time)."""
    wd = np.asarray(ds.day_of_week, dtype=np.int64)
    secs = np.asarray(ds.hour * 3600 + ds.minute * 60 + ds.second, dtype=np.float64)
    out = np.zeros(len(ds), dtype=np.int64)
    for days, start, end, agents in windows:
        day_set = np.zeros(7, dtype=bool)
        day_set[list(days)] = True
        if start < end:
            hit = day_set[wd] & (secs >= start) & (secs < end)
        else:  # past midnight: the evening of the named day and the morning of the next
            hit = (day_set[wd] & (secs >= start)) | (day_set[(wd - 1) % 7] & (secs < end))
        out[hit] = agents
    return out


def _eval_table(spec: tuple, demand: Demand) -> np.ndarray:
    ns, agents, step, tz, unit = spec
    t_ds = pd.DatetimeIndex(np.asarray(ns, dtype=f"datetime64[{unit}]"))
    d_ds = demand.ds
    if (tz is None) != (d_ds.tz is None):
        raise _error("the staffing table and the demand disagree on time zones (one has UTC offsets, the other "
                     "not); give both with offsets or both without")
    if tz is not None:
        t_ds = t_ds.tz_localize("UTC")
        d_ds = d_ds.tz_convert("UTC")
    t0 = np.asarray(t_ds.asi8, dtype=np.float64) / (1e9 if (getattr(t_ds, "unit", "ns") == "ns") else
                                                     {"s": 1.0, "ms": 1e3, "us": 1e6}[t_ds.unit])
    d0 = np.asarray(d_ds.asi8, dtype=np.float64) / (1e9 if (getattr(d_ds, "unit", "ns") == "ns") else
                                                     {"s": 1.0, "ms": 1e3, "us": 1e6}[d_ds.unit])
    a = np.asarray(agents, dtype=np.float64)
    L = demand.interval_s
    covered = np.zeros(len(d0))
    weighted = np.zeros(len(d0))
    starts = np.searchsorted(t0, d0, side="right") - 1
    if abs(step - L) < 1e-6:  # same grid: each demand interval is one table row (or none)
        row = np.maximum(starts, 0)
        hit = (starts >= 0) & (np.abs(t0[row] - d0) < 1e-6)
        covered = np.where(hit, L, 0.0)
        weighted = np.where(hit, a[row] * L, 0.0)
    # time-weighted mean of the table over each demand interval [d, d + L) (gaps between rows cover nothing)
    for k in (range(len(d0)) if abs(step - L) >= 1e-6 else ()):
        lo, hi = d0[k], d0[k] + L
        i = max(int(starts[k]), 0)
        while i < len(t0) and t0[i] < hi:
            a0, a1 = max(lo, t0[i]), min(hi, t0[i] + step)
            if a1 > a0:
                covered[k] += a1 - a0
                weighted[k] += (a1 - a0) * a[i]
            i += 1
    full = covered >= L - 1e-6
    open_ = demand.open
    gap = np.flatnonzero(open_ & ~full)
    if gap.size:
        first = demand.ds[gap[0]]
        raise _error(f"the staffing table does not cover {first} ({gap.size} open interval"
                     f"{'s' if gap.size > 1 else ''} with calls expected are not covered); give agents for every "
                     "open interval of the demand (a table covering the whole period, or a weekly pattern)")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(covered > 0, weighted / np.maximum(covered, 1e-12), 0.0)
    return np.floor(mean + 0.5).astype(np.int64)
