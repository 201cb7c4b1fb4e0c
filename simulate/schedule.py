"""Shift schedules: turn agents required per interval into whole people on whole shifts.

A staffing plan says how many agents must be on the phones in each interval (a fractional
number, e.g. 12.4 between 10:00 and 10:30). A manager cannot hire 0.4 of a person for half an
hour: people work shifts of a few fixed lengths that start on a fixed grid (every 30 minutes,
say) and take a lunch break. :func:`schedule` chooses how many people start each possible shift
so that every interval is covered and the paid hours are as few as possible. This is the classic
shift-covering integer program (Dantzig 1954), solved with :func:`scipy.optimize.milp` (HiGHS)::

    minimise    sum_s paid_h[s] * x[s]                     (paid hours)
    subject to  sum_s a[k, s] * x[s] >= required[k]        for every interval k
                sum_s x[s] <= max_headcount                (when a cap is given)
                x[s] >= 0 integer                          (people starting shift s)

``a[k, s]`` is the share of interval k during which someone on shift s is on duty (1 for a
whole interval, 0.5 when a break takes half of it, 0 outside the shift). Requirements stay
fractional: for integer ``x`` "coverage >= 12.4" is the same as "coverage >= 13", so rounding
up happens once, inside the solver, never per interval beforehand.

When a headcount cap makes full coverage impossible, the schedule does not fail: shortage
variables ``u[k] >= 0`` are added (``coverage + u[k] >= required[k]``) and the objective becomes
``SHORTAGE_PENALTY * (agent-hours short) + paid hours``. The best partial schedule comes back with
``feasible=False`` and the intervals that stay short in :attr:`Schedule.short`.

Times: the requirement grid (``ds``) is read as pandas timestamps; shift lengths, start grid and
breaks accept strings (``"8h"``, ``"30min"``), :class:`pandas.Timedelta` or numbers of HOURS.
"""
from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, sparse

__all__ = ["Schedule", "schedule", "REQUIREMENT_COLUMNS", "SHORTAGE_PENALTY", "DEFAULT_BREAK"]

#: Requirement columns looked for, in this order, when ``column`` is not given.
REQUIREMENT_COLUMNS = ("scheduled", "agents", "agents_required")

#: Objective weight of one agent-hour short, in paid hours. One agent-hour of unmet requirement
#: costs as much as this many paid hours, so the solver only leaves an interval short when the
#: headcount cap forces it.
SHORTAGE_PENALTY = 1000.0

#: Default break model: shifts of at least ``min_shift_h`` hours get one unpaid break of
#: ``duration_h`` hours starting at the middle of the shift (rounded down to the requirement grid).
DEFAULT_BREAK = {"min_shift_h": 6.0, "duration_h": 0.5, "paid": False}

_EPS = 1e-9


@dataclass(frozen=True, eq=False)
class Schedule:
    """A shift schedule and how well it covers the requirement.

    Attributes
    ----------
    shifts:
        One row per shift used: ``start``, ``end`` (timestamps), ``length_h`` (hours from start to
        end), ``paid_h`` (paid hours per person: length minus unpaid breaks), ``breaks`` (text, e.g.
        ``"03:30-04:00 unpaid"`` as offsets from the start), ``people`` (int, people starting it).
        Sorted by start; empty (with these columns) when nothing is required.
    coverage:
        One row per requirement interval: ``ds``, ``required`` (agents, fractional), ``scheduled``
        (people on duty, averaged over the interval when a break covers part of it), ``over`` and
        ``under`` (both >= 0: scheduled minus required, or required minus scheduled).
    paid_hours:
        Total paid hours, sum of ``paid_h * people``.
    headcount:
        Total shifts worked, ``shifts.people.sum()``. For a one-day requirement that is people; over
        a week it counts person-shifts.
    feasible:
        True when every interval is covered (``under`` is 0 everywhere).
    status:
        Plain-words solver outcome.
    optimal:
        True when HiGHS proved the schedule optimal (within its MIP gap) inside the time limit.
    solve_time_s:
        Wall-clock seconds spent in the solver(s).
    interval_s:
        Length of a requirement interval, seconds.
    objective:
        The solver objective of the returned schedule: paid hours, plus ``SHORTAGE_PENALTY`` times
        agent-hours short when the partial (shortage) model was solved.
    column:
        The requirement column used.
    dual_bound:
        HiGHS's proven lower bound on the objective (no schedule can do better); equals the
        objective up to the solver gap when ``optimal``.
    settings:
        The inputs that shaped the schedule (shift lengths, start grid, breaks, cap, ...) as plain
        values, for the assumptions log of exports.
    """

    shifts: pd.DataFrame
    coverage: pd.DataFrame
    paid_hours: float
    headcount: int
    feasible: bool
    status: str
    optimal: bool
    solve_time_s: float
    interval_s: float = 1800.0
    objective: float = 0.0
    column: str = "agents"
    settings: dict[str, Any] = field(default_factory=dict)
    dual_bound: float = float("nan")

    @property
    def short(self) -> pd.DataFrame:
        """Coverage rows of intervals left short (``under > 0``); empty when feasible."""
        return self.coverage[self.coverage["under"] > 1e-6]

    @property
    def shortage_agent_hours(self) -> float:
        """Agent-hours of requirement not covered: ``sum(under) * interval hours``."""
        return float(self.coverage["under"].sum() * self.interval_s / 3600.0)

    @property
    def required_agent_hours(self) -> float:
        """``sum(required) * interval hours``: a lower bound on paid hours of any schedule."""
        return float(self.coverage["required"].sum() * self.interval_s / 3600.0)

    @property
    def efficiency(self) -> float:
        """Required agent-hours / paid hours (1.0 = no idle paid time); NaN with no paid hours."""
        return self.required_agent_hours / self.paid_hours if self.paid_hours > 0 else float("nan")

    def summary(self) -> dict[str, Any]:
        """Headline figures as plain Python values (for reports and the CLI)."""
        return {
            "paid_hours": self.paid_hours,
            "headcount": self.headcount,
            "required_agent_hours": self.required_agent_hours,
            "efficiency": self.efficiency,
            "shortage_agent_hours": self.shortage_agent_hours,
            "intervals_short": int(len(self.short)),
            "feasible": self.feasible,
            "optimal": self.optimal,
            "solve_time_s": self.solve_time_s,
            "status": self.status,
        }


# ----------------------------------------------------------------------------------------------
# parsing helpers


def _seconds(value: Any, field: str) -> float:
    """A duration in seconds: a number is seconds (as everywhere in ``simulate``); a string with its
    unit (``"8h"``, ``"30min"``) or a Timedelta is parsed by pandas. Text without a unit (``"8"``)
    is refused: pandas would read it as nanoseconds, a planner means hours."""
    if isinstance(value, bool):
        raise ValueError(f"schedule {field} must be a duration like '8h' or a number of seconds, got {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        seconds = float(value)
    else:
        if isinstance(value, str):
            try:
                float(value)
            except ValueError:
                pass
            else:
                raise ValueError(f"schedule {field} {value!r} has no unit: write e.g. '{value.strip()}h' for hours, "
                                 "or give a number of seconds")
        try:
            seconds = pd.Timedelta(value).total_seconds()
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"schedule {field} must be a duration like '8h' or '30min' or a number of seconds, got {value!r}"
            ) from exc
    if not math.isfinite(seconds):
        raise ValueError(f"schedule {field} must be a finite duration, got {value!r}")
    return seconds


def _fmt_hm(seconds: float) -> str:
    minutes = int(round(seconds / 60.0))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _pick_column(requirements: pd.DataFrame, column: str | None) -> str:
    if column is not None:
        if column not in requirements.columns:
            raise ValueError(f"schedule column {column!r} is not in requirements "
                             f"(columns: {list(requirements.columns)})")
        return column
    for name in REQUIREMENT_COLUMNS:
        if name in requirements.columns:
            return name
    raise ValueError(
        "schedule requirements need a requirement column: one of "
        f"{', '.join(REQUIREMENT_COLUMNS)} (columns: {list(requirements.columns)})"
    )


def _read_requirements(requirements: pd.DataFrame, column: str | None) -> tuple[pd.Series, np.ndarray, float, str]:
    """Return (ds, required per interval, interval length s, column name); validates everything."""
    if not isinstance(requirements, pd.DataFrame):
        raise ValueError(f"schedule requirements must be a pandas DataFrame, got {type(requirements).__name__}")
    if "ds" not in requirements.columns:
        raise ValueError(f"schedule requirements need a 'ds' column (columns: {list(requirements.columns)})")
    name = _pick_column(requirements, column)
    if len(requirements) == 0:
        raise ValueError("schedule requirements are empty: at least one interval is needed")
    try:
        ds = pd.to_datetime(requirements["ds"]).reset_index(drop=True)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"schedule requirements 'ds' must be timestamps: {exc}") from exc
    if ds.isna().any():
        row = int(np.flatnonzero(ds.isna().to_numpy())[0])
        raise ValueError(f"schedule requirements 'ds' is missing at row {row}")
    values = pd.to_numeric(requirements[name], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"schedule requirements column {name!r}, row {row}: expected a finite number >= 0, "
            f"got {requirements[name].iloc[row]!r}"
        )
    if len(ds) == 1:
        interval_s = 1800.0  # one row: no spacing to read; a 30-minute interval is assumed
    else:
        steps = ds.diff().dt.total_seconds().to_numpy()[1:]
        if steps.min() <= 0 or not np.allclose(steps, steps[0]):
            row = int(np.flatnonzero((steps <= 0) | ~np.isclose(steps, steps[0]))[0]) + 1
            raise ValueError(
                f"schedule requirements 'ds' must be sorted and regularly spaced; row {row} "
                f"({ds.iloc[row]}) breaks the {steps[0]:.0f}-second spacing"
            )
        interval_s = float(steps[0])
    return ds, values, interval_s, name


def _break_list(length_s: float, breaks: Any, grid_s: float) -> list[tuple[float, float, bool]]:
    """Breaks of one shift length as (offset_s, duration_s, paid)."""
    if isinstance(breaks, str):
        if breaks != "auto":
            raise ValueError("schedule breaks must be 'auto', None, a list of (offset, duration) or a mapping, "
                             f"got {breaks!r}")
        if length_s < DEFAULT_BREAK["min_shift_h"] * 3600.0 - _EPS:
            return []
        duration = DEFAULT_BREAK["duration_h"] * 3600.0
        offset = math.floor(((length_s - duration) / 2.0) / grid_s + _EPS) * grid_s
        return [(offset, duration, bool(DEFAULT_BREAK["paid"]))]
    if breaks is None:
        return []
    if isinstance(breaks, Mapping):
        for key, value in breaks.items():
            if abs(_seconds(key, "breaks key") - length_s) < 1.0:
                return _break_list(length_s, value if value is not None else [], grid_s)
        return []
    out: list[tuple[float, float, bool]] = []
    for item in breaks:
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) not in (2, 3):
            raise ValueError("schedule breaks entries must be (offset, duration) or (offset, duration, paid), "
                             f"got {item!r}")
        offset = _seconds(item[0], "break offset")
        duration = _seconds(item[1], "break duration")
        paid = bool(item[2]) if len(item) == 3 else False
        if offset < 0 or duration <= 0 or offset + duration > length_s + _EPS:
            raise ValueError(
                f"schedule break ({item[0]!r}, {item[1]!r}) does not fit inside a {length_s / 3600:g}-hour shift"
            )
        out.append((offset, duration, paid))
    out.sort()
    for (o1, d1, _), (o2, _, _) in zip(out, out[1:]):
        if o1 + d1 > o2 + _EPS:
            raise ValueError(f"schedule breaks overlap in a {length_s / 3600:g}-hour shift: {breaks!r}")
    return out


def _duty_segments(length_s: float, brks: list[tuple[float, float, bool]]) -> list[tuple[float, float]]:
    """On-duty [from, to) offsets of a shift with its breaks removed."""
    segments, cursor = [], 0.0
    for offset, duration, _ in brks:
        if offset > cursor:
            segments.append((cursor, offset))
        cursor = offset + duration
    if cursor < length_s:
        segments.append((cursor, length_s))
    return segments


def _coverage_row(start_s: float, segments: list[tuple[float, float]], edges: np.ndarray,
                  horizon_s: float, cyclic: bool) -> np.ndarray:
    """Share of each interval [edges[k], edges[k+1]) on duty for one person on this shift."""
    interval_s = edges[1] - edges[0]
    cover = np.zeros(len(edges) - 1)
    for a, b in segments:
        pieces = [(start_s + a, start_s + b)]
        if cyclic:
            # a shift running past the end of the horizon wraps to its start (a repeating week)
            lo, hi = pieces[0]
            pieces = []
            while hi > lo:
                lo_mod = lo % horizon_s
                span = min(hi - lo, horizon_s - lo_mod)
                pieces.append((lo_mod, lo_mod + span))
                lo += span
        for lo, hi in pieces:
            overlap = np.minimum(hi, edges[1:]) - np.maximum(lo, edges[:-1])
            cover += np.clip(overlap, 0.0, None) / interval_s
    return cover


def _greedy_cover(cover: np.ndarray, required: np.ndarray) -> np.ndarray:
    """A feasible (not optimal) schedule: walk the intervals in time order and, where coverage is
    short, add people to the shift that covers this interval best and starts latest (so it also
    covers the intervals that follow). cover: (intervals, shifts); returns people per shift."""
    x = np.zeros(cover.shape[1])
    have = np.zeros(cover.shape[0])
    for k in range(cover.shape[0]):
        deficit = required[k] - have[k]
        if deficit <= 1e-9:
            continue
        best = cover[k].max()
        s = int(np.flatnonzero(cover[k] >= best - 1e-12)[-1])
        people = math.ceil(deficit / best - 1e-9)
        x[s] += people
        have += people * cover[:, s]
    return x


# ----------------------------------------------------------------------------------------------
# the solver


def _least_idle(best: Any, paid_h: np.ndarray, idle_h: np.ndarray, constraints: list, options: dict,
                grain_h: float) -> Any:
    """Among schedules with the optimal paid hours, the one with the least idle on-duty time.

    The first solve counts only paid hours, so when a shift could start at 05:30 or at 08:00 for
    the same cost it may pick either. A second solve minimises idle hours (on duty outside the
    requirement) with paid hours held at the optimum. Returns ``best`` unchanged if that solve
    finds nothing better in its time."""
    if not (idle_h @ best.x > 1e-6):
        return best
    cap = optimize.LinearConstraint(paid_h[None, :], lb=-np.inf, ub=float(paid_h @ np.rint(best.x)) + 1e-6)
    res = optimize.milp(idle_h, integrality=np.ones(len(paid_h)), bounds=optimize.Bounds(0, np.inf),
                        constraints=[*constraints, cap], options=dict(options, mip_rel_gap=1e-4))
    if res.x is None or idle_h @ np.rint(res.x) >= idle_h @ np.rint(best.x) - 1e-9 \
            or paid_h @ np.rint(res.x) > paid_h @ np.rint(best.x) + grain_h / 2:
        return best
    res.fun = float(paid_h @ np.rint(res.x))  # the schedule's objective stays its paid hours
    res.mip_dual_bound = getattr(best, "mip_dual_bound", None)
    return res


def schedule(
    requirements: pd.DataFrame,
    *,
    shift_lengths: Sequence[str | float | pd.Timedelta] = ("8h",),
    start_every: str | float | pd.Timedelta = "30min",
    breaks: Any = "auto",
    max_headcount: int | None = None,
    column: str | None = None,
    time_limit: float = 10.0,
    cyclic: bool = False,
    drop_idle_shifts: bool = True,
    max_idle: str | float | pd.Timedelta | None = None,
    least_idle: bool = True,
) -> Schedule:
    """Choose how many people start each shift so every interval is covered at least paid cost.

    Parameters
    ----------
    requirements:
        DataFrame with ``ds`` (regularly spaced timestamps, interval length L = their spacing) and a
        requirement column: agents needed on duty per interval, fractional allowed, 0 when closed.
        A whole week with closed nights is fine.
    shift_lengths:
        Allowed shift lengths, start to end including breaks (``"8h"``, ``"6h"``, or a number of
        seconds, as every duration in ``simulate``; text needs its unit). None may be shorter than one
        interval of the requirements.
    start_every:
        Shift start grid, from ``ds[0]`` (``"30min"``, or seconds). Shifts start inside the horizon;
        one may run past its end (paid in full, covering only what lies inside).
    breaks:
        ``"auto"`` (default): shifts of 6 h or more get one unpaid 30-minute break starting at the
        middle of the shift, rounded down to the interval grid (an 8-hour shift on a 30-minute grid
        breaks 03:30-04:00 after its start). ``None``: no breaks. A list of ``(offset, duration)`` or
        ``(offset, duration, paid)`` tuples (offsets from the shift start; durations as strings or
        seconds; unpaid unless ``paid``) applies to every shift length. A mapping ``{"8h": [...],
        "4h": []}`` gives breaks per length. Breaks are removed from coverage; unpaid breaks are
        removed from paid hours.
    max_headcount:
        Cap on the number of shifts worked, ``sum(x)``. When full coverage is impossible under the
        cap the best partial schedule is returned with ``feasible=False`` (see module docstring).
    column:
        Requirement column; default the first of ``scheduled``, ``agents``, ``agents_required``.
    time_limit:
        Seconds HiGHS may spend (per solve); the best schedule found so far is returned with
        ``optimal=False`` if the limit is reached.
    cyclic:
        Treat the horizon as repeating (a typical week): a shift starting late on the last day
        wraps to cover the first intervals.
    drop_idle_shifts:
        Leave out shifts that would cover no interval with a requirement (e.g. starting in a
        closed night), so shifts cross midnight only when the requirement needs it.
    max_idle:
        Most on-duty time a shift may spend in intervals with no requirement (``"0h"``: shifts lie
        inside opening hours; ``"1h"``: at most an hour before opening or after closing). None
        (default): no limit; paid hours decide, and among schedules of equal paid hours the one
        with the least such idle time is returned (shifts are moved inside opening hours
        whenever coverage allows). Time past the end of the horizon counts as idle.
    least_idle:
        True (default): among schedules of the optimal paid hours, return one with the least idle
        on-duty time (a second HiGHS solve with paid hours held at the optimum). False: the first
        optimum found.

    Returns
    -------
    Schedule
    """
    ds, required, interval_s, name = _read_requirements(requirements, column)
    if time_limit is None or not (time_limit > 0):
        raise ValueError(f"schedule time_limit must be > 0 seconds, got {time_limit!r}")
    if max_headcount is not None:
        if isinstance(max_headcount, bool) or int(max_headcount) != max_headcount or max_headcount < 0:
            raise ValueError(f"schedule max_headcount must be a whole number >= 0 or None, got {max_headcount!r}")
        max_headcount = int(max_headcount)
    if isinstance(shift_lengths, (str, int, float, pd.Timedelta)):
        shift_lengths = (shift_lengths,)
    lengths = sorted({_seconds(v, "shift_lengths") for v in shift_lengths})
    if not lengths:
        raise ValueError("schedule shift_lengths must name at least one shift length")
    if lengths[0] <= 0:
        raise ValueError(f"schedule shift_lengths must be > 0, got {list(shift_lengths)!r}")
    if lengths[0] < interval_s - _EPS:
        raise ValueError(f"schedule shift_lengths: {lengths[0]:g} s is shorter than one interval of the requirements "
                         f"({interval_s:g} s); numbers are seconds (write '8h' for eight hours)")
    idle_limit_s = None if max_idle is None else _seconds(max_idle, "max_idle")
    if idle_limit_s is not None and idle_limit_s < 0:
        raise ValueError(f"schedule max_idle must be >= 0 or None, got {max_idle!r}")
    step_s = _seconds(start_every, "start_every")
    if step_s <= 0:
        raise ValueError(f"schedule start_every must be > 0, got {start_every!r}")

    settings = {
        "requirement_column": name,
        "interval_min": interval_s / 60.0,
        "shift_lengths_h": ", ".join(f"{v / 3600:g}" for v in lengths),
        "start_every_min": step_s / 60.0,
        "breaks": ("auto: one 30-min unpaid break mid-shift for shifts of 6 h or more" if breaks == "auto"
                   else "none" if breaks is None else repr(breaks)),
        "max_headcount": max_headcount,
        "cyclic": bool(cyclic),
        "drop_idle_shifts": bool(drop_idle_shifts),
        "max_idle_h": None if idle_limit_s is None else idle_limit_s / 3600.0,
        "least_idle": bool(least_idle),
        "time_limit_s": float(time_limit),
        "shortage_penalty": SHORTAGE_PENALTY,
    }
    n = len(required)
    horizon_s = n * interval_s
    edges = np.arange(n + 1, dtype=float) * interval_s
    needed = required > _EPS

    # candidate shifts: every start on the grid x every length
    starts = np.arange(0.0, horizon_s - _EPS, step_s)
    rows, meta, idle = [], [], []  # idle: on-duty seconds in intervals with no requirement
    for length_s in lengths:
        brks = _break_list(length_s, breaks, min(interval_s, step_s))
        segments = _duty_segments(length_s, brks)
        paid_s = length_s - sum(d for _, d, paid in brks if not paid)
        text = ", ".join(f"{_fmt_hm(o)}-{_fmt_hm(o + d)} {'paid' if p else 'unpaid'}" for o, d, p in brks)
        duty_s = sum(b - a for a, b in segments)
        for start_s in starts:
            cover = _coverage_row(start_s, segments, edges, horizon_s, cyclic)
            if drop_idle_shifts and not (cover[needed] > _EPS).any():
                continue
            idle_s = duty_s - float(cover[needed].sum()) * interval_s
            if idle_limit_s is not None and idle_s > idle_limit_s + 1e-6:
                continue
            rows.append(cover)
            meta.append((start_s, length_s, paid_s / 3600.0, text))
            idle.append(idle_s)

    def result(x: np.ndarray, *, status: str, optimal: bool, objective: float, solve_s: float,
               dual_bound: float) -> Schedule:
        people = np.rint(x).astype(np.int64) if len(x) else np.zeros(0, dtype=np.int64)
        on_duty = (A.T @ people) if len(people) else np.zeros(n)
        used = np.flatnonzero(people > 0)
        t0 = ds.iloc[0]
        shifts = pd.DataFrame({
            "start": pd.Series([t0 + pd.Timedelta(seconds=meta[i][0]) for i in used], dtype=ds.dtype),
            "end": pd.Series([t0 + pd.Timedelta(seconds=meta[i][0] + meta[i][1]) for i in used], dtype=ds.dtype),
            "length_h": np.array([meta[i][1] / 3600.0 for i in used], dtype=float),
            "paid_h": np.array([meta[i][2] for i in used], dtype=float),
            "breaks": pd.Series([meta[i][3] for i in used], dtype=object),
            "people": people[used],
        }).sort_values(["start", "length_h"], kind="stable").reset_index(drop=True)
        diff = on_duty - required
        coverage = pd.DataFrame({
            "ds": ds,
            "required": required,
            "scheduled": on_duty,
            "over": np.clip(diff, 0.0, None),
            "under": np.clip(-diff, 0.0, None),
        })
        paid = float((shifts["paid_h"] * shifts["people"]).sum())
        feasible = bool((coverage["under"] <= 1e-6).all())
        return Schedule(shifts=shifts, coverage=coverage, paid_hours=paid, headcount=int(people.sum()),
                        feasible=feasible, status=status, optimal=optimal, solve_time_s=solve_s,
                        interval_s=interval_s, objective=float(objective), column=name, settings=settings,
                        dual_bound=dual_bound)

    A = np.vstack(rows) if rows else np.zeros((0, n))  # shape (shifts, intervals)
    if not needed.any():
        return result(np.zeros(len(rows)), status="nothing required: empty schedule", optimal=True,
                      objective=0.0, solve_s=0.0, dual_bound=0.0)

    paid_h = np.array([m[2] for m in meta], dtype=float)
    cover_needed = sparse.csr_matrix(A[:, needed].T)  # (needed intervals, shifts)
    req_needed = required[needed]
    uncoverable = np.asarray(cover_needed.sum(axis=1)).ravel() <= _EPS
    options = {"time_limit": float(time_limit), "mip_rel_gap": 1e-6, "disp": False}
    solve_s = 0.0

    # Paid hours of any schedule are multiples of the gcd g of the shift paid lengths, so a schedule
    # whose cost is within g of HiGHS's dual bound cannot be beaten: that proves it optimal, and
    # lets HiGHS stop at a relative gap of about g / cost instead of searching for nothing.
    grain_h = math.gcd(*(int(round(v * 3600.0)) for v in set(paid_h))) / 3600.0
    lower_h = float(req_needed.sum() * interval_s / 3600.0)
    pure_options = dict(options, mip_rel_gap=max(1e-6, min(1e-4, 0.5 * grain_h / (3.0 * max(lower_h, 1.0)))))

    if not uncoverable.any():
        constraints = [optimize.LinearConstraint(cover_needed, lb=req_needed, ub=np.inf)]
        if max_headcount is not None:
            constraints.append(optimize.LinearConstraint(np.ones((1, len(meta))), lb=-np.inf, ub=max_headcount))
        t = time.perf_counter()
        res = optimize.milp(paid_h, integrality=np.ones(len(meta)), bounds=optimize.Bounds(0, np.inf),
                            constraints=constraints, options=pure_options)
        solve_s += time.perf_counter() - t
        if res.x is not None:
            bound = getattr(res, "mip_dual_bound", None)
            optimal = bound is not None and np.isfinite(bound) and res.fun - bound < grain_h - 1e-6
            optimal = bool(optimal or (res.status == 0 and pure_options["mip_rel_gap"] * res.fun < grain_h - 1e-6))
            if optimal:
                status = "optimal"
                if least_idle:
                    res = _least_idle(res, paid_h, np.asarray(idle) / 3600.0, constraints, pure_options, grain_h)
            elif res.status == 1:
                status = (f"time limit reached; best schedule found, at most {res.fun - bound:.1f} paid hours "
                          "above optimal")
            else:
                status = f"HiGHS stopped at its relative gap; optimality not proven ({res.message})"
            return result(res.x, status=status, optimal=optimal, objective=float(res.fun), solve_s=solve_s,
                          dual_bound=float(bound) if bound is not None else float("nan"))
        if res.status != 2 and max_headcount is None:
            x = _greedy_cover(cover_needed.toarray(), req_needed)
            return result(x, status=f"time limit reached before HiGHS found a schedule; greedy schedule "
                                    f"({res.message})", optimal=False, objective=float(paid_h @ x),
                          solve_s=solve_s, dual_bound=float("nan"))

    # partial schedule: shortage u_k >= 0 per needed interval, penalised per agent-hour short
    m = int(needed.sum())
    k_shifts = len(meta)
    interval_h = interval_s / 3600.0
    cost = np.concatenate([paid_h, np.full(m, SHORTAGE_PENALTY * interval_h)])
    coverage_rows = sparse.hstack([cover_needed, sparse.identity(m, format="csr")], format="csr")
    constraints = [optimize.LinearConstraint(coverage_rows, lb=req_needed, ub=np.inf)]
    if max_headcount is not None and k_shifts:
        cap_row = np.concatenate([np.ones(k_shifts), np.zeros(m)])[None, :]
        constraints.append(optimize.LinearConstraint(cap_row, lb=-np.inf, ub=max_headcount))
    integrality = np.concatenate([np.ones(k_shifts), np.zeros(m)])
    upper = np.concatenate([np.full(k_shifts, np.inf), req_needed])
    t = time.perf_counter()
    res = optimize.milp(cost, integrality=integrality, bounds=optimize.Bounds(0, upper),
                        constraints=constraints, options=options)
    solve_s += time.perf_counter() - t
    if res.x is None:
        raise RuntimeError(f"schedule: HiGHS found no partial schedule within {time_limit} s ({res.message})")
    optimal = res.status == 0
    reason = (f"headcount cap of {max_headcount}" if not uncoverable.any()
              else f"{int(uncoverable.sum())} interval(s) no shift can cover")
    status = (f"full coverage impossible ({reason}); best partial schedule"
              + ("" if optimal else f", time limit reached ({res.message})"))
    bound = getattr(res, "mip_dual_bound", None)
    return result(res.x[:k_shifts], status=status, optimal=optimal, objective=float(res.fun), solve_s=solve_s,
                  dual_bound=float(bound) if bound is not None else float("nan"))
