""":class:`SimulationResult`: what :func:`simulate.run` returns (a frozen value, tidy frames)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from simulate.demand import Demand
from simulate.scenario import Scenario
from simulate.staffing_plan import StaffingPlan

__all__ = ["SimulationResult"]


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """The KPIs of a scenario over several replications.

    summary: DataFrame indexed by metric (see :data:`simulate.metrics.METRICS`) with columns
        ``mean``, ``lo``, ``hi`` (95% t-interval across replications; lo == hi == mean with one).
    intervals: one row per arrival interval: ``ds``, ``calls``, ``agents``, then for each metric
        ``<m>``, ``<m>_lo``, ``<m>_hi`` (mean and 95% interval across replications).
    per_replication: one row per replication: ``replication`` and one column per metric.
    calls: every attempt of every replication (the :class:`~simulate.records.CallRecords` fields
        plus ``replication``), or None unless ``keep_calls=True``. Times in seconds from ``ds[0]``.
    scenario, engine (the engine actually used: "simpy" or "fast"), seed, replications.
    demand: the :class:`simulate.Demand` simulated; staffing: the :class:`simulate.StaffingPlan`.
    warnings: plain sentences about the inputs (open intervals with no agent, data summed...).
    by_type, by_skill, by_group: with several call types or agent groups, KPIs per call type (with
        its ``skill``), per skill (e.g. per language: its types together) and per agent group (with
        ``paid_hours`` and ``cost``); columns ``<m>``, ``<m>_lo``, ``<m>_hi`` for each metric of
        :data:`simulate.metrics.BREAKDOWN_METRICS` they hold; else None.
        :func:`simulate.metrics.service_gap` compares the skills (the "equal service" check).
    """

    summary: pd.DataFrame
    intervals: pd.DataFrame
    per_replication: pd.DataFrame
    calls: pd.DataFrame | None
    scenario: Scenario
    engine: str
    seed: int
    replications: int
    demand: Demand | None = None
    staffing: StaffingPlan | None = None
    warnings: tuple[str, ...] = ()
    by_type: pd.DataFrame | None = None
    by_skill: pd.DataFrame | None = None
    by_group: pd.DataFrame | None = None

    @property
    def interval_s(self) -> float:
        """The interval length of the demand (s)."""
        if self.demand is None:
            raise ValueError("this result carries no demand")
        return self.demand.interval_s

    def __getitem__(self, metric: str) -> float:
        """The mean of one metric across replications, e.g. ``result["service_level"]``."""
        if metric not in self.summary.index:
            raise KeyError(f"no metric {metric!r}; metrics are {list(self.summary.index)}")
        return float(self.summary.at[metric, "mean"])

    def __repr__(self) -> str:
        sl = self.summary.at["service_level", "mean"] if "service_level" in self.summary.index else float("nan")
        ab = self.summary.at["abandon_rate", "mean"] if "abandon_rate" in self.summary.index else float("nan")
        return (f"SimulationResult(scenario={self.scenario.name!r}, engine={self.engine!r}, "
                f"replications={self.replications}, seed={self.seed}, intervals={len(self.intervals)}, "
                f"service_level={sl:.3f}, abandon_rate={ab:.3f})")
