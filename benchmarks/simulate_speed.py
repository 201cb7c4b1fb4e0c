"""Speed of the simulation, engine alone and through ``simulate.run`` (KPIs included), beside SimPy and Ciw.

    python benchmarks/simulate_speed.py [--repeats 5] [--days 200] [--replications 200] [--quick]

The model is an M/M/52+M line: 52 agents all day, exponential handle time 300 s,
exponential patience 600 s, offered load 0.95 per agent, 30-minute intervals, open 24 hours.
Two cases, both about 2.85 million calls:

* ``200 days x 1``: one replication of 200 days (the year-scale run);
* ``1 day x 200``: 200 replications of one day (what a sweep or simulation staffing does).

For each case it times, as median calls per second over ``--repeats`` repeats (wall clock, and
CPU seconds of this process, which a busy machine inflates less):

* ``fast engine``: ``engine_fast.simulate_replication`` on a prepared workload, records included;
* ``fast run``: ``simulate.run(demand, scenario, 52, engine="fast")`` end to end (workload, draws,
  engine, the compiled KPI pass, the result frames), what a user of the API waits for;
* ``simpy engine`` / ``simpy run``: the same two for the SimPy engine, on ``--simpy-days`` days
  (or replications) instead, since it is about 100x slower: its calls per second do not depend on
  the horizon;
* ``ciw``: Ciw on the same M/M/52+M queue (no intervals: one stationary queue), on a shorter
  horizon for the same reason.

Ratios are taken between figures measured in the same run. The abandon rates are printed beside
exact Erlang A (the M/M/n+M birth-death chain) as a check that all runners simulate the same queue.
Ciw is imported here only; it is a benchmark peer, never a dependency of the package.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

import simulate
from simulate import Demand, Scenario, engine_fast, engine_simpy
from simulate.records import OUTCOME_ABANDONED, OUTCOME_ANSWERED
from simulate.workload import Workload

AGENTS = 52
AHT = 300.0
PATIENCE = 600.0
LOAD_PER_AGENT = 0.95
INTERVAL_S = 1800.0
CALLS_PER_INTERVAL = LOAD_PER_AGENT * AGENTS * INTERVAL_S / AHT
SCENARIO = Scenario(name="M/M/52+M", aht=AHT, patience=PATIENCE)


def demand(days: int) -> Demand:
    n = days * 48
    return Demand(ds=pd.date_range("2026-01-05", periods=n, freq="30min"), calls=np.full(n, CALLS_PER_INTERVAL),
                  interval_s=INTERVAL_S)


def _abandon_rate(outcome: np.ndarray) -> float:
    ab, ans = (outcome == OUTCOME_ABANDONED).sum(), (outcome == OUTCOME_ANSWERED).sum()
    return float(ab / max(ab + ans, 1))


def engine_runner(module) -> Callable[[int, int, int], tuple[int, float]]:
    """Replications of ``days`` days with the engine alone (workload built outside the timing)."""
    works: dict[int, Workload] = {}

    def run(days: int, replications: int, seed: int) -> tuple[int, float]:
        work = works.get(days) or works.setdefault(days, Workload.from_arrays(
            np.full(days * 48, CALLS_PER_INTERVAL), AGENTS, INTERVAL_S, SCENARIO))
        n, rates = 0, []
        for child in np.random.SeedSequence(seed).spawn(replications):
            rec = module.simulate_replication(work, SCENARIO, child)
            n += len(rec)
            rates.append(_abandon_rate(rec.outcome))
        return n, float(np.mean(rates))
    return run


def api_runner(engine: str) -> Callable[[int, int, int], tuple[int, float]]:
    """``simulate.run`` end to end: demand in, result with KPIs out."""
    demands: dict[int, Demand] = {}

    def run(days: int, replications: int, seed: int) -> tuple[int, float]:
        d = demands.get(days) or demands.setdefault(days, demand(days))
        res = simulate.run(d, SCENARIO, AGENTS, replications=replications, seed=seed, engine=engine)
        return int(res.per_replication["attempts"].sum()), res["abandon_rate"]
    return run


def run_ciw(days: int, replications: int, seed: int) -> tuple[int, float]:
    import ciw

    n, rates = 0, []
    for r in range(replications):
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(rate=LOAD_PER_AGENT * AGENTS / AHT)],
            service_distributions=[ciw.dists.Exponential(rate=1 / AHT)],
            number_of_servers=[AGENTS],
            reneging_time_distributions=[ciw.dists.Exponential(rate=1 / PATIENCE)],
        )
        ciw.seed(seed * 1000 + r)
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(days * 86400.0)
        records = sim.get_all_records()
        reneged = sum(rec.record_type == "renege" for rec in records)
        served = sum(rec.record_type == "service" for rec in records)
        n += len(records) + sum(len(node.all_individuals) for node in sim.transitive_nodes)
        rates.append(reneged / max(reneged + served, 1))
    return n, float(np.mean(rates))


def exact_abandon_rate() -> float:
    """Erlang A abandon share from the M/M/n+M birth-death chain (truncated far in the tail)."""
    lam, mu, theta = LOAD_PER_AGENT * AGENTS / AHT, 1 / AHT, 1 / PATIENCE
    k = np.arange(AGENTS + 2000)
    death = np.minimum(k, AGENTS) * mu + np.maximum(k - AGENTS, 0) * theta
    logp = np.concatenate([[0.0], np.cumsum(np.log(lam / death[1:]))])
    p = np.exp(logp - logp.max())
    p /= p.sum()
    return float(theta * (p * np.maximum(k - AGENTS, 0)).sum() / lam)


def measure(name: str, runner, days: int, replications: int, repeats: int) -> dict[str, float]:
    """Median wall and CPU calls per second of ``runner(days, replications, seed)``."""
    runner(1, 1, 0)  # warm up: imports, compiled code from the cache
    wall, cpu, aband = [], [], []
    n = 0
    for r in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        n, ab = runner(days, replications, r + 1)
        wall.append(n / (time.perf_counter() - t0))
        cpu.append(n / (time.process_time() - c0))
        aband.append(ab)
    out = {"wall": statistics.median(wall), "cpu": statistics.median(cpu), "calls": n, "abandon": float(np.mean(aband))}
    print(f"  {name:<13} {days:>4} d x {replications:<4} {n:>10,} calls  {out['wall'] / 1e6:8.3f} M calls/s wall  "
          f"{out['cpu'] / 1e6:8.3f} M/s CPU   abandon rate {out['abandon']:.4f}", flush=True)
    return out


def case(title: str, days: int, replications: int, short_days: int, short_reps: int, repeats: int,
         runners: list[str]) -> dict[str, dict[str, float]]:
    expected = days * 48 * CALLS_PER_INTERVAL * replications
    print(f"{title}: {days} day(s) x {replications} replication(s), ~{expected:,.0f} calls; SimPy and Ciw on "
          f"{short_days} day(s) x {short_reps}")
    table = {
        "fast engine": (engine_runner(engine_fast), days, replications),
        "fast run": (api_runner("fast"), days, replications),
        "simpy engine": (engine_runner(engine_simpy), short_days, short_reps),
        "simpy run": (api_runner("simpy"), short_days, short_reps),
        "ciw": (run_ciw, short_days, short_reps),
    }
    rates = {}
    for name, (runner, d, r) in table.items():
        if name.split()[0] in runners:
            rates[name] = measure(name, runner, d, r, repeats if name.startswith("fast") else max(1, repeats // 2))
    for a, b in (("fast run", "simpy run"), ("fast engine", "simpy engine"), ("fast run", "ciw"),
                 ("simpy run", "ciw"), ("fast run", "fast engine")):
        if a in rates and b in rates:
            print(f"  {a} / {b}: {rates[a]['wall'] / rates[b]['wall']:.1f}x wall, "
                  f"{rates[a]['cpu'] / rates[b]['cpu']:.1f}x CPU")
    return rates


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--days", type=int, default=200, help="days of the one-replication case")
    parser.add_argument("--replications", type=int, default=200, help="replications of the one-day case")
    parser.add_argument("--simpy-days", type=int, default=3, help="days SimPy and Ciw simulate in the first case")
    parser.add_argument("--simpy-replications", type=int, default=3, help="their replications in the second case")
    parser.add_argument("--runners", nargs="*", default=["fast", "simpy", "ciw"])
    parser.add_argument("--quick", action="store_true", help="20 days and 20 replications, 3 repeats")
    args = parser.parse_args(argv)
    if args.quick:
        args.days, args.replications, args.repeats = 20, 20, 3
    print(f"M/M/{AGENTS}+M: aht {AHT:g} s, patience {PATIENCE:g} s, load {LOAD_PER_AGENT} per agent, 30-min intervals; "
          f"median of {args.repeats} repeats (SimPy and Ciw: {max(1, args.repeats // 2)})")
    case("one long replication", args.days, 1, args.simpy_days, 1, args.repeats, args.runners)
    print()
    case("many short replications", 1, args.replications, 1, args.simpy_replications, args.repeats, args.runners)
    print(f"\n  exact Erlang A abandon rate {exact_abandon_rate():.4f}")


if __name__ == "__main__":
    main()
