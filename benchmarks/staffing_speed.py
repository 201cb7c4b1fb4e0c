"""How long the default staffing takes, and whether its plan keeps its promise, on the bundled data.

Demand: the app's default (data/passport/passport_intraday_30min.csv forecast 7 days ahead on
30-minute intervals, model auto, Canadian holidays). For each bundled scenario file in
data/scenarios/ (current_staffing.toml, status_line_callbacks.toml) it times
``simulate.staff(demand, scenario)`` with the default method ("auto": simulation seeded by Erlang
when the scenario has anything Erlang cannot see) and prints the method used, rounds, whether the
search converged, agent-hours against Erlang C and A, the simulated service level of the plan on
unseen seeds, and how many open intervals meet the target. With --quantiles it also times
P50/P80/P95 staffing by simulation (reusing the recommendation), and with --check-seeds N it
re-simulates the plan on N more unseen seeds (20 replications each) and counts intervals found
significantly short (Benjamini-Hochberg, 5%) and intervals whose 95% interval lies below the target.

Run: python benchmarks/staffing_speed.py [--scenarios current_staffing,status_line_callbacks] [--workers 2]
         [--replications 10] [--quantiles] [--check-seeds 2]
Wall time on 2 shared cores is noisy: CPU seconds are printed beside it. The engine line says which
engine ran each scenario ("auto": the compiled engine for every bundled scenario).
"""
from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

import forecast
import simulate
from simulate.confidence import worse_than_target
from simulate.staffing import _simulate

ROOT = Path(__file__).resolve().parent.parent


def bundled_demand(days: int = 7) -> simulate.Demand:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = forecast.read_history(ROOT / "data" / "passport" / "passport_intraday_30min.csv")
        fc = forecast.forecast(history, f"{days}D", freq="30min", model="auto", holidays="CA")
    return simulate.Demand.from_frame(fc), fc


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", default="current_staffing,status_line_callbacks")
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quantiles", action="store_true")
    ap.add_argument("--check-seeds", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    w0, c0 = _clock()
    demand, fc = bundled_demand()
    w1, c1 = _clock()
    print(f"demand: {len(demand)} intervals, {int(demand.open.sum())} open, {demand.calls.sum():,.0f} calls; "
          f"forecast {w1 - w0:.1f} s wall")
    for name in [s.strip() for s in args.scenarios.split(",") if s.strip()]:
        sc = simulate.Scenario.load(ROOT / "data" / "scenarios" / f"{name}.toml")
        w0, c0 = _clock()
        rec = simulate.staff(demand, sc, replications=args.replications, seed=args.seed, workers=args.workers)
        w1, c1 = _clock()
        s, comp, sim = rec.summary, rec.comparison, rec.simulated
        print(f"[{name}] staff(): {w1 - w0:.1f} s wall, {c1 - c0:.1f} s CPU; method={rec.method} "
              f"engine={s.get('engine')} rounds={rec.facts.get('iterations', 0)} "
              f"simulations={s.get('simulations')} converged={s.get('converged')}")
        hours = "  ".join(f"{m}={comp.at[m, 'agent_hours']:,.1f}" for m in comp.index)
        print(f"[{name}] agent-hours: {hours}; peak agents {s['peak_agents']}; "
              f"Erlang A plan simulated: {comp.at['erlang_a', 'simulated_service_level']:.3f}")
        print(f"[{name}] plan simulated on unseen seeds: SL {sim['service_level']:.3f} "
              f"({sim['service_level_lo']:.3f}-{sim['service_level_hi']:.3f}), abandon {sim['abandon_rate']:.3f}, "
              f"ASA {sim['asa_s']:.1f} s; {sim['intervals_meeting_target']}/{sim['intervals_open']} open "
              f"intervals meet the target; meets_target={rec.meets_target}")
        for k in range(args.check_seeds):
            seed = 900_000 + 97 * k
            batch = _simulate(demand, sc, rec.requirements["agents"].to_numpy(), 20, seed, "auto")
            res = batch.result(sc)
            iv, open_ = res.intervals, demand.open
            flagged = int(worse_than_target(np.where(open_, batch.values("service_level"), np.nan), sc.sl_target,
                                            direction="higher").sum())
            below_ci = int(((iv["service_level_hi"] < sc.sl_target) & open_).sum())
            print(f"[{name}] check seed {seed} (20 reps): SL {res['service_level']:.3f}; significantly short "
                  f"{flagged}; 95% interval below target {below_ci}; worst interval "
                  f"{iv.loc[open_, 'service_level'].min():.3f}")
        if args.quantiles:
            w0, c0 = _clock()
            q = simulate.staffing_by_quantile(fc, sc, replications=args.replications, seed=args.seed, reference=rec,
                                              workers=args.workers)
            w1, c1 = _clock()
            erl = simulate.staffing_by_quantile(fc, sc, method="erlang_a")
            peaks = "  ".join(f"{p}={int(q[f'agents_{p}'].max())} (Erlang A {int(erl[f'agents_{p}'].max())})"
                              for p in ("p50", "p80", "p95"))
            print(f"[{name}] P50/P80/P95 by {q.attrs['method']}: {w1 - w0:.1f} s wall, {c1 - c0:.1f} s CPU; "
                  f"peak agents {peaks}; converged {q.attrs.get('converged')}")


if __name__ == "__main__":
    main()
