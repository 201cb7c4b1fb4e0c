"""What-ifs a director asks, each a variation of the same capacity problem, compared side by side.

* ``surge=1.2``: every week's demand (calls, their bands and the back office's applications) 20 % higher
  (a requirement given as FTE per week is scaled as it stands);
* ``earlier_weeks=4``: the demand arrives 4 weeks earlier (the plan's start stays; the last weeks repeat
  the demand's final week);
* ``attrition=2.0``: attrition doubled in every group;
* ``training_weeks_less=2``: every class trains 2 weeks less (never below 0);
* ``automation=0.2``: a status-line automation answers 20 % of the calls: with a back office, 20 % of
  the status calls (the model's ``status_deflection``); without one, 20 % of every demand group's calls.

By default each what-if is *re-planned* (the least-cost answer to the new situation). With
``keep_hires=plan`` the classes of that plan are kept as decided and no new class may start: only
overtime and borrowed staff react, which shows how the plan in hand holds up.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .plan import CapacityPlan, CapacityProblem, plan

__all__ = ["what_if", "what_ifs", "compare", "DEFAULT_WHAT_IFS"]

#: the what-ifs of the issue, as ``{name: what_if keyword arguments}``
DEFAULT_WHAT_IFS: dict[str, dict[str, Any]] = {
    "surge +20%": {"surge": 1.2},
    "surge 4 weeks earlier": {"earlier_weeks": 4},
    "attrition doubled": {"attrition": 2.0},
    "training 2 weeks shorter": {"training_weeks_less": 2},
    "status line automation 20%": {"automation": 0.2},
}
_VALUE_COLUMNS = ("yhat", "calls", "y", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95")


def _scale(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    out = frame.copy()
    for c in _VALUE_COLUMNS:
        if c in out.columns:
            out[c] = pd.to_numeric(out[c], errors="coerce") * factor
    return out


def _shift_earlier(ds: pd.DatetimeIndex, weeks: int) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Row positions and new timestamps of a series moved ``weeks`` weeks earlier over the same span:
    rows fall back by 7 x weeks days (those before the first timestamp drop out) and the final week's
    rows are repeated to fill the end."""
    delta = pd.Timedelta(days=7 * weeks)
    first, last = ds.min(), ds.max()
    moved = ds - delta
    keep = np.flatnonzero(moved >= first)
    tail = np.flatnonzero(ds > last - pd.Timedelta(days=7))
    pos = [keep]
    stamps = [moved[keep]]
    for j in range(1, weeks + 1):
        pos.append(tail)
        stamps.append(ds[tail] - delta + pd.Timedelta(days=7 * j))
    idx = np.concatenate(pos)
    new = stamps[0].append(stamps[1:]) if len(stamps) > 1 else stamps[0]
    return idx, new


def _earlier_frame(frame: pd.DataFrame, weeks: int) -> pd.DataFrame:
    ds = pd.DatetimeIndex(pd.to_datetime(frame["ds"]))
    idx, new = _shift_earlier(ds, weeks)
    out = frame.iloc[idx].copy()
    out["ds"] = new
    return out.sort_values("ds", kind="stable").reset_index(drop=True)


def what_if(problem: CapacityProblem, *, surge: float = 1.0, earlier_weeks: int = 0, attrition: float = 1.0,
            training_weeks_less: int = 0, automation: float = 0.0, keep_hires: CapacityPlan | None = None
            ) -> CapacityProblem:
    """``problem`` changed as a director's what-if (see the module docstring); arguments combine."""
    if not surge > 0:
        raise ValueError(f"surge must be a factor > 0 (1.2 = 20 % more demand), got {surge!r}")
    if int(earlier_weeks) != earlier_weeks or earlier_weeks < 0:
        raise ValueError(f"earlier_weeks must be a whole number of weeks >= 0, got {earlier_weeks!r}")
    if not attrition >= 0:
        raise ValueError(f"attrition must be a factor >= 0 (2 = doubled), got {attrition!r}")
    if int(training_weeks_less) != training_weeks_less or training_weeks_less < 0:
        raise ValueError(f"training_weeks_less must be a whole number of weeks >= 0, got {training_weeks_less!r}")
    if not 0 <= automation <= 1:
        raise ValueError(f"automation must be a share of calls in [0, 1], got {automation!r}")
    changes: dict[str, Any] = {}
    demand = dict(problem.demand)
    bo = problem.backoffice
    if surge != 1.0 or earlier_weeks or (automation and bo is None):
        for g, f in demand.items():
            f = f if "ds" in f.columns else f.rename_axis("ds").reset_index()
            if earlier_weeks:
                f = _earlier_frame(f, int(earlier_weeks))
            factor = surge * (1.0 - automation if bo is None else 1.0)
            demand[g] = _scale(f, factor) if factor != 1.0 else f
        changes["demand"] = demand
    if bo is not None and (surge != 1.0 or earlier_weeks or automation):
        apps = bo.applications
        if earlier_weeks:
            idx, new = _shift_earlier(pd.DatetimeIndex(apps.index), int(earlier_weeks))
            apps = pd.Series(apps.to_numpy()[idx], index=new).sort_index()
        deflection = 1.0 - (1.0 - bo.status_deflection) * (1.0 - automation)
        changes["backoffice"] = bo.replace(applications=apps * surge, status_deflection=deflection)
    if problem.required is not None and (surge != 1.0 or earlier_weeks or (automation and bo is None)):
        req = problem.required
        if earlier_weeks >= req.n_weeks:
            raise ValueError(f"earlier_weeks ({earlier_weeks}) must be less than the plan's {req.n_weeks} weeks")
        table = req.weeks[["group", "week_index", "required_fte", "calls"]].rename(columns={"week_index": "week"})
        if earlier_weeks:
            parts = []
            for _, part in table.groupby("group", sort=False):
                last = part[part["week"] == part["week"].max()]
                moved = part.assign(week=part["week"] - int(earlier_weeks))
                moved = moved[moved["week"] >= 0]
                fill = [last.assign(week=w) for w in range(int(moved["week"].max()) + 1, req.n_weeks)]
                parts += [moved, *fill]
            table = pd.concat(parts, ignore_index=True)
        factor = surge * (1.0 - automation if bo is None else 1.0)
        table["required_fte"] = table["required_fte"] * factor
        table["calls"] = table["calls"] * factor
        from .requirement import Requirement

        changes["required"] = Requirement.from_weeks(table, req.start)
    supply = {}
    for g, s in problem.supply.items():
        new = s
        if attrition != 1.0:
            a = tuple(v * attrition for v in s.attrition) if isinstance(s.attrition, tuple) else s.attrition * attrition
            if np.max(a) >= 1:
                raise ValueError(f"attrition x {attrition:g} makes {g!r} lose everyone in a week (rate >= 1)")
            new = new.replace(attrition=a)
        if training_weeks_less:
            new = new.replace(training_weeks=max(0, s.training_weeks - int(training_weeks_less)))
        if keep_hires is not None:
            kept = keep_hires.classes[keep_hires.classes["group"] == g]
            classes = [(int(w), float(n)) for w, n in zip(kept["week_index"], kept["size"])]
            new = new.replace(classes=classes, class_weeks=())
        supply[g] = new
    changes["supply"] = supply
    return problem.replace(**changes)


def what_ifs(problem: CapacityProblem, cases: Mapping[str, Mapping[str, Any]] | None = None, *,
             base: CapacityPlan | None = None, keep_hires: bool = False, base_name: str = "plan",
             **plan_kwargs: Any) -> dict[str, CapacityPlan]:
    """``{name: plan}``: the base plan first, then one plan per what-if (``DEFAULT_WHAT_IFS`` by default).

    base: the base plan when already solved. keep_hires: keep the base plan's classes in every what-if
    (no new class; overtime and borrowed staff still react) instead of re-planning. ``plan_kwargs`` go
    to :func:`simulate.capacity.plan`. Compare them with :func:`compare`.
    """
    cases = DEFAULT_WHAT_IFS if cases is None else cases
    base = plan(problem, **plan_kwargs) if base is None else base
    out = {base_name: base}
    for name, kw in cases.items():
        if name in out:
            raise ValueError(f"what-if name {name!r} is used twice (or equals base_name)")
        out[name] = plan(what_if(problem, keep_hires=base if keep_hires else None, **dict(kw)), **plan_kwargs)
    return out


def compare(plans: Mapping[str, CapacityPlan]) -> pd.DataFrame:
    """One row per plan, side by side: cost (total and its parts), hires and classes, peak requirement,
    FTE-weeks and weeks short, the first week short, lowest and calls-weighted service level of the
    phone groups, peak backlog and applications past standard, and per group the latest class start
    for the peak and whether it is still in time."""
    rows = []
    for name, p in plans.items():
        s = p.summary
        wk = p.weeks
        with_calls = wk[wk["calls"].notna() & (wk["calls"] > 0) & wk["service_level"].notna()]
        mean_sl = float((with_calls["service_level"] * with_calls["calls"]).sum() / with_calls["calls"].sum()) \
            if len(with_calls) else float("nan")
        row = {"plan": name, "cost": s["cost"], "wage_cost": s["wage_cost"], "hiring_cost": s["hiring_cost"],
               "overtime_cost": s["overtime_cost"], "borrowed_cost": s["borrowed_cost"], "hires": s["hires"],
               "classes": s["classes"], "peak_required": s["peak_required"], "fte_weeks_short": s["fte_weeks_short"],
               "weeks_short": s["weeks_short"], "first_week_short": s["first_week_short"],
               "min_service_level": s["min_service_level"], "mean_service_level": mean_sl,
               "peak_backlog": s["peak_backlog"], "peak_past_standard": s["peak_past_standard"],
               "feasible": s["feasible"]}
        for r in p.latest_start.itertuples():
            row[f"latest_start_{r.group}"] = r.latest_start
            row[f"in_time_{r.group}"] = r.in_time
        rows.append(row)
    return pd.DataFrame(rows)
