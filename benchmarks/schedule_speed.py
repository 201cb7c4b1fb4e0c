"""Benchmark: how fast does :func:`simulate.schedule` solve a week of 30-minute requirements?

A passport-office week: 336 half-hour intervals, open 08:00-20:00 on weekdays and 09:00-17:00 on
Saturday, closed Sunday and nights; demand peaks mid-morning and is heaviest on Monday, as in the
2022 surge ("where is my passport?"). Requirements are fractional agents per interval.

Prints, for 8-hour shifts and for 8/6/4-hour shifts starting every 30 minutes: median solve time
of 3 runs (must be < 10 s), whether HiGHS proved optimality, paid hours, and the lower bound
sum(required) x interval hours (no schedule can pay fewer hours than agents are required).

Then, for contrast, a 24/7 week with noisy requirements (no closed nights to separate the days):
one solve with the 10-second limit, reporting the gap between the schedule and HiGHS's proven bound.

Run: python benchmarks/schedule_speed.py
"""
from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

import simulate


def passport_week() -> pd.DataFrame:
    ds = pd.date_range("2022-06-06", periods=7 * 48, freq="30min")  # Monday 00:00
    hour = ds.hour + ds.minute / 60.0
    day = ds.day_of_week
    open_ = ((day < 5) & (hour >= 8) & (hour < 20)) | ((day == 5) & (hour >= 9) & (hour < 17))
    day_level = np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.5, 0.0])[day]
    shape = 1.0 + 1.2 * np.exp(-((hour - 10.5) / 1.8) ** 2) + 0.6 * np.exp(-((hour - 14.5) / 1.5) ** 2)
    agents = np.where(open_, 18.0 * day_level * shape, 0.0)
    return pd.DataFrame({"ds": ds, "agents": np.round(agents, 2)})


def bench(req: pd.DataFrame, shift_lengths: tuple[str, ...], repeats: int = 3) -> None:
    times, sched = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        sched = simulate.schedule(req, shift_lengths=shift_lengths, start_every="30min", time_limit=30.0)
        times.append(time.perf_counter() - t)
    assert sched is not None
    median = statistics.median(times)
    bound = sched.required_agent_hours
    print(f"shifts {'/'.join(shift_lengths):>9}: median {median:6.2f} s total "
          f"(solver {sched.solve_time_s:5.2f} s), optimal={sched.optimal}, feasible={sched.feasible}, "
          f"paid {sched.paid_hours:8.1f} h vs lower bound {bound:8.1f} h "
          f"(ratio {sched.paid_hours / bound:.3f}), {sched.headcount} shifts, "
          f"{'< 10 s OK' if median < 10 else 'SLOWER THAN 10 s'}")


def around_the_clock_week() -> pd.DataFrame:
    """A harder case for comparison: open 24/7, smooth daily wave plus noise (no closed nights)."""
    ds = pd.date_range("2022-06-06", periods=7 * 48, freq="30min")
    hour = ds.hour + ds.minute / 60.0
    noise = np.random.default_rng(0).uniform(0, 3, len(ds))
    return pd.DataFrame({"ds": ds, "agents": np.round(20 + 15 * np.sin((hour - 6) / 24 * 2 * np.pi) + noise, 2)})


def stress(req: pd.DataFrame, shift_lengths: tuple[str, ...]) -> None:
    t = time.perf_counter()
    sched = simulate.schedule(req, shift_lengths=shift_lengths, time_limit=10.0)
    print(f"24/7 stress {'/'.join(shift_lengths):>9}: {time.perf_counter() - t:6.2f} s, optimal={sched.optimal}, "
          f"paid {sched.paid_hours:8.1f} h, proven bound {sched.dual_bound:8.1f} h "
          f"(gap {sched.paid_hours - sched.dual_bound:.1f} h = {(sched.paid_hours / sched.dual_bound - 1):.2%}), "
          f"lower bound sum(req) {sched.required_agent_hours:8.1f} h")


def main() -> None:
    req = passport_week()
    print(f"requirements: {len(req)} intervals of 30 min, {int((req['agents'] > 0).sum())} open, "
          f"peak {req['agents'].max():.1f} agents")
    bench(req, ("8h",))
    bench(req, ("8h", "6h", "4h"))
    hard = around_the_clock_week()
    stress(hard, ("8h",))
    stress(hard, ("8h", "6h", "4h"))


if __name__ == "__main__":
    main()
