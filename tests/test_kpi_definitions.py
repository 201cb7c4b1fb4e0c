"""Every KPI, per interval and for the whole run, recomputed from the call records in plain
numpy/pandas, independently of simulate.metrics, for random scenarios on every engine: a change to
any formula (service level that ignores abandoned callers, occupancy halved, ...) fails here."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from random_centres import random_case

from simulate import METRICS, Scenario, engine_fast, engine_simpy, metrics
from simulate.records import (
    OUTCOME_ABANDONED,
    OUTCOME_ANSWERED,
    OUTCOME_BLOCKED,
    OUTCOME_CALLBACK,
    OUTCOME_CONTAINED,
    RECORD_FIELDS,
    CallRecords,
)
from simulate.workload import Workload


def overlap(start: np.ndarray, end: np.ndarray, n: int, interval_s: float) -> np.ndarray:
    """Seconds of the spans [start, end) falling in each of the n intervals, brute force."""
    edges = np.arange(n) * interval_s
    return np.clip(np.minimum(end[:, None], edges + interval_s) - np.maximum(start[:, None], edges), 0,
                   None).sum(axis=0)


def overtime(calls: pd.DataFrame, rec: CallRecords, interval_s: float) -> np.ndarray:
    """Per interval, the agent seconds during which a group's busy agents outnumber its scheduled
    agents (agents finishing calls after their shift), summed over groups: a sweep over every start
    and end of a call."""
    n = len(rec.staffed_s)
    out = np.zeros(n)
    served = calls[calls["service_s"].notna() & calls["answer_s"].notna()]
    for g in range(rec.n_groups):
        mine = served[served["group"] == g]
        if mine.empty:
            continue
        start = mine["answer_s"].to_numpy()
        end = start + mine["service_s"].to_numpy()
        times = np.r_[start, end]
        delta = np.r_[np.ones(len(start)), -np.ones(len(end))]
        order = np.argsort(times, kind="stable")
        times, running = times[order], np.cumsum(delta[order])
        grid = np.unique(np.r_[times[times < n * interval_s], np.arange(n + 1) * interval_s])
        grid = grid[grid <= n * interval_s]
        at = np.searchsorted(times, grid[:-1], side="right")  # events up to and at each segment start
        busy = np.where(at > 0, running[np.maximum(at - 1, 0)], 0.0)
        k = np.minimum((grid[:-1] // interval_s).astype(int), n - 1)
        roster = np.round(rec.staffed_group_s[k, g] / interval_s)
        np.add.at(out, k, np.maximum(busy - roster, 0.0) * np.diff(grid))
    return out


def expected_kpis(rec: CallRecords, interval_s: float, sl_threshold: float) -> tuple[dict, dict]:
    """(summary, per interval) straight from the definitions in METRICS, with pandas."""
    n = len(rec.staffed_s)
    calls = pd.DataFrame({f: getattr(rec, f) for f in RECORD_FIELDS})
    slots = pd.RangeIndex(n)

    def per_interval(mask) -> np.ndarray:
        return calls[mask].groupby("interval").size().reindex(slots, fill_value=0).to_numpy(float)

    def share(num, den):
        num, den = np.asarray(num, float), np.asarray(den, float)
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)

    o = calls["outcome"]
    answered = calls[o == OUTCOME_ANSWERED]
    within = answered["wait_s"] <= sl_threshold
    # callers, by the interval of their first attempt
    first = calls.sort_values(["caller", "attempt"]).groupby("caller").first()
    met = (o.isin([OUTCOME_ANSWERED, OUTCOME_CONTAINED]) | ((o == OUTCOME_CALLBACK) & calls["answer_s"].notna()))
    by_caller = pd.DataFrame({"first_interval": first["interval"],
                              "met": met.groupby(calls["caller"]).any(),
                              "attempts": calls.groupby("caller").size()})
    callers = by_caller.groupby("first_interval").size().reindex(slots, fill_value=0).to_numpy(float)
    met_callers = by_caller.groupby("first_interval")["met"].sum().reindex(slots, fill_value=0).to_numpy(float)
    caller_attempts = by_caller.groupby("first_interval")["attempts"].sum().reindex(slots, fill_value=0)
    # agent time: the overlap of every served call with every interval, brute force
    served = calls[calls["service_s"].notna() & calls["answer_s"].notna()]
    start = served["answer_s"].to_numpy()
    busy = overlap(start, start + served["service_s"].to_numpy(), n, interval_s)
    staffed = rec.staffed_s
    on_shift = staffed > 0
    extra = np.where(on_shift, overtime(calls, rec, interval_s), 0.0)
    # time on hold: from joining the queue (ivr_s after the arrival) for wait_s, split across intervals
    held_calls = calls[(calls["wait_s"] > 0) & o.isin([OUTCOME_ANSWERED, OUTCOME_ABANDONED])]
    join = held_calls["arrival_s"].to_numpy() + rec.ivr_s
    held = np.where(rec.closed, 0.0, overlap(join, join + held_calls["wait_s"].to_numpy(), n, interval_s))
    n_ans, n_ab = per_interval(o == OUTCOME_ANSWERED), per_interval(o == OUTCOME_ABANDONED)
    n_within = answered[within].groupby("interval").size().reindex(slots, fill_value=0).to_numpy(float)
    per = {
        "attempts": per_interval(o >= 0),
        "callers": callers,
        "blocked": per_interval(o == OUTCOME_BLOCKED),
        "contained": per_interval(o == OUTCOME_CONTAINED),
        "abandoned": n_ab,
        "answered": n_ans,
        "answered_within": n_within,
        "callbacks": per_interval(o == OUTCOME_CALLBACK),
        "service_level": share(n_within, n_ans + n_ab),
        "abandon_rate": share(n_ab, n_ans + n_ab),
        "asa_s": answered.groupby("interval")["wait_s"].mean().reindex(slots).to_numpy(),
        "p90_wait_s": answered.groupby("interval")["wait_s"].quantile(0.9).reindex(slots).to_numpy(),
        "occupancy": np.where(on_shift, share(busy, staffed + extra), np.nan),
        "got_through_rate": share(met_callers, callers),
        "attempts_per_caller": share(caller_attempts, callers),
        "avg_queue": np.where(rec.closed, np.nan, held / interval_s),
    }
    n_callers = len(by_caller)
    summary = {
        "attempts": len(calls), "callers": n_callers,
        **{m: per[m].sum() for m in ("blocked", "contained", "abandoned", "answered", "answered_within",
                                     "callbacks")},
        "service_level": share(within.sum(), len(answered) + n_ab.sum()),
        "abandon_rate": share(n_ab.sum(), len(answered) + n_ab.sum()),
        "asa_s": answered["wait_s"].mean() if len(answered) else np.nan,
        "p90_wait_s": np.percentile(answered["wait_s"], 90) if len(answered) else np.nan,
        "occupancy": share(busy[on_shift].sum(), staffed.sum() + extra.sum()),
        "got_through_rate": share(by_caller["met"].sum(), n_callers),
        "attempts_per_caller": share(len(calls), n_callers),
        "avg_queue": share(held.sum(), (~rec.closed).sum() * interval_s),
    }
    return {k: float(v) for k, v in summary.items()}, per


def _check(rec, interval_s, sl_threshold, label):
    want_summary, want_per = expected_kpis(rec, interval_s, sl_threshold)
    got_summary = metrics.summarize(rec, interval_s, sl_threshold)
    got_per = metrics.interval_metrics(rec, interval_s, sl_threshold)
    assert list(got_summary) == list(METRICS) == list(got_per)
    for m in METRICS:
        np.testing.assert_allclose(got_per[m], want_per[m], rtol=1e-9, atol=1e-9, equal_nan=True,
                                   err_msg=f"{label}: per-interval {m}")
        np.testing.assert_allclose(got_summary[m], want_summary[m], rtol=1e-9, atol=1e-9, equal_nan=True,
                                   err_msg=f"{label}: summary {m}")


ENGINES = {"simpy": (engine_simpy, True), "fast": (engine_fast, True), "fast event loop": (engine_fast, False)}


@pytest.mark.parametrize("engine", list(ENGINES))
def test_every_kpi_per_interval_and_in_the_summary_is_its_definition_computed_from_the_records(engine, monkeypatch):
    module, recursion = ENGINES[engine]
    monkeypatch.setattr(engine_fast, "USE_RECURSION", recursion)
    rng = np.random.default_rng(4000)
    for i in range(15):
        work, scenario = random_case(rng)
        rec = module.simulate_replication(work, scenario, np.random.SeedSequence(i))
        _check(rec, work.interval_s, scenario.sl_threshold, f"{engine} case {i}: {scenario}")


def test_the_kpis_of_records_in_any_order_are_those_of_the_engine_layout():
    # records shuffled and renumbered (not the engines' layout): the same KPIs
    rng = np.random.default_rng(5)
    for i in range(10):
        work, scenario = random_case(rng)
        rec = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(i))
        order = rng.permutation(len(rec))
        ids = rng.permutation(len(rec) + 5)[:len(rec)] * 7 + 3  # any distinct caller ids
        columns = {f: getattr(rec, f)[order] for f in RECORD_FIELDS}
        columns["caller"] = ids[rec.caller][order]
        shuffled = CallRecords.from_columns(columns, rec.staffed_s, rec.closed, ivr_s=rec.ivr_s)
        _check(shuffled, work.interval_s, scenario.sl_threshold, f"shuffled case {i}")
        a, b = metrics.kpis(rec, work.interval_s, scenario.sl_threshold), metrics.kpis(
            shuffled, work.interval_s, scenario.sl_threshold)
        assert a[0] == pytest.approx(b[0], nan_ok=True)


def test_the_summary_is_the_formula_applied_to_the_summed_interval_totals():
    rng = np.random.default_rng(6)
    work, scenario = random_case(rng)
    while work.n < 5:
        work, scenario = random_case(rng)
    rec = engine_simpy.simulate_replication(work, scenario, np.random.SeedSequence(1))
    totals, _, p_all = metrics.interval_totals(rec, work.interval_s, scenario.sl_threshold)
    assert set(totals) == set(metrics.TOTALS)
    summed = metrics.kpis_from_totals({k: v.sum() for k, v in totals.items()}, p_all)
    assert metrics.summarize(rec, work.interval_s, scenario.sl_threshold) == pytest.approx(summed, nan_ok=True)


def test_the_random_cases_have_agents_past_their_shift_and_holds_across_interval_edges():
    # the definitions above are only checked where it matters if the cases produce both
    rng = np.random.default_rng(4000)
    overtime_seen = spanning_seen = False
    for i in range(15):
        work, scenario = random_case(rng)
        rec = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(i))
        overtime_seen |= bool(metrics.overtime_seconds(rec, work.interval_s).sum() > 0)
        held = (rec.wait_s > 0) & np.isin(rec.outcome, [OUTCOME_ANSWERED, OUTCOME_ABANDONED])
        join = rec.arrival_s[held] + rec.ivr_s
        spanning_seen |= bool(((join + rec.wait_s[held]) // work.interval_s > join // work.interval_s).any())
    assert overtime_seen and spanning_seen


def test_agents_of_a_group_past_their_shift_are_counted_per_group():
    # bilingual routing (SimPy only): each group's staffing halves every other interval; the agents
    # finishing their calls are on duty, so no group is ever busier than its agents on duty
    types = {"English": {"share": 0.7, "skill": "en"}, "French": {"share": 0.3, "skill": "fr"}}
    groups = {"en": {"skills": ["en"]}, "fr": {"skills": ["fr"]}, "bilingual": {"skills": ["en", "fr"]}}
    scenario = Scenario(aht=600.0, patience=900.0, call_types=types, agent_groups=groups)
    step = np.array([8, 2, 8, 2, 8, 2])
    work = Workload.from_arrays(np.full(6, 60.0), {"en": step, "fr": step // 2, "bilingual": step // 2}, 1800.0,
                                scenario)
    rec = engine_simpy.simulate_replication(work, scenario, np.random.SeedSequence(3))
    calls = pd.DataFrame({f: getattr(rec, f) for f in RECORD_FIELDS})
    got = metrics.overtime_seconds(rec, work.interval_s)
    assert got.shape == (6, 3) and (got[1::2] > 0).all() and (got[0::2] == 0).all()
    np.testing.assert_allclose(got.sum(axis=1), overtime(calls, rec, work.interval_s), rtol=1e-9)
    rates = metrics.group_rates(metrics.group_counts(rec, work.interval_s, scenario.sl_threshold))
    assert (rates["occupancy"] <= 1.0).all() and (rates["occupancy"] > 0.8).all()
    _check(rec, work.interval_s, scenario.sl_threshold, "bilingual step")
