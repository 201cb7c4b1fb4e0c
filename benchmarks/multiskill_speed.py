"""Speed of routing by skill (English, French and bilingual agents) on both engines: a bilingual week,
a synthetic day beside one pool of agents, and simulation staffing of the bundled bilingual scenario.

    python benchmarks/multiskill_speed.py [--repeats 5] [--replications 4] [--agents 100] [--hours 8]
                                          [--no-staffing] [--simpy-staffing] [--staffing-only]
                                          [--staffing-repeats 3] [--max-passes 0,1,3] [--compare-pools]

Bilingual week: ``data/scenarios/bilingual.toml`` (English, French and bilingual agents, French first
at bilingual agents, lines, redials, lognormal handle time) on the app's default demand (the bundled
intraday history forecast 7 days ahead on 30-minute intervals, as ``benchmarks/staffing_speed.py``),
staffed by the Erlang split (``StaffingPlan.sized("erlang_a")``). Times one replication on each
engine (records checked equal on seed 0) and ``simulate.run(..., replications)`` end to end (KPIs
included) on each engine: median wall and CPU seconds over ``repeats`` (seeds 0..), calls per second
and the compiled engine's speed-up over SimPy.

Synthetic day: the same calls for every runner: 30-minute intervals, 80% English and 20% French
callers, handle time 300 s, exponential patience 600 s, offered load 0.92 x agents. One pool:
``agents`` agents answering everyone (the compiled engine's recursion and its event loop, and SimPy).
Three groups: the same number of agents split by :func:`simulate.staffing_groups.erlang_split`'s rule
on this demand, with French first at bilingual agents (``pick = "priority"``), with ``pick =
"oldest"``, and with ``overflow_after = 30`` s, each on the compiled engine and on SimPy (records
checked equal on the first seed). Median CPU seconds and calls per second of each runner, the ratio
to the compiled one-pool recursion, the compiled engine's speed-up over SimPy, and each runner's
service level per language.

Staffing (unless ``--no-staffing``; only this with ``--staffing-only``): median wall and CPU
seconds of :func:`simulate.staffing_groups.staff_groups` (what ``StaffingPlan.sized("simulation")``
runs for agent groups) over ``--staffing-repeats`` runs (seeds 0..) on the bilingual week with
``engine="auto"`` (the compiled engine), verified on unseen seeds (the default ``verify=True``, one
simulation of 16 replications), with each run's simulations, cost and open intervals meeting every
language's target; ``--max-passes 0,1,3`` repeats it per number of cost-reducing rounds;
``--simpy-staffing`` also on SimPy (minutes); ``--compare-pools`` also times
:func:`simulate.staffing_groups.compare_pools` (separate pools vs with bilingual agents) once.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

import simulate
from simulate import Scenario, StaffingPlan, engine_fast
from simulate.engine_simpy import simulate_replication as simpy
from simulate.records import OUTCOME_ABANDONED, OUTCOME_ANSWERED, RECORD_FIELDS
from simulate.staffing_groups import compare_pools, erlang_split, staff_groups
from simulate.workload import Workload, build_workload

ROOT = Path(__file__).resolve().parent.parent
AHT, PATIENCE, LOAD_PER_AGENT, INTERVAL_S = 300.0, 600.0, 0.92, 1800.0
TYPES = {"English": {"share": 0.8, "skill": "en", "priority": 1},
         "French": {"share": 0.2, "skill": "fr", "priority": 0}}
GROUPS = {"en": {"skills": ["en"]}, "fr": {"skills": ["fr"]}, "bilingual": {"skills": ["en", "fr"]}}


def fast(work, scenario, seed):
    return engine_fast.simulate_replication(work, scenario, seed)


def fast_loop(work, scenario, seed):
    """The compiled event loop (the recursion switched off), for one pool."""
    engine_fast.USE_RECURSION = False
    try:
        return engine_fast.simulate_replication(work, scenario, seed)
    finally:
        engine_fast.USE_RECURSION = True


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
    table = {
        "one pool, fast (recursion)": (fast, work_pool, pool),
        "one pool, fast (event loop)": (fast_loop, work_pool, pool),
        "one pool, SimPy": (simpy, work_pool, pool),
    }
    for label, sc in (("French first", groups), ("oldest first", groups.replace(pick="oldest")),
                      ("overflow 30 s", groups.replace(overflow_after=30.0))):
        table[f"three groups, {label}, fast"] = (fast, work_groups, sc)
        table[f"three groups, {label}, SimPy"] = (simpy, work_groups, sc)
    return table, split[0]


def time_case(engine, work, scenario, repeats: int) -> tuple[float, int, list[float]]:
    seconds, sl = [], []
    for seed in range(repeats):
        c0 = time.process_time()
        rec = engine(work, scenario, np.random.SeedSequence(seed))
        seconds.append(time.process_time() - c0)
        n_calls = len(rec)
        ans, ab = rec.outcome == OUTCOME_ANSWERED, rec.outcome == OUTCOME_ABANDONED
        sl.append([((ans & (rec.wait_s <= scenario.sl_threshold) & (rec.call_type == t)).sum()
                    / max(((ans | ab) & (rec.call_type == t)).sum(), 1)) for t in (0, 1)])
    return statistics.median(seconds), n_calls, np.mean(sl, axis=0).tolist()


def same_records(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in RECORD_FIELDS)


def engines(args: argparse.Namespace) -> None:
    table, split = cases(args.agents, args.hours)
    fast(*table["three groups, French first, fast"][1:], np.random.SeedSequence(99))  # compile outside the timing
    fast_loop(*table["one pool, fast (event loop)"][1:], np.random.SeedSequence(99))
    for name, (engine, work, sc) in table.items():
        if engine is simpy and name.startswith("three"):
            other = table[name.replace("SimPy", "fast")][0](work, sc, np.random.SeedSequence(0))
            if not same_records(engine(work, sc, np.random.SeedSequence(0)), other):
                raise SystemExit(f"{name}: the engines' records differ")
    print(f"{args.agents} agents ({'/'.join(map(str, split))} en/fr/bilingual in the groups), {args.hours:g} h, "
          f"median CPU seconds of {args.repeats} replications; records equal on both engines for every group case")
    print(f"{'runner':38s} {'seconds':>9s} {'calls/s':>12s} {'x fast pool':>12s} {'fast/SimPy':>11s}  "
          "SL en / fr (60 s)")
    results = {name: time_case(*spec, args.repeats) for name, spec in table.items()}
    base = results["one pool, fast (recursion)"][0]
    for name, (sec, n_calls, sl) in results.items():
        simpy_name = name.replace("fast (recursion)", "SimPy").replace("fast (event loop)", "SimPy").replace(
            ", fast", ", SimPy")
        speedup = f"{results[simpy_name][0] / sec:10.0f}x" if simpy_name != name else ""
        print(f"{name:38s} {sec:9.4f} {n_calls / sec:12,.0f} {sec / base:12.2f} {speedup:>11s}  "
              f"{sl[0]:.3f} / {sl[1]:.3f}")


def bilingual_week() -> tuple[Scenario, simulate.Demand]:
    import sys
    import warnings

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from staffing_speed import bundled_demand

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        demand, _ = bundled_demand()
    return Scenario.load(ROOT / "data" / "scenarios" / "bilingual.toml"), demand


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _medians(fn, repeats: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``fn(seed)`` over seeds 0..repeats-1, and the last result."""
    wall, cpu = [], []
    out = None
    for seed in range(repeats):
        w0, c0 = _clock()
        out = fn(seed)
        w1, c1 = _clock()
        wall.append(w1 - w0)
        cpu.append(c1 - c0)
    return statistics.median(wall), statistics.median(cpu), out


def week(scenario: Scenario, demand: simulate.Demand, args: argparse.Namespace) -> None:
    plan = StaffingPlan.sized("erlang_a")
    split = plan.group_agents(demand, scenario)
    work = build_workload(demand, scenario, split)
    fast(work, scenario, np.random.SeedSequence(99))  # compile outside the timing
    simulate.run(demand, scenario, plan, replications=1, engine="fast")
    seed = np.random.SeedSequence
    if not same_records(fast(work, scenario, seed(0)), simpy(work, scenario, seed(0))):
        raise SystemExit("bilingual week: the engines' records differ")
    print(f"bilingual week: {scenario.name!r} on {len(demand)} intervals ({int(demand.open.sum())} open), "
          f"{demand.calls.sum():,.0f} calls expected; Erlang split {int(split.sum(axis=0)[0])} / "
          f"{int(split.sum(axis=0)[1])} / {int(split.sum(axis=0)[2])} agent-intervals en / fr / bilingual; "
          f"records equal on both engines (seed 0); medians of {args.repeats} repeats")
    print(f"{'runner':44s} {'wall s':>8s} {'CPU s':>8s} {'calls/s (CPU)':>14s} {'fast/SimPy (wall, CPU)':>24s}")
    rows = {}
    for engine, fn in (("fast", fast), ("simpy", simpy)):
        w, c, rec = _medians(lambda seed, fn=fn: fn(work, scenario, np.random.SeedSequence(seed)), args.repeats)
        rows[f"one replication, {engine} engine"] = (w, c, len(rec))
    for engine in ("fast", "simpy"):
        w, c, res = _medians(lambda seed, engine=engine: simulate.run(
            demand, scenario, plan, replications=args.replications, seed=seed, engine=engine), args.repeats)
        assert res.engine == engine
        n_calls = round(res.intervals["attempts"].sum() * args.replications)  # attempts: mean per replication
        rows[f"simulate.run x {args.replications} replications, {engine}"] = (w, c, n_calls)
    for name, (w, c, n_calls) in rows.items():
        ratio = ""
        if "fast" in name:
            sw, sc, _ = rows[name.replace("fast", "simpy")]
            ratio = f"{sw / w:10.0f}x, {sc / c:6.0f}x"
        print(f"{name:44s} {w:8.3f} {c:8.3f} {n_calls / c:14,.0f} {ratio:>24s}")
    auto = simulate.run(demand, scenario, plan, replications=1, engine="auto")
    print(f"engine='auto' runs {auto.engine!r} on this scenario")


def staffing(scenario: Scenario, demand: simulate.Demand, args: argparse.Namespace) -> None:
    """staff_groups on the bilingual week: median wall and CPU seconds of ``args.staffing_repeats``
    runs (seeds 0..), with the simulations, cost and intervals meeting the target (on unseen seeds) of
    each run, for each ``--max-passes`` value (the cost-reducing rounds)."""
    staff_groups(demand, scenario, replications=2, max_passes=0, max_add_rounds=1, verify=False)  # compile
    print(f"\nstaff_groups on {scenario.name!r}, the bilingual week ({int(demand.open.sum())} open intervals, "
          f"8 replications per simulation, verify=True on seeds seed + 10_000); medians of "
          f"{args.staffing_repeats} runs (seeds 0..), per-run figures in seed order")
    engines_ = ("auto", "simpy") if args.simpy_staffing else ("auto",)
    passes = [None] if args.max_passes is None else [int(p) for p in args.max_passes.split(",")]
    for engine in engines_:
        for mp in passes:
            options = {} if mp is None else {"max_passes": mp}
            runs = []
            for seed in range(args.staffing_repeats):
                w0, c0 = _clock()
                res = staff_groups(demand, scenario, seed=seed, engine=engine, **options)
                w1, c1 = _clock()
                runs.append((w1 - w0, c1 - c0, res.summary))
            summaries = [r[2] for r in runs]
            label = "default" if mp is None else f"max_passes={mp}"
            print(f"  engine={engine!r} ran {summaries[0]['engine']!r}, {label}: "
                  f"{statistics.median(r[0] for r in runs):6.2f} s wall, "
                  f"{statistics.median(r[1] for r in runs):6.2f} s CPU (median); simulations "
                  + ", ".join(str(s["simulations"]) for s in summaries) + "; cost "
                  + ", ".join(f"{s['cost']:,.0f}" for s in summaries) + "; intervals meeting target "
                  + ", ".join(f"{s['intervals_meeting_target']}/{s['intervals_open']}" for s in summaries)
                  + f"; converged {all(s['converged'] for s in summaries)}")


def pools(scenario: Scenario, demand: simulate.Demand) -> None:
    """compare_pools on the bilingual week (seed 0): wall and CPU seconds, cost of each option, the
    saving, simulations and intervals meeting every language's target on unseen seeds."""
    w0, c0 = _clock()
    cmp = compare_pools(demand, scenario)
    w1, c1 = _clock()
    print(f"\ncompare_pools on the bilingual week (seed 0): {w1 - w0:.2f} s wall, {c1 - c0:.2f} s CPU")
    for label, res in (("separate pools", cmp.separate), ("with bilingual agents", cmp.shared)):
        s = res.summary
        print(f"  {label:22s} cost {s['cost']:,.0f}; simulations {s['simulations']}; intervals meeting target "
              f"{s['intervals_meeting_target']}/{s['intervals_open']}; service level by language on unseen seeds "
              + ", ".join(f"{k} {v:.3f}" for k, v in zip(res.by_skill["skill"], res.by_skill["service_level"])))
    saving = cmp.table.set_index("option").loc["with bilingual agents"]
    print(f"  saving with bilingual agents: {saving['saving']:,.0f} ({saving['saving_share']:.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--replications", type=int, default=4, help="of simulate.run on the bilingual week")
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--no-staffing", action="store_true", help="skip the staff_groups timing")
    parser.add_argument("--simpy-staffing", action="store_true", help="also time staff_groups on SimPy (slow)")
    parser.add_argument("--staffing-only", action="store_true", help="only the staff_groups timing")
    parser.add_argument("--compare-pools", action="store_true", help="also time compare_pools on the week")
    parser.add_argument("--staffing-repeats", type=int, default=3, help="staff_groups runs (seeds 0..)")
    parser.add_argument("--max-passes", default=None,
                        help="comma-separated max_passes values for staff_groups (default: its default)")
    args = parser.parse_args()
    scenario, demand = bilingual_week()
    if not args.staffing_only:
        week(scenario, demand, args)
        print()
        engines(args)
    if not args.no_staffing:
        staffing(scenario, demand, args)
    if args.compare_pools:
        pools(scenario, demand)


if __name__ == "__main__":
    main()
