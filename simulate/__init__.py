"""Queuecast simulation: demand, policy and a staffing plan in; queue KPIs, staffing and exports out.

Three separate things meet in :func:`simulate.run`, aligned by timestamp:

* :class:`Demand` (the calls expected per interval, with handle time where known),
* :class:`Scenario` (the policy: how the centre works),
* :class:`StaffingPlan` (who is on duty: a constant, a weekly pattern, a table, sized to target...).

See :mod:`simulate.engine_simpy` for the life of a call in plain words. Durations are seconds
everywhere in this package. This package never imports Streamlit.
"""
from __future__ import annotations

from simulate import (
    capacity,  # capacity plans across months: simulate.capacity.plan
    erlang,
    export,
)
from simulate.calibrate import Calibration, calibrate, to_call_log
from simulate.demand import Demand, as_demand
from simulate.empirical import Empirical
from simulate.erlang import asa_c, erlang_a, erlang_b, erlang_c, occupancy, service_level_c
from simulate.metrics import METRICS, compare
from simulate.result import SimulationResult
from simulate.run import run
from simulate.scenario import AgentGroup, CallType, Scenario
from simulate.schedule import Schedule, schedule
from simulate.staffing import (
    StaffingRecommendation,
    required_agents,
    risk_of_missing,
    staff,
    staffing_by_quantile,
    workforce_totals,
)
from simulate.staffing_groups import compare_pools, staff_groups
from simulate.staffing_plan import StaffingPlan, as_plan
from simulate.sweep import sweep
from simulate.validate import Validation, validate

__all__ = [
    "Demand", "as_demand", "Scenario", "CallType", "AgentGroup", "StaffingPlan", "as_plan",
    "METRICS", "compare", "SimulationResult", "run",
    "erlang", "erlang_b", "erlang_c", "erlang_a", "service_level_c", "asa_c", "occupancy",
    "Schedule", "schedule", "export",
    "StaffingRecommendation", "required_agents", "staff", "staffing_by_quantile", "risk_of_missing",
    "workforce_totals", "sweep", "capacity", "staff_groups", "compare_pools",
    "Empirical", "Calibration", "calibrate", "to_call_log", "Validation", "validate",
]
