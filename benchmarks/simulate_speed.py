"""Speed of the simulation engines on one M/M/c+M scenario (Erlang A), with Ciw as the peer.

    python benchmarks/simulate_speed.py [--agents N --hours H] [--repeats 5] [--runners ciw simpy fast]

Each runner simulates the same call centre (agents, aht 300 s, exponential patience 600 s,
offered load 0.95 x agents) for ``hours`` hours and returns (calls simulated, abandon rate).
Two cases by default: a national line's day (500 agents, 24 h, about 137,000 calls), the scale
the fast engine is for, and a small team's 8-hour shift (50 agents, about 4,600 calls), where the
fixed cost of a replication (random streams, records; about 0.2 ms) weighs on the fast engine.
The script prints the median calls per second of each runner, its ratio to Ciw, and the abandon
rates beside exact Erlang A (the M/M/n+M birth-death chain).
Add an engine by adding a function to RUNNERS.
Ciw is imported here only; it is a benchmark peer, never a dependency of the package.
"""
from __future__ import annotations

import argparse
import functools
import math
import statistics
import time
from collections.abc import Callable

import numpy as np

from simulate import Scenario
from simulate.records import OUTCOME_ABANDONED, OUTCOME_ANSWERED
from simulate.workload import Workload

AHT = 300.0
PATIENCE = 600.0
LOAD_PER_AGENT = 0.95


@functools.lru_cache
def _inputs(agents: int, hours: float) -> tuple[Workload, Scenario]:
    """The policy and the workload (one interval of ``hours`` with ``agents`` on duty) are inputs
    built once, not part of what is timed."""
    scenario = Scenario(name="mmc+m", aht=AHT, patience=PATIENCE)
    horizon = hours * 3600.0
    rate = LOAD_PER_AGENT * agents / AHT
    return Workload.from_arrays(np.array([rate * horizon]), agents, horizon, scenario), scenario


def _run_engine(simulate_replication: Callable, agents: int, hours: float, seed: int) -> tuple[int, float]:
    work, scenario = _inputs(agents, hours)
    rec = simulate_replication(work, scenario, np.random.SeedSequence(seed))
    ab, ans = (rec.outcome == OUTCOME_ABANDONED).sum(), (rec.outcome == OUTCOME_ANSWERED).sum()
    return len(rec), ab / (ab + ans)


def run_simpy(agents: int, hours: float, seed: int) -> tuple[int, float]:
    from simulate.engine_simpy import simulate_replication

    return _run_engine(simulate_replication, agents, hours, seed)


def run_fast(agents: int, hours: float, seed: int) -> tuple[int, float]:
    from simulate.engine_fast import simulate_replication

    return _run_engine(simulate_replication, agents, hours, seed)


def run_ciw(agents: int, hours: float, seed: int) -> tuple[int, float]:
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LOAD_PER_AGENT * agents / AHT)],
        service_distributions=[ciw.dists.Exponential(rate=1 / AHT)],
        number_of_servers=[agents],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / PATIENCE)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(hours * 3600.0)
    records = sim.get_all_records()
    reneged = sum(r.record_type == "renege" for r in records)
    served = sum(r.record_type == "service" for r in records)
    in_system = sum(len(node.all_individuals) for node in sim.transitive_nodes)
    return len(records) + in_system, reneged / max(reneged + served, 1)


RUNNERS: dict[str, Callable[[int, float, int], tuple[int, float]]] = {
    "ciw": run_ciw,
    "simpy": run_simpy,
    "fast": run_fast,
}


def exact_abandon_rate(agents: int) -> float:
    """Erlang A abandon share from the M/M/n+M birth-death chain (truncated far in the tail)."""
    lam, mu, theta = LOAD_PER_AGENT * agents / AHT, 1 / AHT, 1 / PATIENCE
    k = np.arange(agents + 2000)
    death = np.minimum(k, agents) * mu + np.maximum(k - agents, 0) * theta
    logp = np.concatenate([[0.0], np.cumsum(np.log(lam / death[1:]))])
    p = np.exp(logp - logp.max())
    p /= p.sum()
    return float(theta * (p * np.maximum(k - agents, 0)).sum() / lam)


MIN_REPEAT_S = 0.2
CASES = ((500, 24.0), (50, 8.0))  # a national line's day (~137,000 calls); a small team's shift (~4,600)


def measure(agents: int, hours: float, repeats: int, runners: list[str]) -> dict[str, float]:
    """Print and return the median calls per second of each runner on M/M/agents+M for ``hours``."""
    calls = LOAD_PER_AGENT * agents / AHT * hours * 3600.0
    print(f"M/M/{agents}+M: aht {AHT:g} s, patience {PATIENCE:g} s, load {LOAD_PER_AGENT} per agent, "
          f"{hours:g} h (~{calls:,.0f} calls), {repeats} repeats of at least {MIN_REPEAT_S:g} s (median)")
    rates: dict[str, float] = {}
    for name in runners:
        runner = RUNNERS[name]
        runner(agents, hours, 0)  # warm up: imports, JIT compilation, memory of this size
        t0 = time.perf_counter()
        runner(agents, hours, 0)
        # a repeat runs enough replications to last about 0.2 s, so that a run of half a
        # millisecond is not measured alone (timer and scheduler noise)
        batch = max(1, math.ceil(MIN_REPEAT_S / (time.perf_counter() - t0)))
        speeds, aband = [], []
        seed = 1
        for r in range(repeats):
            n_calls = 0
            t0 = time.perf_counter()
            for _ in range(batch):
                n, ab = runner(agents, hours, seed)
                n_calls += n
                seed += 1
                aband.append(ab)
            speeds.append(n_calls / (time.perf_counter() - t0))
        rates[name] = statistics.median(speeds)
        print(f"{name:>8}: {rates[name]:>10,.0f} calls/s   abandon rate {statistics.mean(aband):.4f}", flush=True)
    print(f"{'exact':>8}: {'':>10}            abandon rate {exact_abandon_rate(agents):.4f} (Erlang A)")
    if "ciw" in rates:
        for name, rate in rates.items():
            if name != "ciw":
                print(f"{name}/ciw speed ratio: {rate / rates['ciw']:.2f}x")
    if math.isfinite(rates.get("simpy", math.nan)):
        for name, rate in rates.items():
            if name not in ("ciw", "simpy"):
                print(f"{name}/simpy speed ratio: {rate / rates['simpy']:.2f}x")
    return rates


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, help="one case with this many agents (default: both cases)")
    parser.add_argument("--hours", type=float, help="hours simulated in that case (default 8)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--runners", nargs="*", default=list(RUNNERS))
    args = parser.parse_args(argv)
    cases = CASES if args.agents is None and args.hours is None else \
        ((args.agents or 50, args.hours or 8.0),)
    for i, (agents, hours) in enumerate(cases):
        if i:
            print()
        measure(agents, hours, args.repeats, args.runners)


if __name__ == "__main__":
    main()
