"""Every queue KPI, defined once: the :data:`METRICS` table and the functions that compute it.

Engines return :class:`simulate.records.CallRecords`; the functions here turn one replication's
records into a summary (one number per metric) and into per-interval arrays (one value per
arrival interval), vectorised with ``np.bincount``. :func:`t_interval` gives the 95% confidence
interval across replications and :func:`compare` puts several scenarios side by side.

Definitions (also in :data:`METRICS`, which the app and the exports read):
service_level = answered within ``sl_threshold`` / (answered + abandoned);
abandon_rate = abandoned / (answered + abandoned); asa_s and p90_wait_s are over answered calls;
occupancy = agent busy seconds / staffed agent-seconds, both over intervals with agents on shift;
got_through_rate = callers whose need was met (answered, contained, or called back) / callers.
Per interval, counts and rates are by the interval the attempt arrived in; got_through_rate and
attempts_per_caller are by the interval of the caller's first attempt; occupancy is by the
interval the agent was busy in.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

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

__all__ = ["Metric", "METRICS", "metrics_table", "summarize", "interval_metrics", "busy_seconds_per_interval",
           "t_interval", "compare"]


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
    Metric("p90_wait_s", "seconds", "lower", "90th percentile of the wait of answered calls."),
    Metric("occupancy", "share", "neutral",
           "Agent busy seconds / staffed agent-seconds, over intervals with agents on shift."),
    Metric("got_through_rate", "share", "higher",
           "Callers whose need was met (answered, contained, or called back) / callers."),
    Metric("attempts_per_caller", "calls", "lower", "attempts / callers (1 = everyone got through first time)."),
    Metric("avg_queue", "calls", "lower",
           "Average number on hold (Little's law): waiting seconds of attempts / open seconds."),
)}


def metrics_table() -> pd.DataFrame:
    """:data:`METRICS` as a frame indexed by name with columns unit, direction, definition."""
    return pd.DataFrame(
        [{"name": m.name, "unit": m.unit, "direction": m.direction, "definition": m.definition}
         for m in METRICS.values()]).set_index("name")


def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray | float:
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.divide(num, den, dtype=np.float64)
    return np.where(np.asarray(den) > 0, out, np.nan) if np.ndim(out) else (float(out) if den > 0 else np.nan)


@jit()
def _busy_seconds(answer_s, service_s, n, interval_s):
    busy = np.zeros(n)
    full = np.zeros(n + 1)  # difference array of intervals fully busy
    horizon = n * interval_s
    for i in range(answer_s.shape[0]):
        s = answer_s[i]
        d = service_s[i]
        if np.isnan(s) or np.isnan(d) or s >= horizon:
            continue
        e = min(s + d, horizon)
        a = min(int(s // interval_s), n - 1)
        b = min(int(e // interval_s), n - 1)
        if a == b:
            busy[a] += e - s
        else:
            busy[a] += (a + 1) * interval_s - s
            busy[b] += e - b * interval_s
            full[a + 1] += 1.0
            full[b] -= 1.0
    run = 0.0
    for k in range(n):
        run += full[k]
        busy[k] += run * interval_s
    return busy


def busy_seconds_per_interval(answer_s: np.ndarray, service_s: np.ndarray, n_intervals: int,
                              interval_s: float) -> np.ndarray:
    """Agent busy seconds falling in each interval, shape (n_intervals,).

    Each served call keeps an agent busy over [answer_s, answer_s + service_s); the time is
    split across intervals exactly, in one compiled pass over the calls: a call within one
    interval adds its service there; a longer one adds its head and tail to its first and last
    intervals and a whole interval to each one between (a difference array). Time after the last
    interval is not counted.
    """
    return _busy_seconds(np.asarray(answer_s, dtype=np.float64), np.asarray(service_s, dtype=np.float64),
                         int(n_intervals), float(interval_s))


def _caller_tables(rec: CallRecords) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct caller (in caller-id order): first-attempt interval, attempts made, need met (bool)."""
    met_attempt = (rec.outcome == OUTCOME_ANSWERED) | (rec.outcome == OUTCOME_CONTAINED) | (
        (rec.outcome == OUTCOME_CALLBACK) & ~np.isnan(rec.answer_s))
    caller = rec.caller
    first = rec.attempt == 1
    if len(caller) and caller.min() >= 0 and caller.max() < 2 * len(caller) + 1024:
        # the engines number callers 0..N-1: count by id directly, no sort (20 M attempts: 0.3 s, not 3 s)
        attempts = np.bincount(caller, minlength=int(caller.max()) + 1)
        seen = attempts > 0
        first_ids = caller[first]
        n_first = np.bincount(first_ids, minlength=len(attempts))
        if n_first.max() <= 1 and np.array_equal(n_first > 0, seen):  # each caller's first attempt, once
            met = np.bincount(caller, weights=met_attempt, minlength=len(attempts)) > 0
            first_interval = np.full(len(attempts), -1, dtype=np.int64)
            first_interval[first_ids] = rec.interval[first]
            return first_interval[seen], attempts[seen], met[seen]
    ids, inverse = np.unique(caller, return_inverse=True)
    n_callers = len(ids)
    met = np.bincount(inverse, weights=met_attempt, minlength=n_callers) > 0
    attempts = np.bincount(inverse, minlength=n_callers)
    first_interval = np.full(n_callers, -1, dtype=np.int64)
    order = np.lexsort((rec.attempt, inverse))  # by caller, then attempt number
    first_rows = order[np.r_[True, inverse[order][1:] != inverse[order][:-1]]] if len(order) else order
    first_interval[inverse[first_rows]] = rec.interval[first_rows]
    return first_interval, attempts, met


def summarize(rec: CallRecords, interval_s: float, sl_threshold: float) -> dict[str, float]:
    """One replication's KPIs (see :data:`METRICS`): {metric name: value}; NaN when undefined."""
    o = rec.outcome
    answered = o == OUTCOME_ANSWERED
    abandoned = o == OUTCOME_ABANDONED
    n_ans = int(answered.sum())
    n_ab = int(abandoned.sum())
    waits = rec.wait_s[answered]
    within = int((waits <= sl_threshold).sum())
    n = len(rec.staffed_s)
    first_interval, _, met = _caller_tables(rec)
    n_callers = len(met)
    busy = busy_seconds_per_interval(rec.answer_s, rec.service_s, n, interval_s)
    staffed = rec.staffed_s > 0
    callers_by_interval = np.bincount(first_interval, minlength=n) if n_callers else np.zeros(n)
    open_intervals = staffed | (callers_by_interval > 0)
    return {
        "attempts": float(len(rec)),
        "callers": float(n_callers),
        "blocked": float((o == OUTCOME_BLOCKED).sum()),
        "contained": float((o == OUTCOME_CONTAINED).sum()),
        "abandoned": float(n_ab),
        "answered": float(n_ans),
        "answered_within": float(within),
        "callbacks": float((o == OUTCOME_CALLBACK).sum()),
        "service_level": _ratio(within, n_ans + n_ab),
        "abandon_rate": _ratio(n_ab, n_ans + n_ab),
        "asa_s": float(waits.mean()) if n_ans else np.nan,
        "p90_wait_s": float(np.percentile(waits, 90)) if n_ans else np.nan,
        "occupancy": _ratio(float(busy[staffed].sum()), float(rec.staffed_s[staffed].sum())),
        "got_through_rate": _ratio(float(met.sum()), n_callers),
        "attempts_per_caller": _ratio(float(len(rec)), n_callers),
        "avg_queue": _ratio(float(np.nansum(rec.wait_s)), float(open_intervals.sum()) * interval_s),
    }


def _group_percentile(values: np.ndarray, groups: np.ndarray, n_groups: int, q: float) -> np.ndarray:
    """Per-group percentile (numpy's default linear method), vectorised; NaN for empty groups."""
    out = np.full(n_groups, np.nan)
    if len(values) == 0:
        return out
    order = np.lexsort((values, groups))
    v = values[order]
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    has = counts > 0
    pos = (q / 100.0) * (counts[has] - 1)
    lo = np.floor(pos).astype(np.int64)
    frac = pos - lo
    base = starts[has]
    hi = np.minimum(lo + 1, counts[has] - 1)
    out[has] = v[base + lo] * (1 - frac) + v[base + hi] * frac
    return out


def interval_metrics(rec: CallRecords, interval_s: float, sl_threshold: float) -> dict[str, np.ndarray]:
    """One replication's KPIs per arrival interval: {metric name: float64 array of shape (n,)}."""
    n = len(rec.staffed_s)
    k = rec.interval.astype(np.int64)
    o = rec.outcome

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(k[mask], minlength=n).astype(np.float64)

    answered = o == OUTCOME_ANSWERED
    abandoned = o == OUTCOME_ABANDONED
    within_mask = answered & (rec.wait_s <= sl_threshold)
    ans = count(answered)
    ab = count(abandoned)
    within = count(within_mask)
    wait_sum = np.bincount(k[answered], weights=rec.wait_s[answered], minlength=n)
    first_interval, attempts_by_caller, met = _caller_tables(rec)
    callers = np.bincount(first_interval, minlength=n).astype(np.float64)
    busy = busy_seconds_per_interval(rec.answer_s, rec.service_s, n, interval_s)
    waits_all = np.where(np.isnan(rec.wait_s), 0.0, rec.wait_s)
    return {
        "attempts": np.bincount(k, minlength=n).astype(np.float64),
        "callers": callers,
        "blocked": count(o == OUTCOME_BLOCKED),
        "contained": count(o == OUTCOME_CONTAINED),
        "abandoned": ab,
        "answered": ans,
        "answered_within": within,
        "callbacks": count(o == OUTCOME_CALLBACK),
        "service_level": _ratio(within, ans + ab),
        "abandon_rate": _ratio(ab, ans + ab),
        "asa_s": _ratio(wait_sum, ans),
        "p90_wait_s": _group_percentile(rec.wait_s[answered], k[answered], n, 90.0),
        "occupancy": _ratio(busy, rec.staffed_s),
        "got_through_rate": _ratio(np.bincount(first_interval, weights=met, minlength=n), callers),
        "attempts_per_caller": _ratio(np.bincount(first_interval, weights=attempts_by_caller, minlength=n), callers),
        "avg_queue": np.bincount(k, weights=waits_all, minlength=n) / interval_s,
    }


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


def compare(results: Mapping[str, "SimulationResult"]) -> pd.DataFrame:
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
    best = []
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
    Metric("abandoned", "calls", "lower", "Attempts that hung up while on hold."),
    Metric("service_level", "share", "higher", "answered within sl_threshold / (answered + abandoned)."),
    Metric("abandon_rate", "share", "lower", "abandoned / (answered + abandoned)."),
    Metric("asa_s", "seconds", "lower", "Average speed of answer: mean wait of answered calls."),
    Metric("p_wait", "share", "lower", "Share of answered + abandoned attempts that waited at all (wait > 0)."),
    Metric("mean_wait_s", "seconds", "lower", "Mean wait of answered and abandoned attempts."),
    Metric("sl_answered", "share", "higher",
           "By group: its answered calls answered within sl_threshold / its answered calls."),
    Metric("occupancy", "share", "neutral",
           "By group: its agents' busy seconds / its staffed agent-seconds, over intervals it has agents on shift."),
    Metric("agent_hours", "hours", "neutral", "By group: agent-hours on shift (as scheduled)."),
)}
TYPE_COUNTS = ("calls", "answered", "abandoned", "answered_within", "waited", "wait_answered_s", "wait_all_s")
GROUP_COUNTS = ("answered", "answered_within", "wait_answered_s", "busy_s", "staffed_s")


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
    staffed_s: its scheduled agent-seconds."""
    n_groups = rec.n_groups
    n = len(rec.staffed_s)
    g = rec.group.astype(np.int64)
    served = g >= 0
    answered = served & (rec.outcome == OUTCOME_ANSWERED)
    staffed = rec.staffed_group_s
    busy = np.zeros(n_groups)
    for j in range(n_groups):
        mine = g == j
        per_interval = busy_seconds_per_interval(rec.answer_s[mine], rec.service_s[mine], n, interval_s)
        busy[j] = per_interval[staffed[:, j] > 0].sum()
    return {
        "answered": np.bincount(g[served], minlength=n_groups).astype(np.float64),
        "answered_within": np.bincount(g[answered & (rec.wait_s <= sl_threshold)], minlength=n_groups).astype(
            np.float64),
        "wait_answered_s": np.bincount(g[answered], weights=rec.wait_s[answered], minlength=n_groups),
        "busy_s": busy,
        "staffed_s": staffed.sum(axis=0),
    }


def group_rates(counts: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """sl_answered, asa_s, occupancy, agent_hours from :func:`group_counts`."""
    c = counts
    return {
        "sl_answered": _ratio(c["answered_within"], c["answered"]),
        "asa_s": _ratio(c["wait_answered_s"], c["answered"]),
        "occupancy": _ratio(c["busy_s"], c["staffed_s"]),
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


def service_gap(by_skill: "pd.DataFrame | SimulationResult",
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
            row["gap"] = float(np.nanmax(vals) - np.nanmin(vals))
            higher_better = BREAKDOWN_METRICS[m].direction == "higher"
            worst = int(np.nanargmin(vals) if higher_better else np.nanargmax(vals))
            row["worse"] = skills[worst] if row["gap"] > 0 else ""
        else:
            row["gap"], row["worse"] = np.nan, ""
        rows.append(row)
    return pd.DataFrame(rows, columns=["metric", *skills, "gap", "worse"])
