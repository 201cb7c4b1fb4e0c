"""The per-interval KPIs that sizing by simulation reads, recomputed from the call records (issue 13).

simulate.staff() adds agents where an interval's simulated service level, abandon rate or occupancy
misses a target, so those per-interval figures must mean what METRICS says: recomputed here from
every attempt of a replication, on random scenarios, with both engines. (Constant staffing on an
always-open day: no shift change or closing, where occupancy's denominator is still being settled.)
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simulate
from simulate import Scenario
from simulate.records import OUTCOME_ABANDONED, OUTCOME_ANSWERED


def _case(seed: int) -> tuple[pd.DataFrame, Scenario, int]:
    rng = np.random.default_rng(seed)
    n = 6
    calls = rng.uniform(20, 80, n).round(1)
    sc = Scenario(name=f"random {seed}", aht=float(rng.uniform(120, 400)),
                  aht_dist=str(rng.choice(["exponential", "lognormal"])), aht_cv=0.7,
                  patience=float(rng.uniform(60, 400)), lines=int(rng.integers(20, 60)),
                  redial_prob=float(rng.uniform(0, 0.6)), redial_delay=300.0, sl_threshold=float(rng.uniform(10, 60)))
    agents = int(np.ceil(calls.max() / 1800 * sc.aht * rng.uniform(0.8, 1.1)))
    ds = pd.date_range("2026-03-02 09:00", periods=n, freq="30min")
    return pd.DataFrame({"ds": ds, "calls": calls}), sc, agents


def _recomputed(calls: pd.DataFrame, n: int, interval_s: float, threshold: float, agents: int) -> dict[str, np.ndarray]:
    k = calls["interval"].to_numpy()
    out = calls["outcome"].to_numpy()
    wait = calls["wait_s"].to_numpy()
    answered = np.bincount(k[out == OUTCOME_ANSWERED], minlength=n).astype(float)
    abandoned = np.bincount(k[out == OUTCOME_ABANDONED], minlength=n).astype(float)
    within = np.bincount(k[(out == OUTCOME_ANSWERED) & (wait <= threshold)], minlength=n).astype(float)
    wait_sum = np.bincount(k[out == OUTCOME_ANSWERED], weights=wait[out == OUTCOME_ANSWERED], minlength=n)
    start = calls["answer_s"].to_numpy()
    end = start + calls["service_s"].to_numpy()
    served = np.isfinite(start) & np.isfinite(end)
    edges = np.arange(n + 1) * interval_s
    overlap = np.clip(np.minimum(end[served, None], edges[None, 1:])
                      - np.maximum(start[served, None], edges[None, :-1]), 0.0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"answered": answered, "abandoned": abandoned, "answered_within": within,
                "service_level": within / (answered + abandoned), "abandon_rate": abandoned / (answered + abandoned),
                "asa_s": wait_sum / answered, "occupancy": overlap.sum(axis=0) / (agents * interval_s)}


@pytest.mark.parametrize("engine", ["fast", "simpy"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_per_interval_kpis_are_what_the_records_say(engine, seed):
    frame, sc, agents = _case(seed)
    res = simulate.run(frame, sc, agents, replications=1, seed=seed, engine=engine, keep_calls=True)
    expected = _recomputed(res.calls, len(frame), 1800.0, sc.sl_threshold, agents)
    assert (expected["abandoned"] > 0).any() and (expected["service_level"] < 1).any()  # the KPIs are exercised
    for metric, values in expected.items():
        np.testing.assert_allclose(res.intervals[metric].to_numpy(dtype=float), values, rtol=1e-9, atol=1e-9,
                                   err_msg=f"{metric} ({engine}, seed {seed})")
