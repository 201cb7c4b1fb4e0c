"""Random small call centres for the engine and KPI tests: every scenario feature, drawn at random."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from simulate import CallType, Demand, Scenario
from simulate.records import RECORD_FIELDS
from simulate.workload import Workload, build_workload

__all__ = ["random_case", "differing_fields"]


def random_case(rng: np.random.Generator, *, replay: bool | None = None, whole_seconds: bool = False,
                groups: bool = False) -> tuple[Workload, Scenario]:
    """A small random centre: up to 16 intervals, some closed (nights), some open with nobody on
    duty, and a random draw of every scenario feature. ``replay``: True/False forces a replayed
    call log or Poisson arrivals (None: 1 in 5 replays); ``whole_seconds``: the log's times, handle
    times and the IVR time are whole multiples of 10 s, so events tie (and replayed callers carry
    a patience in whole seconds, so patience runs out as agents finish); ``groups``: two to four call
    types needing one of up to three skills, answered by one to four agent groups (specialists and
    groups of several skills, in random order, each with its own agents per interval), a random
    ``pick`` and ``overflow_after``."""
    n_int = int(rng.integers(1, 17))
    interval_s = float(rng.choice([300.0, 900.0, 1800.0, 3600.0]))
    is_open = rng.random(n_int) < 0.8
    calls = rng.uniform(0, 40, n_int) * is_open
    agents = rng.integers(0, 10, n_int) * (rng.random(n_int) < 0.9) * is_open
    kw: dict = {"aht": float(rng.choice([60.0, 300.0, 900.0])), "at_close": str(rng.choice(["serve", "drop"]))}
    if rng.random() < 0.3:
        kw.update(aht_dist="lognormal", aht_cv=float(rng.choice([0.5, 1.4])))
    if rng.random() < 0.8:
        kw.update(patience=float(rng.choice([30.0, 200.0, 900.0])),
                  patience_dist=str(rng.choice(["exponential", "lognormal", "weibull"])), patience_cv=0.7)
    if rng.random() < 0.4:
        kw["lines"] = int(rng.integers(1, 25))
    if rng.random() < 0.5:
        kw.update(redial_prob=float(rng.choice([0.3, 0.8, 1.0])), max_attempts=int(rng.integers(2, 6)),
                  redial_delay=float(rng.choice([30.0, 600.0, 7200.0])))
    if rng.random() < 0.4:
        kw.update(ivr_time=float(rng.choice([0.0, 30.0, 600.0])), ivr_containment=float(rng.choice([0.0, 0.3])),
                  residual_aht_factor=float(rng.choice([1.0, 1.2])))
    if rng.random() < 0.5:
        kw.update(callback_threshold=float(rng.choice([0.0, 60.0, 600.0])),
                  callback_accept=float(rng.choice([0.3, 1.0])),
                  callback_deadline=[None, 0.0, 300.0, 3600.0][int(rng.integers(0, 4))])
    n_types = 1
    if groups or rng.random() < 0.4:
        n_types = int(rng.integers(2, 5 if groups else 4))
        share = np.round(rng.dirichlet(np.ones(n_types)), 6)
        share[-1] = 1.0 - share[:-1].sum()
        kw["call_types"] = tuple(
            CallType(f"t{i}", float(share[i]), aht=float(rng.choice([100.0, 400.0])) if rng.random() < 0.5 else None,
                     patience=float(rng.choice([50.0, 500.0])) if rng.random() < 0.5 else None,
                     priority=int(rng.integers(0, 3)))
            for i in range(n_types))
    n_groups = 1
    if groups:
        kw.update(_random_groups(rng, kw["call_types"]))
        n_groups = len(kw["agent_groups"])
        kw["call_types"] = tuple(dataclasses.replace(t, skill=sk) for t, sk in zip(kw["call_types"], kw.pop("skills")))
        if rng.random() < 0.3:  # a type's priority differs from its skill-mates'
            kw["call_types"] = tuple(dataclasses.replace(t, priority=int(rng.integers(-1, 3)))
                                     for t in kw["call_types"])
    scenario = Scenario(name="random", **kw)
    if groups:  # agents per interval and group, the same open / closed pattern
        agents = rng.integers(0, 6, (n_int, n_groups)) * (rng.random((n_int, n_groups)) < 0.8) * is_open[:, None]
    ds = pd.date_range("2026-01-05", periods=n_int, freq=pd.Timedelta(seconds=interval_s))
    extra: dict = {}
    if (rng.random() < 0.2) if replay is None else replay:
        m = int(rng.integers(0, 200))
        t = np.sort(rng.uniform(0, n_int * interval_s, m))
        if whole_seconds:
            t = np.floor(t / 10) * 10
        log = {"t_s": t}
        if n_types > 1:
            log["call_type"] = rng.choice([f"t{i}" for i in range(n_types)], m)
        if whole_seconds or rng.random() < 0.5:
            observed = rng.uniform(30, 600, m)
            if whole_seconds:
                observed = np.round(observed / 30) * 30
            observed[rng.random(m) < 0.3] = np.nan  # not observed: drawn
            log["service_s"] = observed
        if whole_seconds and np.isfinite(scenario.type_table()["patience"]).all() and rng.random() < 0.7:
            given = np.round(rng.uniform(10, 600, m) / 30) * 30  # hang up as agents finish
            given[rng.random(m) < 0.3] = np.nan  # not given: drawn
            log["patience_s"] = given
        extra["arrivals"] = pd.DataFrame(log)
        calls = np.bincount((t // interval_s).astype(int), minlength=n_int).astype(float)
        if whole_seconds:
            scenario = scenario.replace(ivr_time=float(np.round(scenario.ivr_time / 10) * 10))
    elif n_types > 1 and rng.random() < 0.5:  # a call-type mix that changes by interval
        extra.update(types=tuple(f"t{i}" for i in range(n_types)),
                     type_calls=rng.dirichlet(np.ones(n_types), n_int) * calls[:, None])
        if rng.random() < 0.5:
            extra["type_aht_s"] = rng.uniform(60, 600, (n_int, n_types))
    elif rng.random() < 0.3:  # handle time per interval, unknown in some
        aht_s = rng.uniform(60, 600, n_int)
        aht_s[rng.random(n_int) < 0.3] = np.nan
        extra["aht_s"] = aht_s
    demand = Demand(ds=ds, calls=calls, interval_s=interval_s, **extra)
    return build_workload(demand, scenario, agents.astype(np.int64)), scenario


def _random_groups(rng: np.random.Generator, types) -> dict:
    """Skills for ``types`` (one of up to three each) and agent groups serving them: a specialist for
    most skills, one or two groups of several skills, in random order; a random pick rule and
    overflow delay."""
    skills = [str(x) for x in rng.choice(["en", "fr", "es"][:int(rng.integers(1, 4))], len(types))]
    used = sorted(set(skills))
    groups = [[k] for k in used if rng.random() < 0.75]
    for _ in range(int(rng.integers(1, 3)) if len(used) > 1 else 0):
        size = int(rng.integers(2, len(used) + 1))
        groups.append(sorted(str(x) for x in rng.choice(used, size, replace=False)))
    for k in used:  # every skill served
        if not any(k in g for g in groups):
            groups.append([k])
    order = rng.permutation(len(groups))
    return {"skills": skills, "agent_groups": {f"g{i}": {"skills": groups[j]} for i, j in enumerate(order)},
            "pick": str(rng.choice(["priority", "oldest"])),
            "overflow_after": [None, 0.0, 30.0, 300.0][int(rng.integers(0, 4))]}


def differing_fields(a, b) -> list[str]:
    """Record fields (group included; and staffed_s, staffed_group_s) where two replications differ,
    NaN equal to NaN."""
    if len(a) != len(b):
        return ["length"]
    return [f for f in (*RECORD_FIELDS, "staffed_s", "staffed_group_s")
            if not np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True)]
