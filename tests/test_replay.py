"""Replay: a call log's exact arrival times (and observed handle times) through the simulator.

``Demand.from_arrivals(log)`` keeps every arrival of the log; both engines replay it call for call;
and replaying a simulated day's own log, with the same staffing and nobody redialling or hanging up,
gives every answered caller the wait they had.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import assert_call_for_call

import simulate
from simulate import CallType, Demand, Scenario, StaffingPlan, engine_fast, engine_simpy
from simulate.records import OUTCOME_ANSWERED
from simulate.workload import build_workload

STAFFING = StaffingPlan.pattern({"Daily 08:00-20:00": 9})


def call_log(seed: int = 0, n: int = 400) -> pd.DataFrame:
    """One day of logged calls between 08:00 and 20:00: arrival, call type, observed talk time (s);
    a tenth of the talk times are missing (the replay draws those)."""
    rng = np.random.default_rng(seed)
    arrival = pd.Timestamp("2026-01-06 08:00") + pd.to_timedelta(np.sort(rng.uniform(0, 12 * 3600, n)), unit="s")
    service = rng.gamma(2.0, 150.0, n)
    service[rng.random(n) < 0.1] = np.nan
    log = pd.DataFrame({"arrival": arrival, "call_type": rng.choice(["status", "urgent"], n, p=[0.7, 0.3]),
                        "service_s": service})
    return log.sample(frac=1.0, random_state=seed)  # logs need not be sorted


POLICY = Scenario(name="replay", aht=300.0, patience=240.0, redial_prob=0.5, max_attempts=3,
                  call_types=(CallType("status", 0.7), CallType("urgent", 0.3, aht=420.0, priority=-1)))


def test_from_arrivals_keeps_every_call_and_counts_them_per_interval():
    log = call_log()
    d = Demand.from_arrivals(log, interval="30min")
    assert d.ds[0] == pd.Timestamp("2026-01-06 00:00") and len(d) == 48 and d.interval_s == 1800.0
    t = log["arrival"].sort_values()
    np.testing.assert_allclose(d.arrivals["t_s"], (t - d.ds[0]).dt.total_seconds(), rtol=0, atol=1e-9)
    counts = t.dt.floor("30min").value_counts()
    np.testing.assert_array_equal(d.calls, counts.reindex(d.ds, fill_value=0).to_numpy())
    assert d.types == ("status", "urgent") or d.types == ("urgent", "status")
    by_slot = log.assign(slot=log["arrival"].dt.floor("30min")).groupby("slot")["service_s"].mean()
    np.testing.assert_allclose(d.aht_s[d.open], by_slot.reindex(d.ds[d.open]).to_numpy())
    assert d.notes == ("replay of 400 observed arrivals",)
    with pytest.raises(ValueError, match="row 1: arrival 2026-01-05"):
        Demand.from_arrivals(log.assign(arrival=log["arrival"] - pd.Timedelta("1D")),
                             start="2026-01-06", end="2026-01-07")


def test_both_engines_replay_a_log_call_for_call_with_its_observed_handle_times():
    log = call_log(1)
    d = Demand.from_arrivals(log, interval="30min")
    work = build_workload(d, POLICY, STAFFING.agents(d))
    observed = d.arrivals["service_s"].to_numpy()
    for seed in (0, 1):
        a = engine_simpy.simulate_replication(work, POLICY, np.random.SeedSequence(seed))
        b = engine_fast.simulate_replication(work, POLICY, np.random.SeedSequence(seed))
        assert_call_for_call(a, b, f"seed {seed}")
        assert len(a) == len(log) and (a.attempt == 1).all()  # every call of the log, no redial made up
        np.testing.assert_array_equal(a.arrival_s, d.arrivals["t_s"])
        served = ~np.isnan(a.service_s)
        known = served & np.isfinite(observed[a.caller])
        assert known.sum() > 100
        np.testing.assert_array_equal(a.service_s[known], observed[a.caller[known]])
        types = np.asarray(POLICY.type_table()["names"])[a.call_type]
        np.testing.assert_array_equal(types, d.arrivals["call_type"].to_numpy()[a.caller])
    fast = simulate.run(d, POLICY, STAFFING, replications=2, seed=3, engine="fast", keep_calls=True)
    slow = simulate.run(d, POLICY, STAFFING, replications=2, seed=3, engine="simpy", keep_calls=True)
    pd.testing.assert_frame_equal(fast.per_replication, slow.per_replication, rtol=1e-9)


def test_replaying_a_simulated_log_reproduces_every_answered_callers_wait():
    # two days of 30-minute intervals, open 08:00-20:00; nobody hangs up or redials, so who waits how
    # long follows from the arrival times, the handle times and the agents alone
    ds = pd.date_range("2026-01-06", periods=96, freq="30min")
    demand = pd.DataFrame({"ds": ds, "calls": np.where((ds.hour >= 8) & (ds.hour < 20), 50.0, 0.0)})
    policy = Scenario(aht=300.0, patience=None)  # 8.3 Erlangs on 9 agents: a queue most of the day
    for engine in ("simpy", "fast"):
        first = simulate.run(demand, policy, STAFFING, replications=1, seed=4, engine=engine, keep_calls=True)
        calls = first.calls
        assert (calls["outcome"] == OUTCOME_ANSWERED).all() and (calls["attempt"] == 1).all()
        assert (calls["wait_s"] > 60).sum() > 200
        log = pd.DataFrame({"arrival": ds[0] + pd.to_timedelta(calls["arrival_s"], unit="s"),
                            "service_s": calls["service_s"]})
        replay = Demand.from_arrivals(log, interval="30min")
        assert len(replay) == len(first.demand) and (replay.ds == first.demand.ds).all()
        again = simulate.run(replay, policy, STAFFING, replications=1, seed=99, engine=engine, keep_calls=True)
        # timestamps keep nanoseconds, so the replayed times agree to a nanosecond, the waits to a microsecond
        np.testing.assert_allclose(again.calls["arrival_s"], calls["arrival_s"], rtol=0, atol=1e-6)
        np.testing.assert_allclose(again.calls["service_s"], calls["service_s"], rtol=0, atol=0)
        np.testing.assert_allclose(again.calls["wait_s"], calls["wait_s"], rtol=0, atol=1e-6)
        assert again.calls["wait_s"].max() > 600
