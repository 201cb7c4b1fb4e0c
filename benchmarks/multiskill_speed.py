"""Speed of routing by skill (the SimPy engine with English, French and bilingual agents) against the
one-pool engines (SimPy and the compiled engine) on the same demand.

    python benchmarks/multiskill_speed.py [--agents 100] [--hours 8] [--repeats 5]

The same calls for every runner: 30-minute intervals, 80% English and 20% French callers, handle
time 300 s, exponential patience 600 s, offered load 0.92 x agents. One pool: ``agents`` agents
answering everyone (fast and SimPy engines). Three groups: the same number of agents split by
:func:`simulate.staffing_groups.erlang_split`'s rule on this demand (specialists carry their
language's load, bilingual agents the pooled safety staffing), with French first at bilingual agents
(``pick = "priority"``), with ``pick = "oldest"``, and with ``overflow_after = 30`` s. Prints the
median seconds and calls per second of each runner over ``repeats`` replications (seeds 0..), and
the ratios to one-pool SimPy and to the fast engine, with each runner's service level per language.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from simulate import Scenario
from simulate.engine_fast import simulate_replication as fast
from simulate.engine_simpy import simulate_replication as simpy
from simulate.records import OUTCOME_ABANDONED, OUTCOME_ANSWERED
from simulate.staffing_groups import erlang_split
from simulate.workload import Workload

AHT, PATIENCE, LOAD_PER_AGENT, INTERVAL_S = 300.0, 600.0, 0.92, 1800.0
TYPES = {"English": {"share": 0.8, "skill": "en", "priority": 1},
         "French": {"share": 0.2, "skill": "fr", "priority": 0}}
GROUPS = {"en": {"skills": ["en"]}, "fr": {"skills": ["fr"]}, "bilingual": {"skills": ["en", "fr"]}}


def cases(agents: int, hours: float) -> tuple[dict[str, tuple], np.ndarray]:
    """(name -> (engine function, workload, scenario), agents per group in the first interval); the
    workloads are inputs, built before timing."""
    n = int(round(hours * 3600 / INTERVAL_S))
    calls = np.full(n, LOAD_PER_AGENT * agents / AHT * INTERVAL_S)
    pool = Scenario(name="one pool", aht=AHT, patience=PATIENCE, call_types=TYPES, sl_threshold=60.0)
    groups = pool.replace(name="three groups", agent_groups=GROUPS)
    work_pool = Workload.from_arrays(calls, agents, INTERVAL_S, pool)
    demand = pd.DataFrame({"ds": pd.date_range("2026-01-05 08:00", periods=n, freq="30min"), "calls": calls})
    split = erlang_split(demand, groups, "erlang_a")
    split = np.floor(split * agents / split.sum(axis=1, keepdims=True)).astype(np.int64)  # the same total
    split[:, 0] += agents - split.sum(axis=1)
    work_groups = Workload.from_arrays(calls, split, INTERVAL_S, groups)
    return {
        "one pool, fast engine": (fast, work_pool, pool),
        "one pool, SimPy": (simpy, work_pool, pool),
        "three groups, French first": (simpy, work_groups, groups),
        "three groups, oldest first": (simpy, work_groups, groups.replace(pick="oldest")),
        "three groups, overflow 30 s": (simpy, work_groups, groups.replace(overflow_after=30.0)),
    }, split[0]


def time_case(engine, work, scenario, repeats: int) -> tuple[float, int, list[float]]:
    seconds, sl = [], []
    for seed in range(repeats):
        t0 = time.perf_counter()
        rec = engine(work, scenario, np.random.SeedSequence(seed))
        seconds.append(time.perf_counter() - t0)
        n_calls = len(rec)
        ans, ab = rec.outcome == OUTCOME_ANSWERED, rec.outcome == OUTCOME_ABANDONED
        sl.append([((ans & (rec.wait_s <= scenario.sl_threshold) & (rec.call_type == t)).sum()
                    / max(((ans | ab) & (rec.call_type == t)).sum(), 1)) for t in (0, 1)])
    return statistics.median(seconds), n_calls, np.mean(sl, axis=0).tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    table, split = cases(args.agents, args.hours)
    fast(*table["one pool, fast engine"][1:], np.random.SeedSequence(99))  # compile outside the timing
    print(f"{args.agents} agents ({'/'.join(map(str, split))} en/fr/bilingual in the groups), {args.hours:g} h, "
          f"median of {args.repeats} replications")
    print(f"{'runner':30s} {'seconds':>9s} {'calls/s':>10s} {'x SimPy pool':>13s} {'x fast':>8s}  SL en / fr (60 s)")
    results = {name: time_case(*spec, args.repeats) for name, spec in table.items()}
    base_simpy = results["one pool, SimPy"][0]
    base_fast = results["one pool, fast engine"][0]
    for name, (sec, n_calls, sl) in results.items():
        print(f"{name:30s} {sec:9.4f} {n_calls / sec:10,.0f} {sec / base_simpy:13.2f} {sec / base_fast:8.1f}  "
              f"{sl[0]:.3f} / {sl[1]:.3f}")


if __name__ == "__main__":
    main()
