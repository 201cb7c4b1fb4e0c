"""Simulation-based staffing (ISA) for one week of 30-minute intervals: time and quality.

Demand: passport-enquiry-like, open 08:00-20:00 Monday-Friday (closed otherwise, so 120 open of
336 intervals), a late-morning peak and a Monday surge. Scenario: exponential patience, trunk
lines, redials after busy signals and hang-ups. For each engine (simpy, and fast when available)
prints wall time, iterations, simulations, agent-hours against Erlang C and Erlang A on the same
demand, and how many open intervals meet the target in the verification on unseen seeds.

Run: python benchmarks/staffing_speed.py [--replications 10] [--engines simpy,fast]
Targets: simpy < 60 s, fast < 10 s (2 shared cores; timings are noisy).
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from simulate import Scenario, staffing


def passport_week() -> pd.DataFrame:
    ds = pd.date_range("2022-06-06 00:00", periods=7 * 48, freq="30min")  # a Monday
    hour = ds.hour + ds.minute / 60.0
    open_ = (ds.day_of_week < 5) & (hour >= 8) & (hour < 20)
    # Late-morning peak, afternoon shoulder, quiet evening; Monday 30% busier, Friday 10% quieter.
    shape = 40 + 90 * np.exp(-0.5 * ((hour - 10.5) / 1.5) ** 2) + 45 * np.exp(-0.5 * ((hour - 14.5) / 2.0) ** 2)
    day = np.select([ds.day_of_week == 0, ds.day_of_week == 4], [1.3, 0.9], 1.0)
    calls = np.where(open_, np.round(shape * day, 1), 0.0)
    return pd.DataFrame({"ds": ds, "calls": calls})


SCENARIO = Scenario(
    name="passport week", aht=360.0, patience=240.0, lines=120, redial_prob=0.4, redial_delay=900.0,
    max_attempts=5, sl_threshold=60.0, sl_target=0.8, shrinkage=0.3, hourly_cost=32.0,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--engines", default="simpy,fast")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    arrivals = passport_week()
    open_ = arrivals["calls"].to_numpy() > 0
    print(f"demand: {len(arrivals)} intervals, {open_.sum()} open, {arrivals['calls'].sum():.0f} calls/week; "
          f"replications={args.replications}")
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if engine == "fast":
            from simulate import run as run_mod  # noqa: F401 - only to check availability below
            from simulate.run import resolve_engine

            try:
                resolve_engine("fast", SCENARIO)
            except ValueError as exc:
                print(f"[fast] skipped: {exc}")
                continue
        t0 = time.perf_counter()
        plan = staffing.staff(arrivals, SCENARIO, method="simulation", replications=args.replications,
                              seed=args.seed, engine=engine)
        wall = time.perf_counter() - t0
        s = plan.summary
        comp = plan.comparison
        ver = plan.verification
        met = int((ver["met"] & ver["open"]).sum())
        not_below = int(((ver["service_level_hi"] >= SCENARIO.sl_target) | ~ver["open"]
                         | ver["service_level"].isna()).sum() - (~ver["open"]).sum())
        worst = ver.loc[ver["open"], "service_level"].min()
        print(f"[{engine}] engine used={s['engine']} wall={wall:.1f}s iterations={s['iterations']} "
              f"simulations={s['simulations']} converged={s['converged']}")
        print(f"[{engine}] agent-hours: simulation={comp.loc['simulation', 'agent_hours']:.1f} "
              f"erlang_c={comp.loc['erlang_c', 'agent_hours']:.1f} erlang_a={comp.loc['erlang_a', 'agent_hours']:.1f} "
              f"(ratio sim/C={comp.loc['simulation', 'agent_hours'] / comp.loc['erlang_c', 'agent_hours']:.3f}, "
              f"sim/A={comp.loc['simulation', 'agent_hours'] / comp.loc['erlang_a', 'agent_hours']:.3f}); "
              f"peak agents sim={s['peak_agents']}")
        print(f"[{engine}] verification (seed {ver.attrs['seed']}, {ver.attrs['replications']} reps): "
              f"{met}/{open_.sum()} open intervals meet {SCENARIO.sl_target:.0%} in {SCENARIO.sl_threshold:.0f}s "
              f"(point estimate); {not_below}/{open_.sum()} not significantly below; worst SL {worst:.3f}")


if __name__ == "__main__":
    main()
