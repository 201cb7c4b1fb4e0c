"""Queuecast simulation: interval arrivals in, queue KPIs, staffing and exports out.

See :mod:`simulate.engine_simpy` for the life of a call in plain words. Durations are
seconds everywhere in this package.

This package never imports Streamlit.
"""
from __future__ import annotations

__all__: list[str] = []

# --- scenario, engines, results, Erlang (issue 4) ---
from simulate.scenario import CallType, Scenario, arrivals_from_frame  # noqa: E402

__all__ += ["Scenario", "CallType", "arrivals_from_frame"]
from simulate.metrics import METRICS, compare  # noqa: E402
from simulate.result import SimulationResult  # noqa: E402
from simulate.run import run  # noqa: E402

__all__ += ["METRICS", "compare", "SimulationResult", "run"]
from simulate import erlang  # noqa: E402
from simulate.erlang import asa_c, erlang_a, erlang_b, erlang_c, occupancy, service_level_c  # noqa: E402

__all__ += ["erlang", "erlang_b", "erlang_c", "erlang_a", "service_level_c", "asa_c", "occupancy"]

# --- staffing, schedules, exports (issue 5) ---
from simulate.schedule import Schedule, schedule  # noqa: E402
from simulate import export  # noqa: E402

__all__ += ["Schedule", "schedule", "export"]
from simulate.staffing import (  # noqa: E402
    StaffingPlan,
    required_agents,
    risk_of_missing,
    staff,
    staffing_by_quantile,
    workforce_totals,
)

__all__ += ["StaffingPlan", "required_agents", "staff", "staffing_by_quantile", "risk_of_missing", "workforce_totals"]

# --- fast engine, parallel and distributed sweeps (issue 7) ---
from simulate.sweep import sweep  # noqa: E402

__all__ += ["sweep"]
from simulate import capacity  # noqa: E402,F401 - capacity plans across months (issue 16): simulate.capacity.plan
