"""What one replication simulates: demand, policy and staffing aligned interval by interval.

:func:`build_workload` is where a :class:`simulate.Demand`, a :class:`simulate.Scenario` and the
agents of a :class:`simulate.StaffingPlan` meet. It resolves, once, everything the engines need per
interval, so both engines read the same numbers:

* the call-type mix per interval (the demand's own split, else the scenario's shares);
* the mean handle time of an attempt arriving in interval k with type t (seconds): the demand's
  handle time for that interval where it has one, else the scenario's (call types keep their
  relative handle times around the interval's mean), times ``residual_aht_factor`` when the IVR
  contains calls;
* which intervals are closed (no calls expected and no agents) and the agents on duty under the
  closing rule (``Scenario.at_close``): with "serve", the agents of the last open interval stay on
  duty through a closed stretch for the callers already in the centre (nobody new gets in: a
  closed interval blocks every arrival, and no callback is made while closed; when that
  interval had no agents, the callers on hold are let go at closing); with "drop", nobody is on
  duty while closed and everyone on hold is let go at closing (:attr:`Workload.let_go`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulate.demand import Demand, _seconds
from simulate.scenario import Scenario

__all__ = ["Workload", "build_workload"]


@dataclass(frozen=True, eq=False)
class Workload:
    """Arrays of one run, aligned by interval (n intervals, T call types).

    interval_s: interval length (s). calls: float64 (n,) expected new calls. cum_share: float64
    (n, T) cumulative call-type shares per interval (last column 1). aht_s: float64 (n, T) mean
    handle time of an attempt arriving in interval k with type t (s). mean_aht_s: float64 (n,) the
    mix-weighted mean (what the callback offer announces). agents: int64 (n,) agents scheduled
    (the plan). on_duty: int64 (n,) agents on duty under the closing rule. closed: bool (n,).
    drop_at_close: whether callers on hold are let go at closing. replay_t_s / replay_type /
    replay_service_s: exact first attempts (sorted seconds from ds[0], type index int64, handle time in
    seconds) or None; in a replay every attempt of the log is an arrival, so no redials are generated.
    """

    interval_s: float
    calls: np.ndarray
    cum_share: np.ndarray
    aht_s: np.ndarray
    mean_aht_s: np.ndarray
    agents: np.ndarray
    on_duty: np.ndarray
    closed: np.ndarray
    drop_at_close: bool
    replay_t_s: np.ndarray | None = None
    replay_type: np.ndarray | None = None
    replay_service_s: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.calls)

    @property
    def n_types(self) -> int:
        return self.aht_s.shape[1]

    @property
    def is_replay(self) -> bool:
        return self.replay_t_s is not None

    @property
    def let_go(self) -> np.ndarray:
        """bool (n,): the centre closes at the start of interval k and everyone on hold is let go then:
        at every closing with "drop"; with "serve" only when nobody stays on duty to serve them (the
        last open interval had no agents), rather than keeping them on hold until the next opening."""
        closing = self.closed & ~np.r_[True, self.closed[:-1]]
        return closing if self.drop_at_close else closing & (self.on_duty == 0)

    @classmethod
    def from_arrays(cls, calls: np.ndarray, agents: np.ndarray | int, interval_s: float, scenario: Scenario,
                    start: str = "2026-01-05 00:00") -> "Workload":
        """A workload from plain arrays (benchmarks, engine tests): expected calls (n,), agents (n,) or
        one number, the interval length in seconds; the intervals start at ``start`` (naive)."""
        calls = np.asarray(calls, dtype=np.float64)
        interval_s = _seconds(interval_s, "interval_s")
        ds = pd.date_range(start, periods=len(calls), freq=pd.Timedelta(seconds=interval_s))
        agents = np.asarray(agents, dtype=np.int64)
        if agents.ndim == 0:  # one number for every interval; an array is checked by build_workload
            agents = np.full(calls.shape, int(agents), dtype=np.int64)
        return build_workload(Demand(ds=ds, calls=calls, interval_s=interval_s), scenario, agents)


def on_duty(agents: np.ndarray, closed: np.ndarray, drop_at_close: bool) -> np.ndarray:
    """Agents on duty per interval: the plan's agents while open; while closed, 0 ("drop") or the
    agents of the last open interval before it ("serve": they serve the callers still inside)."""
    out = np.asarray(agents, dtype=np.int64).copy()
    if drop_at_close:
        return out
    carry = 0
    for k in range(len(out)):
        if closed[k]:
            out[k] = carry
        else:
            carry = out[k]
    return out


def build_workload(demand: Demand, scenario: Scenario, agents: np.ndarray) -> Workload:
    """Align ``demand``, ``scenario`` and per-interval ``agents`` (int, shape (n,)) for the engines.

    Raises ValueError naming a call type the demand has but the scenario does not know."""
    n = len(demand)
    agents = np.asarray(agents, dtype=np.int64)
    if agents.shape != (n,):
        raise ValueError(f"agents must have one value per interval ({n}), got shape {agents.shape}")
    if (agents < 0).any():
        raise ValueError("agents must be >= 0 in every interval")
    table = scenario.type_table()
    names = [str(x) for x in table["names"]]
    n_types = len(names)
    base_aht = table["aht"].astype(np.float64)
    share = np.broadcast_to(table["share"].astype(np.float64), (n, n_types)).copy()
    if demand.type_calls is not None and scenario.call_types:
        idx = _type_index(demand.types, names)
        counts = np.zeros((n, n_types))
        counts[:, idx] = demand.type_calls
        tot = counts.sum(axis=1, keepdims=True)
        share = np.where(tot > 0, counts / np.where(tot > 0, tot, 1.0), share)
    # mean handle time per (interval, type): the demand's, else the scenario's
    aht = np.broadcast_to(base_aht, (n, n_types)).copy()
    if demand.type_aht_s is not None and scenario.call_types:
        idx = _type_index(demand.types, names)
        given = np.full((n, n_types), np.nan)
        given[:, idx] = demand.type_aht_s
        aht = np.where(np.isfinite(given), given, aht)
    elif demand.aht_s is not None:
        # call types keep their relative handle times around the interval's mean
        mix = (share * base_aht).sum(axis=1)
        scale = np.where(np.isfinite(demand.aht_s), demand.aht_s / mix, 1.0)
        aht = aht * scale[:, None]
    if scenario.ivr_containment > 0:
        aht = aht * scenario.residual_aht_factor
    closed = (demand.calls == 0) & (agents == 0)
    drop = scenario.at_close == "drop"
    replay_t = replay_type = replay_svc = None
    if demand.arrivals is not None:
        arr = demand.arrivals
        replay_t = arr["t_s"].to_numpy(dtype=np.float64)
        if "call_type" in arr.columns and scenario.call_types:
            replay_type = np.asarray(pd.Index(names).get_indexer(arr["call_type"].astype(str).to_numpy()),
                                     dtype=np.int64)
            if (replay_type < 0).any():
                unknown = sorted(set(arr["call_type"].astype(str)) - set(names))
                raise ValueError(f"the replayed calls have call types {unknown[:5]} that scenario "
                                 f"{scenario.name!r} does not define (its call_types: {names})")
        else:
            replay_type = np.zeros(len(replay_t), dtype=np.int64) if n_types == 1 else None
        if "service_s" in arr.columns:
            replay_svc = arr["service_s"].to_numpy(dtype=np.float64)
        else:
            replay_svc = np.full(len(replay_t), np.nan)
    return Workload(
        interval_s=float(demand.interval_s),
        calls=np.asarray(demand.calls, dtype=np.float64),
        cum_share=np.cumsum(share, axis=1) / share.sum(axis=1, keepdims=True),
        aht_s=np.ascontiguousarray(aht),
        mean_aht_s=(share * aht).sum(axis=1),
        agents=agents,
        on_duty=on_duty(agents, closed, drop),
        closed=closed,
        drop_at_close=drop,
        replay_t_s=replay_t,
        replay_type=replay_type,
        replay_service_s=replay_svc,
    )


def _type_index(types: tuple[str, ...], names: list[str]) -> np.ndarray:
    idx = pd.Index(names).get_indexer(list(types))
    if (idx < 0).any():
        unknown = [t for t, i in zip(types, idx) if i < 0]
        raise ValueError(f"the demand has calls of type {unknown[:5]} that the scenario does not define "
                         f"(its call_types: {names}); add them to the scenario's call_types")
    return idx
