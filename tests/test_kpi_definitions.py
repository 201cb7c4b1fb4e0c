"""Every KPI, per interval and for the whole run, recomputed from the call records in plain
numpy/pandas, independently of simulate.metrics, for random scenarios on every engine: a change to
any formula (service level that ignores abandoned callers, occupancy halved, ...) fails here."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from random_centres import random_case
from simulate import METRICS, engine_fast, engine_simpy, metrics
from simulate.records import (
    OUTCOME_ABANDONED,
    OUTCOME_ANSWERED,
    OUTCOME_BLOCKED,
    OUTCOME_CALLBACK,
    OUTCOME_CONTAINED,
    RECORD_FIELDS,
    CallRecords,
)


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
    start = served["answer_s"].to_numpy()[:, None]
    end = start + served["service_s"].to_numpy()[:, None]
    edges = np.arange(n) * interval_s
    busy = np.clip(np.minimum(end, edges + interval_s) - np.maximum(start, edges), 0, None).sum(axis=0)
    staffed = rec.staffed_s
    on_shift = staffed > 0
    waits = calls["wait_s"].fillna(0.0).groupby(calls["interval"]).sum().reindex(slots, fill_value=0).to_numpy()
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
        "occupancy": share(busy, staffed),
        "got_through_rate": share(met_callers, callers),
        "attempts_per_caller": share(caller_attempts, callers),
        "avg_queue": np.where(rec.closed, np.nan, waits / interval_s),
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
        "occupancy": share(busy[on_shift].sum(), staffed.sum()),
        "got_through_rate": share(by_caller["met"].sum(), n_callers),
        "attempts_per_caller": share(len(calls), n_callers),
        "avg_queue": share(calls["wait_s"].fillna(0.0).sum(), (~rec.closed).sum() * interval_s),
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
        shuffled = CallRecords.from_columns(columns, rec.staffed_s, rec.closed)
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
