"""Every queue KPI, defined once: the :data:`METRICS` table and the one pass that computes it.

Engines return :class:`simulate.records.CallRecords`. One compiled pass per replication
(:func:`interval_totals`) turns the records into per-interval *totals* (:data:`TOTALS`: counts,
seconds waited, agent seconds busy and on shift...) and the 90th percentile of the answered waits,
per interval and overall. Every KPI is then one formula on those totals (:func:`kpis_from_totals`),
applied once to the per-interval totals (the per-interval table, :func:`interval_metrics`) and
once to their sums (the summary, :func:`summarize`): each formula exists once, and the summary is
exactly what the per-interval totals add up to. :func:`t_interval` gives the 95% confidence
interval across replications and :func:`compare` puts several scenarios side by side.

Definitions (also in :data:`METRICS`, which the app and the exports read):
service_level = answered within ``sl_threshold`` / (answered + abandoned);
abandon_rate = abandoned / (answered + abandoned); asa_s is the mean wait of answered calls;
occupancy = agent busy seconds / agent-seconds on duty (staffed, plus the time agents finishing
their calls stay past the end of their shift), both over intervals with agents on shift;
got_through_rate = callers whose need was met (answered, contained, or called back) / callers;
avg_queue = seconds callers spent on hold while the centre was open / seconds the centre is open.
Per interval, counts, waits and rates are by the interval the attempt arrived in; callers,
got_through_rate and attempts_per_caller by the interval of the caller's first attempt (a caller's
need is met at most once: only blocked and abandoned attempts redial); occupancy by the interval
the agent was busy in, avg_queue by the interval the caller was on hold in (a hold is split across
the intervals it spans; a hold starts ``CallRecords.ivr_s`` after the arrival).

Agents on duty past their shift: when fewer agents are scheduled in an interval than are busy at
its start, the agents leaving finish their calls first (the engines' rule), so the agents present
at a time t are max(scheduled, busy(t)); ``overtime_s`` adds up busy(t) - scheduled where it is
positive. A call starts only when an agent of its group is free, so busy(t) exceeds the schedule
only by the calls already in progress at the interval's start: the pass computes the overtime from
those calls alone (per agent group), exactly for the engines' records.

Percentiles: ``p90_wait_s`` is numpy's default percentile (method "linear": with the c answered
waits sorted, v[i] and v[i + 1] around position 0.9 (c - 1), interpolated with numpy's formula),
computed exactly, not estimated: the pass groups the answered waits by interval (a counting sort)
and finds the two order statistics of each group, and of all waits, by selection (quickselect),
linear time. It equals ``np.percentile(waits, 90)`` to the last bit (tested).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast, overload

import numpy as np
import pandas as pd

from simulate._draws import interval_at
from simulate._jit import jit
from simulate.records import (
    OUTCOME_ABANDONED,
    OUTCOME_ANSWERED,
    OUTCOME_BLOCKED,
    OUTCOME_CALLBACK,
    OUTCOME_CONTAINED,
    CallRecords,
)

if TYPE_CHECKING:
    from simulate.result import SimulationResult

__all__ = ["Metric", "METRICS", "TOTALS", "metrics_table", "interval_totals", "kpis_from_totals", "kpis",
           "summarize", "interval_metrics", "busy_seconds_per_interval", "overtime_seconds", "t_interval", "compare"]


@dataclass(frozen=True)
class Metric:
    """One KPI: its name (a column name), unit, which direction is better, and its definition."""

    name: str
    unit: str
    direction: str  # "higher", "lower" or "neutral" (no better direction, e.g. demand counts)
    definition: str


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("attempts", "calls", "lower", "Attempts to get through: first calls plus redials."),
    Metric("callers", "callers", "neutral", "Distinct callers (people) who called at least once."),
    Metric("blocked", "calls", "lower", "Attempts that got a busy signal (all lines taken, or the centre closed)."),
    Metric("contained", "calls", "higher", "Attempts resolved by self-service in the IVR menu."),
    Metric("abandoned", "calls", "lower",
           "Attempts that hung up while on hold (patience ran out, or still on hold at closing time)."),
    Metric("answered", "calls", "higher", "Attempts answered by an agent."),
    Metric("answered_within", "calls", "higher", "Attempts answered with a wait of at most sl_threshold seconds."),
    Metric("callbacks", "calls", "neutral", "Attempts that accepted a callback offer and hung up."),
    Metric("service_level", "share", "higher", "answered_within / (answered + abandoned)."),
    Metric("abandon_rate", "share", "lower", "abandoned / (answered + abandoned)."),
    Metric("asa_s", "seconds", "lower", "Average speed of answer: mean wait of answered calls."),
    Metric("p90_wait_s", "seconds", "lower",
           "90th percentile of the wait of answered calls (numpy's linear method, exact)."),
    Metric("occupancy", "share", "neutral",
           "Agent busy seconds / agent-seconds on duty (staffed, plus the time agents finishing calls stay past "
           "their shift), over intervals with agents on shift."),
    Metric("got_through_rate", "share", "higher",
           "Callers whose need was met (answered, contained, or called back) / callers."),
    Metric("attempts_per_caller", "calls", "lower", "attempts / callers (1 = everyone got through first time)."),
    Metric("avg_queue", "calls", "lower",
           "Average number on hold: seconds callers spent on hold while the centre was open (each hold split "
           "across the intervals it spans) / seconds the centre is open."),
)}

#: What the pass over the records adds up per interval (float64 each); every KPI but the
#: percentile is one of these or a ratio of two (:func:`kpis_from_totals`).
TOTALS = (
    "attempts",  # attempts arriving in the interval
    "callers",  # callers whose first attempt arrived in the interval
    "blocked", "contained", "abandoned", "answered", "answered_within", "callbacks",  # attempts, by outcome
    "wait_answered_s",  # seconds waited by the answered attempts
    "held_open_s",  # seconds callers spent on hold during the interval, when the centre is open in it (else 0)
    "busy_on_shift_s",  # agent seconds busy in the interval, when agents are on shift in it (else 0)
    "staffed_s",  # agent seconds on shift (the plan's agents x interval length)
    "overtime_s",  # agent seconds busy beyond the schedule (calls finished after a shift), when on shift (else 0)
    "open_s",  # the interval's length when the centre is open in it, else 0 (CallRecords.closed)
    "met_callers",  # callers (by first attempt) whose need was met
    "caller_attempts",  # attempts of the callers whose first attempt arrived in the interval
)
# rows of the totals array in the compiled pass (TOTALS order)
(_ATTEMPTS, _CALLERS, _BLOCKED, _CONTAINED, _ABANDONED, _ANSWERED, _WITHIN, _CALLBACKS, _WAIT_ANSWERED, _HELD_OPEN,
 _BUSY_ON_SHIFT, _STAFFED, _OVERTIME, _OPEN, _MET_CALLERS, _CALLER_ATTEMPTS) = range(len(TOTALS))
_P90 = 0.9  # the percentile reported, as a fraction


def metrics_table() -> pd.DataFrame:
    """:data:`METRICS` as a frame indexed by name with columns unit, direction, definition."""
    return pd.DataFrame(
        [{"name": m.name, "unit": m.unit, "direction": m.direction, "definition": m.definition}
         for m in METRICS.values()]).set_index("name")


@overload
def _ratio(num: np.ndarray | float, den: np.ndarray) -> np.ndarray: ...
@overload
def _ratio(num: np.ndarray | float, den: float) -> float: ...
def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray | float:
    """num / den, NaN where den is 0: float64 arrays of one shape, or numbers."""
    if not isinstance(den, np.ndarray):
        return float(num) / float(den) if den > 0 else np.nan
    return np.divide(num, den, out=np.full(den.shape, np.nan), where=den > 0)


@overload
def _occupancy(busy: np.ndarray | float, on_duty: np.ndarray) -> np.ndarray: ...
@overload
def _occupancy(busy: np.ndarray | float, on_duty: float) -> float: ...
def _occupancy(busy: np.ndarray | float, on_duty: np.ndarray | float) -> np.ndarray | float:
    """busy / on duty agent-seconds, NaN where none on duty. Busy time never exceeds the time on duty
    (the overtime counts agents past their shift), but the two are sums of different pieces: a fully
    busy interval can come out 1 + 1e-16, which is read as 1."""
    r = _ratio(busy, on_duty)
    return np.minimum(r, 1.0) if isinstance(r, np.ndarray) else min(r, 1.0) if r == r else r


def kpis_from_totals(t: Mapping[str, np.ndarray | float], p90_wait_s: np.ndarray | float
                     ) -> dict[str, np.ndarray | float]:
    """Every metric of :data:`METRICS` from :data:`TOTALS` (per-interval arrays, or their sums for a
    whole replication) and the percentile: the one place each formula is written. NaN where a
    denominator is 0."""
    return {
        "attempts": t["attempts"],
        "callers": t["callers"],
        "blocked": t["blocked"],
        "contained": t["contained"],
        "abandoned": t["abandoned"],
        "answered": t["answered"],
        "answered_within": t["answered_within"],
        "callbacks": t["callbacks"],
        "service_level": _ratio(t["answered_within"], t["answered"] + t["abandoned"]),
        "abandon_rate": _ratio(t["abandoned"], t["answered"] + t["abandoned"]),
        "asa_s": _ratio(t["wait_answered_s"], t["answered"]),
        "p90_wait_s": p90_wait_s,
        "occupancy": _occupancy(t["busy_on_shift_s"], t["staffed_s"] + t["overtime_s"]),
        "got_through_rate": _ratio(t["met_callers"], t["callers"]),
        "attempts_per_caller": _ratio(t["caller_attempts"], t["callers"]),
        "avg_queue": _ratio(t["held_open_s"], t["open_s"]),
    }


# ------------------------------------------------------------------------------------ the pass
@jit(inline="always")
def _add_busy(busy, full, start, duration, hint, n, interval_s):
    """Add the agent time [start, start + duration) to ``busy`` per interval: a call within one
    interval adds its time there; a longer one its head and tail to its first and last intervals
    and a whole interval to each one between (through the difference array ``full``). Time after
    the last interval is not counted. ``hint``: an interval at or before the start (the arrival's),
    from which the start's interval is usually one step or none away."""
    horizon = n * interval_s
    if not start < horizon or np.isnan(duration):  # NaN start: nobody served it
        return
    end = min(start + duration, horizon)
    a = hint
    edge = (a + 1) * interval_s
    if a * interval_s > start or edge <= start - 2 * interval_s:  # not a useful hint
        a = interval_at(start, interval_s, n)
        edge = (a + 1) * interval_s
    while edge <= start:
        a += 1
        edge += interval_s
    if end <= edge:
        busy[a] += end - start
    else:
        b = interval_at(end, interval_s, n)
        busy[a] += edge - start
        busy[b] += end - b * interval_s
        full[a + 1] += 1.0
        full[b] -= 1.0


@jit(inline="always")
def _add_full(busy, full, interval_s):
    run = 0.0
    for k in range(busy.shape[0]):
        run += full[k]
        busy[k] += run * interval_s


@jit()
def _busy_seconds(answer_s, service_s, n, interval_s):
    busy = np.zeros(n)
    full = np.zeros(n + 1)
    for i in range(answer_s.shape[0]):
        _add_busy(busy, full, answer_s[i], service_s[i], 0, n, interval_s)
    _add_full(busy, full, interval_s)
    return busy


def busy_seconds_per_interval(answer_s: np.ndarray, service_s: np.ndarray, n_intervals: int,
                              interval_s: float) -> np.ndarray:
    """Agent busy seconds falling in each interval, shape (n_intervals,): each served call keeps an
    agent busy over [answer_s, answer_s + service_s), split across intervals exactly in one compiled
    pass (the rule :func:`interval_totals` uses); time after the last interval is not counted."""
    return _busy_seconds(np.asarray(answer_s, dtype=np.float64), np.asarray(service_s, dtype=np.float64),
                         int(n_intervals), float(interval_s))


@jit()
def _overtime(answer, service, group, staffed_group, interval_s):
    """(n, G) agent seconds each group's busy agents exceed its schedule in each interval (see the
    module docstring): in interval k with A scheduled agents and C calls in progress at its start
    (started at or before it, ending after it), the C - A calls that end first keep agents past
    their shift until they end (or the interval does)."""
    n, n_groups = staffed_group.shape
    horizon = n * interval_s
    out = np.zeros((n, n_groups))
    carried = np.zeros((n, n_groups), np.int64)
    total = 0
    for i in range(answer.shape[0]):  # calls in progress at each interval start k >= 1
        s = answer[i]
        g = group[i]
        if not s < horizon or not service[i] > 0.0 or g < 0:  # NaN: nobody served it
            continue
        e = s + service[i]
        k = interval_at(s, interval_s, n)
        if k * interval_s < s or k == 0:
            k += 1
        while k < n and k * interval_s < e:
            carried[k, g] += 1
            total += 1
            k += 1
    if total == 0:
        return out
    roster = np.empty((n, n_groups), np.int64)
    start = np.zeros(n * n_groups + 1, np.int64)  # where each (k, g) keeps its calls' end times, if over the roster
    for k in range(n):
        for g in range(n_groups):
            roster[k, g] = int(round(staffed_group[k, g] / interval_s))
            c = carried[k, g] if carried[k, g] > roster[k, g] else 0
            start[k * n_groups + g + 1] = start[k * n_groups + g] + c
    if start[n * n_groups] == 0:
        return out
    ends = np.empty(start[n * n_groups])
    pos = start[:-1].copy()
    for i in range(answer.shape[0]):
        s = answer[i]
        g = group[i]
        if not s < horizon or not service[i] > 0.0 or g < 0:
            continue
        e = s + service[i]
        k = interval_at(s, interval_s, n)
        if k * interval_s < s or k == 0:
            k += 1
        while k < n and k * interval_s < e:
            if carried[k, g] > roster[k, g]:
                edge = (k + 1) * interval_s
                ends[pos[k * n_groups + g]] = e if e < edge else edge
                pos[k * n_groups + g] += 1
            k += 1
    for k in range(n):
        for g in range(n_groups):
            lo, hi = start[k * n_groups + g], start[k * n_groups + g + 1]
            if hi > lo:
                part = np.sort(ends[lo:hi])
                extra = 0.0
                for j in range(hi - lo - roster[k, g]):  # the calls that end first
                    extra += part[j] - k * interval_s
                out[k, g] = extra
    return out


def overtime_seconds(rec: CallRecords, interval_s: float) -> np.ndarray:
    """Agent seconds past the schedule per interval and agent group, float64 (n_intervals, G): the
    time agents leaving at a drop in staffing spend finishing their calls (busy agents beyond the
    interval's scheduled agents of the group, ``rec.staffed_group_s``)."""
    return _overtime(rec.answer_s, rec.service_s, rec.group, rec.staffed_group_s, float(interval_s))


@jit(inline="always")
def _swap(v, i, j):
    x = v[i]
    v[i] = v[j]
    v[j] = x


@jit()
def _select(v, lo, hi, k):
    """Rearrange ``v[lo:hi]`` so that ``v[k]`` is its (k - lo)-th smallest value, everything before
    it no larger and everything after it no smaller (quickselect: median-of-three pivot, Hoare
    partition, insertion sort below 16 values); linear time on average."""
    while hi - lo > 16:
        mid = (lo + hi - 1) >> 1
        if v[mid] < v[lo]:
            _swap(v, mid, lo)
        if v[hi - 1] < v[lo]:
            _swap(v, hi - 1, lo)
        if v[hi - 1] < v[mid]:
            _swap(v, hi - 1, mid)
        pivot = v[mid]
        i = lo
        j = hi - 1
        while i <= j:
            while v[i] < pivot:
                i += 1
            while v[j] > pivot:
                j -= 1
            if i <= j:
                _swap(v, i, j)
                i += 1
                j -= 1
        # v[lo:j+1] <= pivot <= v[i:hi], and v[j+1:i] == pivot
        if k <= j:
            hi = j + 1
        elif k >= i:
            lo = i
        else:
            return
    for a in range(lo + 1, hi):
        x = v[a]
        b = a - 1
        while b >= lo and v[b] > x:
            v[b + 1] = v[b]
            b -= 1
        v[b + 1] = x


@jit(inline="always")
def _lerp(a, b, virtual, i):
    """numpy's linear interpolation between the order statistics ``a`` (at index ``i``) and ``b``
    (the next) for the position ``virtual`` (its ``_lerp``: the same rounding)."""
    gamma = virtual - i
    diff = b - a
    if gamma >= 0.5:
        return b - diff * (1.0 - gamma)
    return a + diff * gamma


@jit()
def _percentile(v, lo, hi, q):
    """numpy's ``percentile(v[lo:hi], 100 q)`` (method "linear"), exactly; rearranges ``v[lo:hi]``.
    NaN when empty."""
    c = hi - lo
    if c == 0:
        return np.nan
    virtual = (c - 1) * q
    i = min(int(np.floor(virtual)), c - 1)
    _select(v, lo, hi, lo + i)
    a = v[lo + i]
    b = a
    if i + 1 < c:  # the next order statistic: the smallest value after position i
        b = v[lo + i + 1]
        for h in range(lo + i + 2, hi):
            if v[h] < b:
                b = v[h]
    return _lerp(a, b, virtual, i)


_BUCKETS = 1 << 14


@jit()
def _percentile_large(v, q, top):
    """:func:`_percentile` of all of ``v`` (values in [0, ``top``]), without rearranging it: a
    histogram of the values finds the buckets holding the two order statistics, and only the
    values of those buckets are selected; two reads of ``v`` instead of quickselect's passes."""
    c = v.shape[0]
    if c == 0:
        return np.nan
    virtual = (c - 1) * q
    i = min(int(np.floor(virtual)), c - 1)
    if c < 4 * _BUCKETS or not top > 0.0:
        w = v.copy()
        return _percentile(w, 0, c, q)
    scale = (_BUCKETS - 1) / top
    counts = np.zeros(_BUCKETS, np.int64)
    for h in range(c):
        counts[int(v[h] * scale)] += 1
    below = 0  # values in the buckets before bucket ``first``
    first = 0
    while below + counts[first] <= i:
        below += counts[first]
        first += 1
    last = first  # order statistic i + 1 may sit in a later bucket
    if below + counts[first] <= i + 1 and i + 1 < c:
        last += 1
        while counts[last] == 0:
            last += 1
    inside = np.empty(counts[first] + (counts[last] if last != first else 0))
    m = 0
    for h in range(c):
        b = int(v[h] * scale)
        if b == first or b == last:
            inside[m] = v[h]
            m += 1
    k = i - below
    _select(inside, 0, m, k)
    a = inside[k]
    b = a
    if i + 1 < c:
        b = inside[k + 1]
        for h in range(k + 2, m):
            if inside[h] < b:
                b = inside[h]
    return _lerp(a, b, virtual, i)


@jit()
def _engine_layout(caller, attempt):
    """m when the records are in the engines' layout (rows 0..m-1: first attempts of callers
    0..m-1; then attempts > 1 of those callers), else -1."""
    n = caller.shape[0]
    m = 0
    while m < n and attempt[m] == 1 and caller[m] == m:
        m += 1
    for i in range(m, n):
        if attempt[i] <= 1 or caller[i] < 0 or caller[i] >= m:
            return -1
    return m


@jit(inline="always")
def _count_rows(lo, hi, later, caller, interval, arrival, outcome, wait, answer, service, interval_s, ivr_s,
                sl_threshold, by_outcome, tot, busy, full, held, held_full, n_ans):
    """Add rows ``lo..hi-1`` to the totals; ``later``: they are attempts after the first (their
    caller counts for the interval of its first attempt). Rows of the same interval come in runs
    (the engines write first attempts in arrival order), so a run is added up in local variables
    and written once. ``by_outcome``: (5, n) attempts by outcome, plus row 5: first attempts called
    back. Agent time goes to ``busy`` and time on hold to ``held`` (each with its difference array
    of whole intervals). Returns the longest answered wait."""
    n = busy.shape[0]
    top = 0.0
    i = lo
    while i < hi:
        k = interval[i]
        edge_lo, edge_hi = k * interval_s, (k + 1) * interval_s
        counts = np.zeros(6)
        wait_answered = within = held_k = busy_k = 0.0
        answered = 0
        while i < hi and interval[i] == k:
            o = outcome[i]
            w = wait[i]
            s = answer[i]
            counts[o] += 1.0
            if o == OUTCOME_ANSWERED:
                answered += 1
                wait_answered += w
                top = max(top, w)
                if w <= sl_threshold:
                    within += 1.0
            if w > 0.0:  # on hold from joining the queue (ivr_s after the arrival) for w seconds
                h = arrival[i] + ivr_s
                if edge_lo <= h and h + w <= edge_hi:  # the common case: within the arrival interval
                    held_k += w
                else:
                    _add_busy(held, held_full, h, w, k, n, interval_s)
            if s == s:  # an agent served it
                d = service[i]
                if edge_lo <= s and s + d <= edge_hi:  # the common case: within the arrival interval
                    busy_k += d
                else:
                    _add_busy(busy, full, s, d, k, n, interval_s)
            met = o == OUTCOME_ANSWERED or o == OUTCOME_CONTAINED or (o == OUTCOME_CALLBACK and s == s)
            if later:  # a redial counts for its caller's first interval
                k1 = interval[caller[i]]
                tot[_CALLER_ATTEMPTS, k1] += 1.0
                if met:
                    tot[_MET_CALLERS, k1] += 1.0
            elif o == OUTCOME_CALLBACK and met:
                counts[5] += 1.0
            i += 1
        for o in range(6):
            by_outcome[o, k] += counts[o]
        tot[_WAIT_ANSWERED, k] += wait_answered
        tot[_WITHIN, k] += within
        held[k] += held_k
        busy[k] += busy_k
        n_ans[k + 1] += answered
    return top


@jit()
def _record_pass(m, caller, interval, arrival, outcome, wait, answer, service, staffed, overtime, closed, interval_s,
                 ivr_s, sl_threshold, q, tot, pct):
    """The pass over one replication's records in the engines' layout (rows 0..m-1: the first
    attempts of callers 0..m-1, then the other attempts of those callers): fills ``tot``
    (len(TOTALS), n) and ``pct`` (n + 1: the percentile of each interval's answered waits, then
    of all). ``overtime``: (n,) agent seconds past the schedule (:func:`_overtime`, all groups)."""
    N = caller.shape[0]
    n = staffed.shape[0]
    busy = np.zeros(n)
    full = np.zeros(n + 1)
    held = np.zeros(n)
    held_full = np.zeros(n + 1)
    first = np.zeros((6, n))  # first attempts by outcome; row 5: called back
    others = np.zeros((6, n))
    n_ans = np.zeros(n + 1, np.int64)
    top = max(_count_rows(0, m, False, caller, interval, arrival, outcome, wait, answer, service, interval_s, ivr_s,
                          sl_threshold, first, tot, busy, full, held, held_full, n_ans),
              _count_rows(m, N, True, caller, interval, arrival, outcome, wait, answer, service, interval_s, ivr_s,
                          sl_threshold, others, tot, busy, full, held, held_full, n_ans))
    _add_full(busy, full, interval_s)
    _add_full(held, held_full, interval_s)
    for k in range(n):
        callers = 0.0
        for o in range(5):
            callers += first[o, k]
        tot[_ATTEMPTS, k] = callers + others[0:5, k].sum()
        tot[_BLOCKED, k] = first[OUTCOME_BLOCKED, k] + others[OUTCOME_BLOCKED, k]
        tot[_CONTAINED, k] = first[OUTCOME_CONTAINED, k] + others[OUTCOME_CONTAINED, k]
        tot[_ABANDONED, k] = first[OUTCOME_ABANDONED, k] + others[OUTCOME_ABANDONED, k]
        tot[_ANSWERED, k] = first[OUTCOME_ANSWERED, k] + others[OUTCOME_ANSWERED, k]
        tot[_CALLBACKS, k] = first[OUTCOME_CALLBACK, k] + others[OUTCOME_CALLBACK, k]
        tot[_CALLERS, k] = callers
        tot[_CALLER_ATTEMPTS, k] += callers
        tot[_MET_CALLERS, k] += first[OUTCOME_ANSWERED, k] + first[OUTCOME_CONTAINED, k] + first[5, k]
        tot[_STAFFED, k] = staffed[k]
        if staffed[k] > 0:
            tot[_BUSY_ON_SHIFT, k] = busy[k]
            tot[_OVERTIME, k] = overtime[k]
        if not closed[k]:
            tot[_OPEN, k] = interval_s
            tot[_HELD_OPEN, k] = held[k]
    # the answered waits grouped by interval (a counting sort), then the percentiles
    for k in range(n):
        n_ans[k + 1] += n_ans[k]
    pos = n_ans[:n].copy()
    v = np.empty(n_ans[n])
    for i in range(N):
        if outcome[i] == OUTCOME_ANSWERED:
            k = interval[i]
            v[pos[k]] = wait[i]
            pos[k] += 1
    pct[n] = _percentile_large(v, q, top)
    for k in range(n):
        pct[k] = _percentile(v, n_ans[k], n_ans[k + 1], q)


def interval_totals(rec: CallRecords, interval_s: float, sl_threshold: float
                    ) -> tuple[dict[str, np.ndarray], np.ndarray, float]:
    """One compiled pass over a replication's records: (:data:`TOTALS` as {name: float64 (n,)}, the
    90th percentile of the answered waits per interval (float64 (n,), NaN where none), and overall).

    Records from the engines are read as they are; other records (callers in any order) are first
    put in the engines' layout (see :mod:`simulate.records`) with numpy."""
    tot, pct = _totals(rec, interval_s, sl_threshold)
    n = len(rec.staffed_s)
    return dict(zip(TOTALS, tot)), pct[:n], float(pct[n])


def _totals(rec: CallRecords, interval_s: float, sl_threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`interval_totals` as arrays: totals (len(TOTALS), n) and percentiles (n + 1,)."""
    n = len(rec.staffed_s)
    tot = np.zeros((len(TOTALS), n))
    pct = np.empty(n + 1)
    m = _engine_layout(rec.caller, rec.attempt)
    caller, interval, arrival, outcome, wait, answer, service = (rec.caller, rec.interval, rec.arrival_s, rec.outcome,
                                                                 rec.wait_s, rec.answer_s, rec.service_s)
    if m < 0:
        order, caller, m = _engine_order(rec)
        columns = (interval, arrival, outcome, wait, answer, service)
        interval, arrival, outcome, wait, answer, service = (a[order] for a in columns)
    overtime = overtime_seconds(rec, interval_s).sum(axis=1)
    _record_pass(m, caller, interval, arrival, outcome, wait, answer, service, rec.staffed_s, overtime, rec.closed,
                 float(interval_s), float(rec.ivr_s), float(sl_threshold), _P90, tot, pct)
    return tot, pct


def _engine_order(rec: CallRecords) -> tuple[np.ndarray, np.ndarray, int]:
    """Records in any order into the engines' layout: (row order, caller numbers 0..m-1 in that
    order, m). A caller's first attempt is its lowest attempt number."""
    ids, inverse = np.unique(rec.caller, return_inverse=True)
    by_caller = np.lexsort((rec.attempt, inverse))  # by caller, then attempt number
    starts = np.r_[True, inverse[by_caller][1:] != inverse[by_caller][:-1]] if len(rec) else np.zeros(0, bool)
    first_rows = by_caller[starts]  # one per caller, in caller-id order
    is_first = np.zeros(len(rec), np.bool_)
    is_first[first_rows] = True
    order = np.concatenate([first_rows, np.flatnonzero(~is_first)])
    number = np.empty(len(ids), np.int64)
    number[inverse[first_rows]] = np.arange(len(ids))
    return order, number[inverse[order]], len(ids)


def kpis(rec: CallRecords, interval_s: float, sl_threshold: float
         ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """One replication's KPIs from one pass: (summary {metric: value}, per interval {metric: float64
    (n,)}); the summary is :func:`kpis_from_totals` of the summed per-interval totals."""
    tot, pct = _totals(rec, interval_s, sl_threshold)
    n = len(rec.staffed_s)
    per_interval = kpis_from_totals(dict(zip(TOTALS, tot)), pct[:n])
    summary = kpis_from_totals(dict(zip(TOTALS, tot.sum(axis=1).tolist())), float(pct[n]))
    return cast(dict[str, float], summary), cast(dict[str, np.ndarray], per_interval)


def summarize(rec: CallRecords, interval_s: float, sl_threshold: float) -> dict[str, float]:
    """One replication's KPIs (see :data:`METRICS`): {metric name: value}; NaN when undefined."""
    return kpis(rec, interval_s, sl_threshold)[0]


def interval_metrics(rec: CallRecords, interval_s: float, sl_threshold: float) -> dict[str, np.ndarray]:
    """One replication's KPIs per arrival interval: {metric name: float64 array of shape (n,)}."""
    return kpis(rec, interval_s, sl_threshold)[1]


def t_interval(values: np.ndarray, confidence: float = 0.95, *, lower: float | None = None,
               upper: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and confidence interval across replications (axis 0), ignoring NaN, inside [lower, upper].

    values: shape (R, ...). Returns (mean, lo, hi) of shape values.shape[1:]. ``lower``/``upper``
    give the KPI's range (see :func:`simulate.confidence.metric_bounds`): shares get a Wilson
    interval, counts and durations a log-t interval, an unbounded quantity the t interval (why: see
    :mod:`simulate.confidence`). With one valid replication lo == hi == mean; with none, all NaN.
    """
    from simulate.confidence import mean_interval

    return mean_interval(values, confidence, lower=lower, upper=upper)


def compare(results: Mapping[str, SimulationResult]) -> pd.DataFrame:
    """Scenarios side by side: one row per metric of :data:`METRICS`, then ``cost``.

    For each scenario name, columns ``<name>`` (mean), ``<name>_lo``, ``<name>_hi`` (95% interval
    across replications, inside the metric's range); then ``best``: a tuple of the names with the
    best mean for that metric according to its direction, every tied scenario included (means equal
    to within 1e-9 relative). ``best`` is empty for neutral metrics, when every candidate ties, and
    when fewer than two scenarios are candidates. A scenario that serves nobody (no call answered in
    any replication) is never a candidate: it is not "best" at cost, abandonment or anything else.
    The ``cost`` row is the paid cost of each scenario's staffing (currency;
    :func:`simulate.staffing.workforce_totals` on its agents per interval), lower is better, with
    lo == hi == mean (no sampling error).
    """
    from simulate.staffing import workforce_totals

    if not results:
        raise ValueError("compare: results must name at least one SimulationResult")
    names = list(results)
    cols: dict[str, pd.Series] = {}
    for name in names:
        res = results[name]
        summ = res.summary
        cost = workforce_totals(res.intervals["agents"].to_numpy(), res.interval_s, res.scenario)["cost"]
        extra = pd.Series({"cost": cost})
        cols[name] = pd.concat([summ["mean"], extra])
        cols[f"{name}_lo"] = pd.concat([summ["lo"], extra])
        cols[f"{name}_hi"] = pd.concat([summ["hi"], extra])
    order = [m for m in METRICS if m in cols[names[0]].index] + ["cost"]
    out = pd.DataFrame(cols).reindex(order)
    answered = out.loc["answered", names].to_numpy(dtype=np.float64) if "answered" in out.index else \
        np.ones(len(names))
    serves = np.isfinite(answered) & (answered > 0)
    best: list[tuple[str, ...]] = []
    for metric, row in out[names].iterrows():
        direction = "lower" if metric == "cost" else METRICS[metric].direction
        vals = row.to_numpy(dtype=np.float64)
        candidate = serves & np.isfinite(vals)
        if direction == "neutral" or candidate.sum() < 2:
            best.append(())
            continue
        pick = np.max(vals[candidate]) if direction == "higher" else np.min(vals[candidate])
        tied = candidate & np.isclose(vals, pick, rtol=1e-9, atol=0.0)
        best.append(() if tied.sum() == candidate.sum() else tuple(n for n, t in zip(names, tied) if t))
    out["best"] = pd.Series(best, index=out.index, dtype=object)
    out.index.name = "metric"
    return out


# --------------------------------------------------------------------------- per call type, skill and group
# KPIs broken down by call type (and by skill, e.g. language: the types needing it together) and by
# agent group. Counts come from one replication's records; rates are derived from the counts, so a
# skill's rate is the rate of its types' calls together. The same definitions as METRICS where the
# name is the same.
BREAKDOWN_METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("calls", "calls", "neutral", "Attempts that reached the queue or an agent: answered + abandoned."),
    Metric("answered", "calls", "higher", "Attempts answered by an agent (by a group: answered or called back by it)."),
    # the same definitions as the summary's: one place
    *(METRICS[name] for name in ("abandoned", "service_level", "abandon_rate", "asa_s")),
    Metric("p_wait", "share", "lower", "Share of answered + abandoned attempts that waited at all (wait > 0)."),
    Metric("mean_wait_s", "seconds", "lower", "Mean wait of answered and abandoned attempts."),
    Metric("sl_answered", "share", "higher",
           "By group: its answered calls answered within sl_threshold / its answered calls."),
    Metric("occupancy", "share", "neutral",
           "By group: its agents' busy seconds / its agent-seconds on duty (staffed, plus calls finished after a "
           "shift), over intervals it has agents on shift."),
    Metric("agent_hours", "hours", "neutral", "By group: agent-hours on shift (as scheduled)."),
)}
TYPE_COUNTS = ("calls", "answered", "abandoned", "answered_within", "waited", "wait_answered_s", "wait_all_s")
GROUP_COUNTS = ("answered", "answered_within", "wait_answered_s", "busy_s", "staffed_s", "overtime_s")


def type_counts(rec: CallRecords, sl_threshold: float, n_types: int) -> dict[str, np.ndarray]:
    """One replication's counts per call type: {name in :data:`TYPE_COUNTS`: float64 (n_types,)}.

    calls = answered + abandoned attempts; waited = those of them with a wait > 0; wait_answered_s
    and wait_all_s are sums of waits (s) over answered, and over answered + abandoned."""
    t = rec.call_type.astype(np.int64)
    answered = rec.outcome == OUTCOME_ANSWERED
    queued = answered | (rec.outcome == OUTCOME_ABANDONED)
    wait = np.where(queued, rec.wait_s, 0.0)

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(t[mask], weights=None if weights is None else weights[mask],
                           minlength=n_types).astype(np.float64)

    return {
        "calls": count(queued),
        "answered": count(answered),
        "abandoned": count(rec.outcome == OUTCOME_ABANDONED),
        "answered_within": count(answered & (rec.wait_s <= sl_threshold)),
        "waited": count(queued & (wait > 0)),
        "wait_answered_s": count(answered, wait),
        "wait_all_s": count(queued, wait),
    }


def type_rates(counts: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """service_level, abandon_rate, asa_s, p_wait, mean_wait_s from :func:`type_counts` (or their sums
    over the types of a skill); NaN where no call reached the queue."""
    c = counts
    return {
        "service_level": _ratio(c["answered_within"], c["calls"]),
        "abandon_rate": _ratio(c["abandoned"], c["calls"]),
        "asa_s": _ratio(c["wait_answered_s"], c["answered"]),
        "p_wait": _ratio(c["waited"], c["calls"]),
        "mean_wait_s": _ratio(c["wait_all_s"], c["calls"]),
    }


def group_counts(rec: CallRecords, interval_s: float, sl_threshold: float) -> dict[str, np.ndarray]:
    """One replication's counts per agent group: {name in :data:`GROUP_COUNTS`: float64 (G,)}.

    answered: attempts the group's agents answered or called back; answered_within and
    wait_answered_s: over its answered attempts (callbacks aside); busy_s: its agents' busy seconds
    in the intervals where it has agents on shift (as :func:`summarize` counts occupancy);
    staffed_s: its scheduled agent-seconds; overtime_s: the time its agents leaving at a drop in
    its staffing spent finishing calls, in the intervals where it has agents on shift
    (:func:`overtime_seconds`)."""
    assert rec.group is not None and rec.staffed_group_s is not None  # CallRecords.__post_init__ fills both
    n_groups = rec.n_groups
    n = len(rec.staffed_s)
    g = rec.group.astype(np.int64)
    served = g >= 0
    answered = served & (rec.outcome == OUTCOME_ANSWERED)
    staffed = rec.staffed_group_s
    busy = np.zeros(n_groups)
    on_shift = staffed > 0
    overtime = np.where(on_shift, overtime_seconds(rec, interval_s), 0.0).sum(axis=0)
    for j in range(n_groups):
        mine = g == j
        per_interval = busy_seconds_per_interval(rec.answer_s[mine], rec.service_s[mine], n, interval_s)
        busy[j] = per_interval[on_shift[:, j]].sum()
    return {
        "answered": np.bincount(g[served], minlength=n_groups).astype(np.float64),
        "answered_within": np.bincount(g[answered & (rec.wait_s <= sl_threshold)], minlength=n_groups).astype(
            np.float64),
        "wait_answered_s": np.bincount(g[answered], weights=rec.wait_s[answered], minlength=n_groups),
        "busy_s": busy,
        "staffed_s": staffed.sum(axis=0),
        "overtime_s": overtime,
    }


def group_rates(counts: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """sl_answered, asa_s, occupancy, agent_hours from :func:`group_counts`."""
    c = counts
    return {
        "sl_answered": _ratio(c["answered_within"], c["answered"]),
        "asa_s": _ratio(c["wait_answered_s"], c["answered"]),
        "occupancy": _occupancy(c["busy_s"], np.asarray(c["staffed_s"] + c["overtime_s"], dtype=np.float64)),
        "agent_hours": np.asarray(c["staffed_s"], dtype=np.float64) / 3600.0,
    }


def sum_by(counts: Mapping[str, np.ndarray], keys: np.ndarray) -> tuple[list, dict[str, np.ndarray]]:
    """Counts per type summed by a key per type (e.g. the skill): (keys in first-seen order, counts)."""
    order = list(dict.fromkeys(keys.tolist()))
    idx = np.array([order.index(k) for k in keys.tolist()], dtype=np.int64)
    return order, {name: np.bincount(idx, weights=v, minlength=len(order)) for name, v in counts.items()}


def breakdown_frame(rows: list, per_rep: list[dict[str, np.ndarray]], label: str,
                    extra: Mapping[str, list] | None = None) -> pd.DataFrame:
    """A tidy breakdown: one row per item (call type, skill or group) named in ``rows``; for each
    metric in the replications' dicts ``per_rep`` (each {metric: (len(rows),)}) the mean and its
    95% interval across replications (``<m>``, ``<m>_lo``, ``<m>_hi``). ``label`` names the first
    column; ``extra`` adds columns (e.g. the skill of each type)."""
    out: dict[str, object] = {label: rows}
    for key, values in (extra or {}).items():
        out[key] = values
    for name in per_rep[0]:
        mean, lo, hi = t_interval(np.stack([r[name] for r in per_rep]))
        out[name], out[f"{name}_lo"], out[f"{name}_hi"] = mean, lo, hi
    return pd.DataFrame(out)


def service_gap(by_skill: pd.DataFrame | SimulationResult,
                metrics: tuple[str, ...] = ("service_level", "asa_s", "abandon_rate")) -> pd.DataFrame:
    """The "equal service" check: per metric, each skill's value (e.g. each language), the gap
    (highest minus lowest) and the skill served worse.

    by_skill: a result of :func:`simulate.run` (its ``by_skill``) or such a frame (column ``skill``
    and the metrics). Returns one row per metric: ``metric``, one column per skill, ``gap`` (same
    unit as the metric: a share for service_level and abandon_rate, seconds for asa_s) and
    ``worse`` (the skill with the worse value given the metric's direction; "" when equal)."""
    frame = getattr(by_skill, "by_skill", by_skill)
    if not isinstance(frame, pd.DataFrame) or "skill" not in frame.columns:
        raise ValueError("service_gap: expected a simulation result with a per-skill breakdown (a scenario with "
                         "call types) or a frame with a 'skill' column")
    skills = [str(s) for s in frame["skill"]]
    rows = []
    for m in metrics:
        if m not in frame.columns:
            raise ValueError(f"service_gap: no column {m!r} in the breakdown (has {list(frame.columns)})")
        vals = frame[m].to_numpy(dtype=np.float64)
        row: dict[str, object] = {"metric": m, **dict(zip(skills, vals))}
        ok = ~np.isnan(vals)
        if ok.sum() >= 2:
            gap = float(np.nanmax(vals) - np.nanmin(vals))
            higher_better = BREAKDOWN_METRICS[m].direction == "higher"
            worst = int(np.nanargmin(vals) if higher_better else np.nanargmax(vals))
            row["gap"], row["worse"] = gap, skills[worst] if gap > 0 else ""
        else:
            row["gap"], row["worse"] = np.nan, ""
        rows.append(row)
    return pd.DataFrame(rows, columns=["metric", *skills, "gap", "worse"])
