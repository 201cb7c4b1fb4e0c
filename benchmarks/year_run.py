"""A year of a national line through ``simulate.run``: about 20 million attempts in one replication.

365 days of 30-minute intervals, open 08:00-20:00 (nights closed), about 55,000 new callers a day
with a weekly and an intraday pattern, agents sized near the load (square-root staffing with a
thin margin), exponential handle time 300 s, patience about 10 minutes, half of the blocked or
abandoned callers redialling after about 20 minutes (up to 10 attempts, possibly the next
morning). Prints the time of the engine alone and of ``simulate.run`` end to end (KPIs included;
median of --repeat runs), attempts per second and a few KPIs.

Before that it measures both engines on the same M/M/c+M day (9,600 calls, 36 agents, aht 300 s,
patience 180 s; CPU seconds, median of several replications, records included) and prints calls
per second and the fast/SimPy ratio.

Run:  python benchmarks/year_run.py [--days 365] [--calls-per-day 55000] [--repeat 1] [--seed 0]
"""
from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np
import pandas as pd

import simulate
from simulate import Demand, Scenario, engine_fast, engine_simpy
from simulate.workload import Workload

WEEKDAY = np.array([1.25, 1.10, 1.00, 0.95, 0.90, 0.45, 0.35])  # Monday first


def year(days: int, calls_per_day: float, aht: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected calls and agents per 30-minute interval (48 a day, 24 open)."""
    open_slots = np.arange(16, 40)  # 08:00-20:00
    shape = np.sin(np.pi * (np.arange(24) + 0.5) / 24) ** 1.5 + 0.3
    shape /= shape.sum()
    calls = np.zeros(days * 48)
    week = WEEKDAY / WEEKDAY.mean()
    for d in range(days):
        calls[d * 48 + open_slots] = calls_per_day * week[d % 7] * shape
    load = calls * aht / 1800.0
    agents = np.where(calls > 0, np.ceil(load + 0.5 * np.sqrt(load)), 0).astype(np.int64)
    return calls, agents


def engines_on_one_day() -> None:
    """Calls per CPU second of both engines on the same M/M/c+M day, and their ratio."""
    scenario = Scenario(name="M/M/c+M", aht=300.0, patience=180.0)
    work = Workload.from_arrays(np.full(48, 200.0), 36, 1800.0, scenario)
    rates = {}
    for name, module, reps in (("simpy", engine_simpy, 5), ("fast", engine_fast, 50)):
        module.simulate_replication(work, scenario, np.random.SeedSequence(99))  # warm up
        per_rep = []
        for r in range(reps):
            t0 = time.process_time()
            rec = module.simulate_replication(work, scenario, np.random.SeedSequence(r))
            per_rep.append(len(rec) / (time.process_time() - t0))
        rates[name] = statistics.median(per_rep)
    print(f"one M/M/c+M day ({work.calls.sum():,.0f} expected calls, 36 agents): simpy {rates['simpy']:,.0f} calls/s, "
          f"fast {rates['fast']:,.0f} calls/s, ratio {rates['fast'] / rates['simpy']:.0f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--calls-per-day", type=float, default=55_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    engines_on_one_day()

    scenario = Scenario(name="national line", aht=300.0, patience=600.0, redial_prob=0.5, redial_delay=1200.0,
                        max_attempts=10, sl_threshold=60.0)
    calls, agents = year(args.days, args.calls_per_day, scenario.aht)
    demand = Demand(ds=pd.date_range("2026-01-05", periods=len(calls), freq="30min"), calls=calls, interval_s=1800.0)
    staffing = pd.DataFrame({"ds": demand.ds, "agents": agents})
    work = Workload.from_arrays(calls, agents, 1800.0, scenario)
    # compile (or load from the cache) outside the timing
    simulate.run(Demand(ds=demand.ds[:96], calls=calls[:96], interval_s=1800.0), scenario, staffing.iloc[:96],
                 replications=1, engine="fast")
    engine_times, run_times = [], []
    n = 0
    result = None
    for r in range(args.repeat):
        t0 = time.perf_counter()
        rec = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence([args.seed, r]))
        engine_times.append(time.perf_counter() - t0)
        n = len(rec)
        del rec
        t0 = time.perf_counter()
        result = simulate.run(demand, scenario, staffing, replications=1, seed=args.seed + r, engine="fast")
        run_times.append(time.perf_counter() - t0)
    sim = statistics.median(engine_times)
    total = statistics.median(run_times)
    print(f"year run: {args.days} days x 48 intervals, {calls.sum():,.0f} expected callers, "
          f"agents {agents.max()} at peak, fast engine")
    print(f"  attempts                 {n:,}")
    print(f"  engine alone (median)    {sim:.2f} s  -> {n / sim / 1e6:.2f} M attempts/s (records included)")
    print(f"  simulate.run (median)    {total:.2f} s  -> {result['attempts'] / total / 1e6:.2f} M attempts/s "
          "(workload, engine, KPIs, result frames)")
    for key in ("callers", "attempts_per_caller", "answered", "abandon_rate", "service_level", "asa_s",
                "p90_wait_s", "occupancy", "got_through_rate", "blocked"):
        value = result[key]
        print(f"  {key:<25}{value:,.4g}" if not math.isnan(value) else f"  {key:<25}nan")


if __name__ == "__main__":
    main()
