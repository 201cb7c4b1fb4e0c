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
  duty while closed and everyone on hold is let go at closing (:attr:`Workload.let_go`);
* the agents of each agent group (``Scenario.agent_groups``; one column when there are none),
  under the same closing rule, group by group. An interval is closed when no calls are expected and
  no agent of any group is scheduled.

:func:`routing` resolves, once per scenario, who may answer whom (rule 9 of
:mod:`simulate.engine_simpy`): the relations both engines read.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulate.demand import Demand, _seconds
from simulate.scenario import Scenario

__all__ = ["Routing", "Workload", "build_workload", "group_columns", "routing"]


@dataclass(frozen=True, eq=False)
class Workload:
    """Arrays of one run, aligned by interval (n intervals, T call types).

    interval_s: interval length (s). calls: float64 (n,) expected new calls. cum_share: float64
    (n, T) cumulative call-type shares per interval (last column 1). aht_s: float64 (n, T) mean
    handle time of an attempt arriving in interval k with type t (s). mean_aht_s: float64 (n,) the
    mix-weighted mean (what the callback offer announces). agents: int64 (n,) agents scheduled
    (the plan; all groups together). on_duty: int64 (n,) agents on duty under the closing rule.
    closed: bool (n,). group_agents / group_on_duty: int64 (n, G) the same per agent group, in
    ``scenario.group_names`` order (one column without agent groups; columns sum to agents / on_duty).
    drop_at_close: whether callers on hold are let go at closing. replay_t_s / replay_type /
    replay_service_s: exact first attempts (sorted seconds from ds[0], type index int64, handle time in
    seconds) or None; in a replay every attempt of the log is an arrival, so no redials are generated.
    replay_patience_unit: a replayed caller's given patience as a mean-one factor of its type's mean
    patience (NaN = draw one), or None; the engines multiply it by the mean as they do drawn factors.
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
    replay_patience_unit: np.ndarray | None = None
    group_agents: np.ndarray | None = None
    group_on_duty: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.group_agents is None:  # one pool: the group is everyone
            object.__setattr__(self, "group_agents", np.asarray(self.agents, dtype=np.int64)[:, None])
        if self.group_on_duty is None:
            object.__setattr__(self, "group_on_duty", np.asarray(self.on_duty, dtype=np.int64)[:, None])

    @property
    def n(self) -> int:
        return len(self.calls)

    @property
    def n_groups(self) -> int:
        assert self.group_agents is not None  # __post_init__ fills it in
        return self.group_agents.shape[1]

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
    def from_arrays(cls, calls: np.ndarray, agents: np.ndarray | int | Mapping[str, Any], interval_s: float,
                    scenario: Scenario, start: str = "2026-01-05 00:00") -> Workload:
        """A workload from plain arrays (benchmarks, engine tests): expected calls (n,), agents (n,) or
        one number (one pool), or per agent group a mapping ``{group: number or (n,)}`` or an (n, G)
        array; the interval length in seconds; the intervals start at ``start`` (naive)."""
        calls = np.asarray(calls, dtype=np.float64)
        interval_s = _seconds(interval_s, "interval_s")
        ds = pd.date_range(start, periods=len(calls), freq=pd.Timedelta(seconds=interval_s))
        if isinstance(agents, Mapping):
            agents = group_columns(agents, scenario, len(calls))
        else:
            agents = np.asarray(agents, dtype=np.int64)
            if agents.ndim == 0:  # one number for every interval; an array is checked by build_workload
                agents = np.full(calls.shape, int(agents), dtype=np.int64)
        return build_workload(Demand(ds=ds, calls=calls, interval_s=interval_s), scenario, agents)


@dataclass(frozen=True, eq=False)
class Routing:
    """Who may answer whom (rule 9 of :mod:`simulate.engine_simpy`), resolved once per scenario; G
    groups, T call types, group lists in routing order (fewest skills first, then group order).

    order: the groups in routing order (an arriving caller tries them in this order; free agents take
    work group by group in this order). open_groups[t]: the groups open to a caller of type t on
    arrival (its preferred groups when ``overflow_after`` is set, else every eligible group).
    late_groups[t]: the eligible groups open to it only once it has waited ``overflow_after``.
    eligible_groups[t]: every group serving its skill. serves[g]: ``(type, late)`` for each type
    group g serves, in type order (``late``: open to g only after ``overflow_after``). related[t]:
    the types sharing a group with t (whose callers on hold the callback offer counts). by_priority:
    ``pick == "priority"``. overflow_after: seconds, or None (every eligible group at once; 0 s is
    no delay either). One pool: one group serving every type, nothing late.
    """

    n_groups: int
    n_types: int
    order: tuple[int, ...]
    open_groups: tuple[tuple[int, ...], ...]
    late_groups: tuple[tuple[int, ...], ...]
    eligible_groups: tuple[tuple[int, ...], ...]
    serves: tuple[tuple[tuple[int, bool], ...], ...]
    related: tuple[tuple[int, ...], ...]
    by_priority: bool
    overflow_after: float | None


@functools.lru_cache(maxsize=64)  # scenarios are frozen and hashable
def routing(scenario: Scenario) -> Routing:
    """The :class:`Routing` of ``scenario`` (from :meth:`simulate.Scenario.group_table`)."""
    g = scenario.group_table()
    eligible, preferred, n_skills = g["eligible"], g["preferred"], g["n_skills"].tolist()
    n_types, n_groups = eligible.shape
    order = tuple(sorted(range(n_groups), key=lambda j: (n_skills[j], j)))  # fewest skills, then group order
    delay = scenario.overflow_after
    late = bool(delay)  # 0 s: every eligible group is open at once
    return Routing(
        n_groups=n_groups,
        n_types=n_types,
        order=order,
        open_groups=tuple(tuple(j for j in order if (preferred[t, j] if late else eligible[t, j]))
                          for t in range(n_types)),
        late_groups=tuple(tuple(j for j in order if eligible[t, j] and not preferred[t, j]) if late else ()
                          for t in range(n_types)),
        eligible_groups=tuple(tuple(j for j in order if eligible[t, j]) for t in range(n_types)),
        serves=tuple(tuple((t, late and not bool(preferred[t, j])) for t in range(n_types) if eligible[t, j])
                     for j in range(n_groups)),
        related=tuple(tuple(u for u in range(n_types) if (eligible[t] & eligible[u]).any()) for t in range(n_types)),
        by_priority=scenario.pick == "priority",
        overflow_after=float(delay) if delay else None,  # delay is truthy exactly when late
    )


def group_columns(agents: Mapping[str, Any], scenario: Scenario, n: int) -> np.ndarray:
    """An (n, G) int64 array from ``{group name: whole number or (n,) array}`` in the scenario's group
    order; ValueError naming a missing or unknown group."""
    names = scenario.group_names
    unknown = [g for g in agents if g not in names]
    missing = [g for g in names if g not in agents]
    if unknown or missing:
        raise ValueError(f"agents per group: scenario {scenario.name!r} has groups {list(names)}; "
                         + (f"unknown {unknown}" if unknown else "") + ("; " if unknown and missing else "")
                         + (f"missing {missing}" if missing else ""))
    return np.stack([np.broadcast_to(np.asarray(agents[g], dtype=np.int64), (n,)) for g in names], axis=1)


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
    """Align ``demand``, ``scenario`` and ``agents`` for the engines.

    agents: int, shape (n,) (one pool; a scenario without agent groups) or (n, G) (agents of each
    group per interval, columns in ``scenario.group_names`` order). Raises ValueError naming a call
    type the demand has but the scenario does not know, or a shape that does not fit."""
    n = len(demand)
    agents = np.asarray(agents, dtype=np.int64)
    n_groups = len(scenario.group_names)
    if agents.ndim == 2:
        if agents.shape != (n, n_groups):
            raise ValueError(f"agents per group must have shape (intervals, groups) = ({n}, {n_groups}) for "
                             f"groups {list(scenario.group_names)}, got {agents.shape}")
        group_agents = agents
        agents = agents.sum(axis=1)
    elif agents.shape != (n,):
        raise ValueError(f"agents must have one value per interval ({n}), got shape {agents.shape}")
    elif n_groups > 1:
        raise ValueError(f"scenario {scenario.name!r} has agent groups {list(scenario.group_names)}: give agents "
                         "per group (an (intervals, groups) array, or a staffing plan per group)")
    else:
        group_agents = agents[:, None]
    if (group_agents < 0).any():
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
    replay_t = replay_type = replay_svc = replay_pat = None
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
        if "patience_s" in arr.columns:
            replay_pat = _patience_units(arr["patience_s"].to_numpy(dtype=np.float64), replay_type, table, scenario)
    return Workload(
        interval_s=float(demand.interval_s),
        calls=np.asarray(demand.calls, dtype=np.float64),
        cum_share=np.cumsum(share, axis=1) / share.sum(axis=1, keepdims=True),
        aht_s=np.ascontiguousarray(aht),
        mean_aht_s=(share * aht).sum(axis=1),
        agents=agents,
        on_duty=on_duty(agents, closed, drop),
        group_agents=group_agents,
        group_on_duty=np.stack([on_duty(group_agents[:, g], closed, drop) for g in range(n_groups)], axis=1),
        closed=closed,
        drop_at_close=drop,
        replay_t_s=replay_t,
        replay_type=replay_type,
        replay_service_s=replay_svc,
        replay_patience_unit=replay_pat,
    )


def _patience_units(patience_s: np.ndarray, replay_type: np.ndarray | None, table: dict, scenario: Scenario
                    ) -> np.ndarray:
    """Given patience (s, NaN = draw) as mean-one factors of each caller's type mean."""
    given = np.isfinite(patience_s)
    if given.any() and (replay_type is None or not np.isfinite(table["patience"]).all()):
        raise ValueError("the replayed calls carry patience_s, which needs a scenario with patience "
                         f"(scenario {scenario.name!r} has none for some call type) and each call's call_type")
    if not given.any():
        return np.full(len(patience_s), np.nan)
    return patience_s / table["patience"][replay_type]


def _type_index(types: tuple[str, ...], names: list[str]) -> np.ndarray:
    idx = pd.Index(names).get_indexer(list(types))
    if (idx < 0).any():
        unknown = [t for t, i in zip(types, idx) if i < 0]
        raise ValueError(f"the demand has calls of type {unknown[:5]} that the scenario does not define "
                         f"(its call_types: {names}); add them to the scenario's call_types")
    return idx
