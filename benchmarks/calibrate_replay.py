"""Calibrate from a call log, replay it, and print simulated-vs-observed errors beside the noise floor.

Two logs:

1. **The model's own month**: simulated by ``simulate.run`` with known parameters (lognormal handle time,
   Weibull patience, redials, IVR) and a known staffing plan, written in the call-log contract
   (``simulate.to_call_log``). Prints each parameter recovered with its standard error, checks that a replay
   with the observed times and the true staffing reproduces every wait, and validates the calibrated model.
2. **An ACD-like month** from an independent generator that breaks the model's assumptions the way real
   centres do: agents on staggered shifts starting at quarter hours with breaks, after-call work the log does
   not record, a patience mixture (quick hang-ups plus a lognormal), a variable menu time, two call types with
   priority, redials after a lognormal delay, arrival rates that change within the half-hour, and timestamps to
   the second. Nothing is known to the calibration but the log.

For each: errors per half-hour and by hour of day (volume-weighted RMSE) of the calibrated replay and of
Erlang A with the same inputs, beside the noise floor (what randomness alone gives a right model).

Run: ``PYTHONPATH=. python benchmarks/calibrate_replay.py [--days 28] [--replications 20]``.
"""
from __future__ import annotations

import argparse
import heapq
import math
import time

import numpy as np
import pandas as pd

import simulate
from simulate import Demand, Scenario, StaffingPlan

TRUE = Scenario(name="truth", aht=240.0, aht_dist="lognormal", aht_cv=0.8, patience=180.0, patience_dist="weibull",
                patience_cv=0.6, redial_prob=0.5, redial_delay=600.0, max_attempts=5, ivr_containment=0.2,
                ivr_time=30.0, sl_threshold=20.0)
PLAN = StaffingPlan.pattern({"Mon-Fri 08:00-10:00": 12, "Mon-Fri 10:00-14:00": 15, "Mon-Fri 14:00-18:00": 13,
                             "Mon-Fri 18:00-20:00": 8, "Sat-Sun 09:00-17:00": 7})


def model_month(days: int, seed: int) -> tuple[pd.DataFrame, simulate.SimulationResult]:
    ds = pd.date_range("2026-03-02", periods=days * 48, freq="30min")
    h = ds.hour + ds.minute / 60
    weekday = ds.day_of_week < 5
    rate = np.where(weekday & (h >= 8) & (h < 20), 85 * (1 + 0.5 * np.sin((h - 8) / 12 * np.pi)), 0.0)
    rate = np.where(~weekday & (h >= 9) & (h < 17), 45.0, rate)
    result = simulate.run(Demand(ds=ds, calls=rate, interval_s=1800), TRUE, PLAN, replications=1, keep_calls=True,
                          seed=seed)
    return simulate.to_call_log(result), result


# ----------------------------------------------------------------------------------------------------
# an independent, ACD-like generator


AHT_GUESS, LEAN = 210.0, 0.95  # the planner's handle-time guess (s) and staffing factor of the ACD-like centre
VIP_FIRST = True  # the ACD-like centre answers its VIP callers first


def acd_like_month(days: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A call log from a small event simulation that is *not* Queuecast's model (see the module docstring), and
    the agents really available (on shift, not on break) on average per 5 minutes: ``ds, agents``."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-03-01")  # a Sunday: the week runs Sunday-Thursday, Friday short, Saturday shut
    horizon = days * 86400.0

    def rate(t: float) -> float:  # calls per second
        day, sec = divmod(t, 86400.0)
        dow = (start + pd.Timedelta(days=int(day))).day_of_week  # Mon=0
        h = sec / 3600.0
        if dow == 5 or h < 7 or h >= (14 if dow == 4 else 23):
            return 0.0
        base = 110 * math.exp(-((h - 10.5) / 2.2) ** 2) + 80 * math.exp(-((h - 16) / 3) ** 2) + 15
        return base * (0.8 if dow == 4 else 1.0) / 1800.0

    # arrivals by thinning
    lam_max = 230 / 1800.0
    t, arrivals = 0.0, []
    while True:
        t += rng.exponential(1 / lam_max)
        if t >= horizon:
            break
        if rng.random() < rate(t) / lam_max:
            arrivals.append(t)
    # agents: 8.5-hour shifts starting at quarter hours, added whenever those at work fall short of the load
    # (a little under it: the centre runs lean), each with three breaks
    shifts = []
    on_duty = np.zeros(days * 96 + 40)
    for q in range(days * 96):
        t0 = q * 900.0
        need = math.floor(rate(t0 + 450) * AHT_GUESS * LEAN)
        if on_duty[q] < need:
            add = int(need - on_duty[q])
            shifts += [(t0, t0 + 8.5 * 3600.0)] * add
            on_duty[q:q + 34] += add
    events: list = []  # (time, order, kind, payload)
    seq = [0]

    def push(time_: float, kind: str, payload) -> None:
        seq[0] += 1
        heapq.heappush(events, (time_, seq[0], kind, payload))

    n_agents = len(shifts)
    on_shift = np.zeros(n_agents, bool)
    on_break = np.zeros(n_agents, bool)
    busy = np.zeros(n_agents, bool)
    idle_since = np.full(n_agents, np.inf)
    for a, (s0, s1) in enumerate(shifts):
        push(s0, "shift_on", a)
        push(s1, "shift_off", a)
        for off, length in ((2 * 3600, 900), (4 * 3600, 1800), (6.5 * 3600, 900)):
            push(s0 + off + rng.uniform(-600, 600), "break", (a, length))
    rows = []
    callers = 0
    for t_arr in arrivals:
        push(t_arr, "arrive", (callers, 1, "PS" if rng.random() < 0.7 else "VIP"))
        callers += 1
    queue: list = []  # heap (priority, join time, seq, call index)
    waiting: dict[int, bool] = {}

    def free_agent(now: float) -> int | None:
        ok = on_shift & ~on_break & ~busy
        if not ok.any():
            return None
        idx = np.flatnonzero(ok)
        return int(idx[np.argmin(idle_since[idx])])

    def serve(call: int, agent: int, now: float) -> None:
        row = rows[call]
        row["queue_exit"] = now
        row["agent"] = f"ag{agent:04d}"
        talk = (rng.lognormal(math.log(150), 0.75) if row["call_type"] == "PS" else rng.gamma(2.0, 110.0))
        talk = max(talk, 1.0)
        row["end"] = now + talk
        row["outcome"] = "answered"
        busy[agent] = True
        push(now + talk + rng.uniform(0, 30), "free", agent)  # after-call work: not in the log

    def dispatch(now: float) -> None:
        while queue:
            agent = free_agent(now)
            if agent is None:
                return
            _, _, _, call = heapq.heappop(queue)
            if not waiting.pop(call, False):
                continue
            serve(call, agent, now)

    avail_t, avail_n = [0.0], [0]
    while events:
        now, _, kind, payload = heapq.heappop(events)
        if kind in ("shift_on", "shift_off", "break", "back"):
            avail_t.append(now)
            avail_n.append(-1)  # filled below, after the event
        if kind == "arrive":
            caller, attempt, ctype = payload
            i = len(rows)
            row = {"arrival": now, "caller": f"c{caller}", "call_type": ctype, "queue_entry": np.nan,
                   "queue_exit": np.nan, "end": np.nan, "agent": None, "outcome": None, "attempt": attempt}
            rows.append(row)
            if rng.random() < 0.25:  # self-service in the menu
                row["outcome"], row["end"] = "contained", now + rng.uniform(10, 60)
                continue
            join = now + rng.lognormal(math.log(20), 0.4)
            row["queue_entry"] = join
            push(join, "join", i)
        elif kind == "join":
            i = payload
            row = rows[i]
            agent = free_agent(now) if not queue else None
            if agent is not None:
                serve(i, agent, now)
                continue
            waiting[i] = True
            heapq.heappush(queue, (0 if row["call_type"] == "VIP" and VIP_FIRST else 1, now, i, i))
            quick = rng.random() < 0.12
            patience = rng.exponential(6.0) if quick else rng.lognormal(math.log(140), 0.8)
            push(now + patience, "hang_up", i)
        elif kind == "hang_up":
            i = payload
            if waiting.pop(i, False):
                row = rows[i]
                row["queue_exit"], row["outcome"] = now, "abandoned"
                if row["attempt"] < 4 and rng.random() < 0.4:
                    delay = rng.lognormal(math.log(300), 0.8)
                    if now + delay < horizon and rate(now + delay) > 0:
                        push(now + delay, "arrive", (int(row["caller"][1:]), row["attempt"] + 1, row["call_type"]))
        elif kind == "free":
            a = payload
            busy[a] = False
            idle_since[a] = now
            dispatch(now)
        elif kind == "shift_on":
            on_shift[payload] = True
            idle_since[payload] = now
            dispatch(now)
        elif kind == "shift_off":
            on_shift[payload] = False
        elif kind == "break":
            a, length = payload
            if on_shift[a]:
                on_break[a] = True
                push(now + length, "back", a)
        elif kind == "back":
            on_break[payload] = False
            idle_since[payload] = now
            dispatch(now)
        if avail_n[-1] == -1:
            avail_n[-1] = int((on_shift & ~on_break).sum())
    # whoever is still waiting when the last agent left hangs up then (none in practice: shifts cover the queue)
    for i in list(waiting):
        rows[i]["queue_exit"], rows[i]["outcome"] = rows[i]["queue_entry"] + 1.0, "abandoned"
    t_av, n_av = np.asarray(avail_t), np.asarray(avail_n, dtype=float)
    edges = np.arange(0.0, horizon + 300.0, 300.0)
    grid_t = np.sort(np.r_[t_av, edges])
    level = n_av[np.searchsorted(t_av, grid_t, side="right") - 1]
    seg = np.diff(grid_t)
    k = np.minimum((grid_t[:-1] // 300).astype(int), len(edges) - 2)
    available = pd.DataFrame({"ds": start + pd.to_timedelta(edges[:-1], unit="s"),
                              "agents": np.bincount(k, weights=level[:-1] * seg, minlength=len(edges) - 1) / 300.0})
    log = pd.DataFrame(rows)
    for c in ("arrival", "queue_entry", "queue_exit", "end"):
        log[c] = (start + pd.to_timedelta(log[c], unit="s")).dt.floor("s")  # the platform keeps whole seconds
    log = log.drop(columns="attempt")[["arrival", "queue_entry", "queue_exit", "end", "outcome", "agent", "caller",
                                       "call_type"]]
    return log, available


# ----------------------------------------------------------------------------------------------------


def show_errors(v: simulate.Validation) -> None:
    e = v.errors.copy()
    share = e.metric != "asa_s"
    for c in ("simulated_rmse", "noise_floor", "erlang_a_rmse"):
        e[c] = np.where(share, 100 * e[c], e[c])
    e["unit"] = np.where(share, "pts", "s")
    print(e[["level", "metric", "simulated_rmse", "noise_floor", "erlang_a_rmse", "within_noise", "unit"]]
          .round(2).to_string(index=False))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    print(f"== 1. The model's own {args.days}-day log ==")
    t0 = time.perf_counter()
    log, result = model_month(args.days, args.seed)
    t1 = time.perf_counter()
    data = log.to_csv(index=False).encode()
    cal = simulate.calibrate(data, name="model_month.csv")
    t2 = time.perf_counter()
    print(f"{len(log):,} attempts; simulated in {t1 - t0:.1f} s, calibrated from {len(data) / 1e6:.1f} MB of CSV "
          f"in {t2 - t1:.1f} s")
    truth = {"aht": 240.0, "aht_cv": 0.8, "patience": 180.0, "patience_cv": 0.6, "redial_prob": 0.5,
             "redial_delay": 600.0, "ivr_containment": 0.2, "ivr_time": 30.0}
    p = cal.report.parameters.set_index("name")
    print(f"{'parameter':<16}{'truth':>10}{'estimate':>12}{'se':>10}{'z':>7}")
    for name, value in truth.items():
        est, se = float(p.at[name, "value"]), float(p.at[name, "se"])
        z = (est - value) / se if se > 1e-9 else float("nan")
        print(f"{name:<16}{value:>10.4g}{est:>12.4g}{se:>10.2g}{z:>7.2f}")
    print(f"families: handle {cal.scenario.aht_dist}, patience {cal.scenario.patience_dist} (truth lognormal, weibull)")
    agents = cal.staffing.agents(cal.demand)
    true_agents = PLAN.agents(cal.demand)
    staffed = true_agents > 0
    print(f"staffing estimate equal to the truth in {np.mean(agents[staffed] == true_agents[staffed]):.1%} of "
          f"staffed half-hours (mean difference {np.mean(agents[staffed] - true_agents[staffed]):+.2f} agents)")
    for engine in ("fast", "simpy"):
        t3 = time.perf_counter()
        rep = simulate.run(cal.replay(patience="observed"), cal.replay_scenario, PLAN, replications=1,
                           keep_calls=True, engine=engine).calls
        obs = cal.calls[cal.calls.outcome.isin(["answered", "abandoned"])].sort_values("replay_t_s", kind="stable")
        same = np.array_equal(rep.outcome.to_numpy(), obs.outcome.map({"answered": 3, "abandoned": 2}).to_numpy())
        gap = float(np.max(np.abs(rep.wait_s.to_numpy() - obs.wait_s.to_numpy())))
        print(f"exact replay ({engine}, true staffing, observed times): outcomes identical {same}, largest wait "
              f"difference {gap:.2e} s ({time.perf_counter() - t3:.1f} s)")
    t3 = time.perf_counter()
    v = simulate.validate(cal, replications=args.replications, seed=args.seed)
    print(f"validation ({args.replications} replications) in {time.perf_counter() - t3:.1f} s")
    print(v)
    show_errors(v)

    print(f"\n== 2. An ACD-like {args.days}-day log (not the model: see the docstring) ==")
    t0 = time.perf_counter()
    acd, available = acd_like_month(args.days, args.seed + 1)
    t1 = time.perf_counter()
    cal2 = simulate.calibrate(acd.to_csv(index=False).encode(), name="acd_month.csv")
    t2 = time.perf_counter()
    print(f"{len(acd):,} attempts; generated in {t1 - t0:.1f} s, calibrated in {t2 - t1:.1f} s")
    print(cal2)
    m = cal2.report.replay_staffing.merge(available, on="ds", suffixes=("", "_true"))
    held = m.held_s > 0
    quiet = ~held & (m.peak > 0)
    print(f"staffing per 5 min vs the agents really available (on shift, not on break): mean difference "
          f"{(m.agents - m.agents_true)[held].mean():+.2f} where callers were held ({held.sum()} steps), "
          f"{(m.agents - m.agents_true)[quiet].mean():+.2f} elsewhere ({quiet.sum()} steps)")
    print(cal2.report.patience_fits[["family", "mean_s", "cv", "max_gap_km", "strays", "chosen"]].round(3)
          .to_string(index=False))
    for handle in ("observed", "drawn"):
        v2 = simulate.validate(cal2, replications=args.replications, seed=args.seed, handle=handle)
        print(f"\n-- handle times {handle} --")
        print(v2)
        show_errors(v2)


if __name__ == "__main__":
    main()
