"""Benchmark: how fast is a two-year weekly capacity plan with three groups?

The instance: 104 weeks from Monday 2025-01-06; three queues (English, French, a status line) with
daily forecasts that carry a yearly season, a spring surge in each year and 80/95 % bands; each
group has its own supply: attrition 0.2-0.4 % a week, monthly intakes (a class may start every 4th
week from week 4), 3 to 6 weeks of training, a 50 % -> 100 % learning curve over 4 weeks, time to
hire 4 weeks, class sizes capped, overtime up to 10 %, borrowed staff after 2 weeks (English, status
line), and cross-training English -> status line and French -> English (90 % efficiency).

Printed, as medians over repeats (wall-clock and CPU seconds: on a shared machine the CPU time is
the honest figure, HiGHS runs on one thread):
  1. the requirement step alone (daily forecasts spread flat over 08:00-20:00 -> Erlang A per
     30-minute interval -> paid FTE per week with workforce_totals), at P50 and at P80;
  2. the solve alone (simulate.capacity.plan on the requirement already computed: the mixed-integer
     program, HiGHS to proven optimality at the default gap, the weekly table and service levels),
     with the number of integer class sizes and the plan's headline figures. Must be well under a
     second.
  3. the same plan when a class may start in ANY week (250 integer class sizes instead of 75): much
     harder for HiGHS to prove optimal, printed for the record.

Run: python benchmarks/capacity_speed.py [--repeats 5]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

import simulate
from simulate import capacity as cap
from simulate.capacity.supply import allowed_starts

START = pd.Timestamp("2025-01-06")
WEEKS = 104


def daily_forecast(level: float, surge: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range(START, periods=7 * WEEKS, freq="D")
    doy = ds.day_of_year.to_numpy()
    season = 1.0 + 0.15 * np.cos(2 * np.pi * (doy - 90) / 365.25)
    spring = 1.0 + surge * np.exp(-(((doy - 120) / 25.0) ** 2))
    weekday = np.array([1.25, 1.05, 0.95, 0.92, 0.83, 0.0, 0.0])[ds.day_of_week]
    yhat = level * season * spring * weekday * rng.lognormal(0.0, 0.03, len(ds))
    width = 0.12 * yhat
    return pd.DataFrame({"ds": ds, "yhat": yhat, "yhat_lo_80": yhat - width, "yhat_hi_80": yhat + width,
                         "yhat_lo_95": yhat - 1.53 * width, "yhat_hi_95": yhat + 1.53 * width})


def instance() -> tuple[dict, dict, dict, dict]:
    demand = {"english": daily_forecast(9000.0, 0.6, 1), "french": daily_forecast(2500.0, 0.5, 2),
              "status": daily_forecast(5000.0, 1.2, 3)}
    base = simulate.Scenario(aht=540.0, patience=600.0, sl_threshold=120.0, sl_target=0.8, shrinkage=0.3,
                             hourly_cost=45.0)
    scenarios = {"english": base.replace(name="english"), "french": base.replace(name="french", aht=600.0),
                 "status": base.replace(name="status", aht=420.0, sl_threshold=300.0)}
    ramp = cap.linear_ramp(0.5, 4)
    supply = {
        "english": cap.Supply(headcount=300, attrition=0.003, training_weeks=4, ramp=ramp, time_to_hire=4,
                              class_weeks=4, max_class_size=80, overtime=0.1, borrow_max=30, borrow_lead_weeks=2,
                              hire_cost=4000),
        "french": cap.Supply(headcount=90, attrition=0.002, training_weeks=6, ramp=ramp, time_to_hire=4,
                             class_weeks=4, max_class_size=30, overtime=0.1, hire_cost=6000),
        "status": cap.Supply(headcount=120, attrition=0.004, training_weeks=3, ramp=ramp, time_to_hire=4,
                             class_weeks=4, max_class_size=60, overtime=0.1, borrow_max=40, borrow_lead_weeks=2,
                             hire_cost=3000),
    }
    cross = {"english>status": (0.1, 0.9), "french>english": (0.2, 0.9)}
    return demand, scenarios, supply, cross


def timed(fn, repeats: int) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of ``fn()`` over ``repeats`` runs, and its last result."""
    walls, cpus, out = [], [], None
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    demand, scenarios, supply, cross = instance()

    req = None
    for q in (0.5, 0.8):
        wall, cpu, req = timed(lambda q=q: cap.weekly_requirement(demand, scenarios, quantile=q),
                               max(1, args.repeats // 2))
        n_int = sum(int((v["calls"] > 0).sum()) for v in req.intervals.values())
        print(f"requirement P{round(q * 100)}: median {wall:.2f} s wall, {cpu:.2f} s CPU ({len(demand)} groups x "
              f"{req.n_weeks} weeks; {n_int:,} open 30-minute intervals through Erlang A)")

    def solve(sup: dict) -> tuple[float, float, cap.CapacityPlan, int]:
        problem = cap.CapacityProblem(demand=demand, scenarios=scenarios, supply=sup, cross_training=cross)
        problem.requirement()  # computed once, reused by every solve below
        cap.plan(problem)  # warm-up (first HiGHS call)
        wall, cpu, p = timed(lambda: cap.plan(problem), args.repeats)
        ints = sum(len(allowed_starts(sup[g], problem.plan_start(), p.summary["weeks"])) for g in sup)
        return wall, cpu, p, ints

    wall, cpu, p, ints = solve(supply)
    s = p.summary
    print(f"solve (monthly intakes): median {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU over {args.repeats} "
          f"runs (HiGHS {s['solve_time_s'] * 1000:.0f} ms, {s['solves']} solve(s), optimal={s['optimal']}); "
          f"{ints} integer class sizes, {s['weeks']} weeks x {len(supply)} groups")
    print(f"  plan: {s['status']}; {s['hires']:.0f} hires in {s['classes']} classes; cost {s['cost']:,.0f}; "
          f"{s['fte_weeks_short']:.1f} FTE-weeks short in {s['weeks_short']} weeks; lowest weekly service level "
          f"{s['min_service_level']:.1%}")
    print(p.latest_start[["group", "peak_week", "peak_required", "latest_start", "decide_by", "in_time"]]
          .to_string(index=False))
    any_week = {g: sp.replace(class_weeks=None) for g, sp in supply.items()}
    wall, cpu, p2, ints = solve(any_week) if args.repeats else (0, 0, p, 0)
    s2 = p2.summary
    print(f"solve (a class may start any week): median {wall:.2f} s wall, {cpu:.2f} s CPU, optimal={s2['optimal']}; "
          f"{ints} integer class sizes; cost {s2['cost']:,.0f} ({s2['cost'] / s['cost'] - 1:+.2%} vs monthly intakes)")


if __name__ == "__main__":
    main()
