"""Capacity planning across months: how many people to hire, when, and what if.

Interval staffing answers "how many agents at 10:30 next Tuesday"; a director asks "how many people
must we hire, and when, to meet the standard through the summer, and what if the surge is 20 %
bigger?". The 2022 passport surge is the lesson: applications took off in January, the workforce
roughly doubled by December (1,365 in March to 2,639), but new staff take weeks to recruit and train
and are slow at first, so the peak came before the capacity did.

The plan, week by week, in four steps:

1. **Requirement** (:func:`weekly_requirement`): the forecast's calls at a planning quantile, through
   Erlang staffing per interval at the service target, into paid FTE per week with shrinkage and
   paid hours (:func:`simulate.workforce_totals`), per group.
2. **Back office** (optional, :class:`Backoffice`): applications processed by a processing group at a
   productivity per FTE; the backlog past its standard drives status calls (a fitted
   :class:`forecast.BacklogModel`), so the processing staff, the backlog and the phones are planned
   together.
3. **Supply** (:class:`Supply`): headcount, attrition, hiring classes with time to hire, training and a
   learning curve, overtime, borrowed staff with a lead time, cross-training between groups.
4. **Solve** (:func:`plan`): the least-cost hiring and overtime plan meeting every week (HiGHS through
   :func:`scipy.optimize.milp`), or the plan with the smallest shortfall, with the weeks short, a
   tidy weekly table and the latest week a class can start and be productive for the peak.

What-ifs (:func:`what_if`, :func:`what_ifs`, :func:`compare`): surge bigger or earlier, attrition
doubled, training shortened, status-line automation; each a variation of the same problem, compared
side by side in one table. Files: :func:`read_supply_toml`, :func:`problem_from_toml`, :func:`to_excel`
(English or French; or any writer of :mod:`simulate.export` on a plan or a :class:`PlanWithWhatIfs`).

Units: FTE and people per week; weeks counted from the plan's start (week 0); money in the
scenario's currency; durations inside the requirement in seconds, as everywhere in :mod:`simulate`.
"""
from __future__ import annotations

from .backoffice import Backoffice
from .files import PlanWithWhatIfs, excel_bytes, problem_from_toml, read_supply_toml, to_excel
from .plan import WEEK_COLUMNS, CapacityPlan, CapacityProblem, plan
from .requirement import Requirement, intraday_profile, weekly_requirement
from .supply import Supply, linear_ramp
from .whatif import DEFAULT_WHAT_IFS, compare, what_if, what_ifs

__all__ = [
    "Backoffice",
    "CapacityPlan",
    "CapacityProblem",
    "DEFAULT_WHAT_IFS",
    "PlanWithWhatIfs",
    "Requirement",
    "Supply",
    "WEEK_COLUMNS",
    "compare",
    "excel_bytes",
    "intraday_profile",
    "linear_ramp",
    "plan",
    "problem_from_toml",
    "read_supply_toml",
    "to_excel",
    "weekly_requirement",
    "what_if",
    "what_ifs",
]
