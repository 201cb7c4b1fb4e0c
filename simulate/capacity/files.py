"""Capacity plans in and out of files: supply assumptions from TOML, the plan to Excel.

The TOML file of supply assumptions (paths are relative to the file; weeks are counted from the
plan's start, dates are ISO text)::

    [plan]
    start = "2022-01-17"        # optional: first day of week 0
    quantile = 0.8              # planning quantile of the forecast (0.5 = median)
    method = "erlang_a"
    open_hours = ["08:00", "20:00"]   # intraday assumption for daily/weekly forecasts

    [groups.phones]
    scenario = "current.toml"   # the group's policy (targets, handle time, shrinkage, costs)
    headcount = 200
    attrition = 0.003           # share leaving per week
    training_weeks = 4
    ramp = [0.5, 0.75]
    time_to_hire = 3
    max_class_size = 60
    overtime = 0.1
    borrow_max = 50
    borrow_lead_weeks = 2
    hire_cost = 5000

    [cross_training]
    "phones>french" = 0.2       # or [share, efficiency]

Every key of ``[groups.<name>]`` except ``scenario`` is a :class:`~simulate.capacity.Supply` field.
"""
from __future__ import annotations

import io
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pandas as pd

from ..scenario import Scenario
from .plan import CapacityPlan
from .supply import Supply, cross_training_pairs

if TYPE_CHECKING:
    from .plan import CapacityProblem

__all__ = ["read_supply_toml", "problem_from_toml", "to_excel"]

_PLAN_KEYS = {"start", "quantile", "method", "open_hours", "interval", "column", "weekday_shares"}


def read_supply_toml(path: str | Path) -> dict[str, Any]:
    """Read a supply-assumptions TOML file (see the module docstring).

    Returns ``{"supply": {group: Supply}, "scenarios": {group: Scenario}, "cross_training": {...},
    "plan": {start, quantile, method, ...}}``; errors name the file, the table and the key.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"plan", "groups", "cross_training"}
    if unknown:
        raise ValueError(f"{path}: unknown table(s) {sorted(unknown)}; expected [plan], [groups.<name>], [cross_training]")
    groups = data.get("groups")
    if not isinstance(groups, Mapping) or not groups:
        raise ValueError(f"{path}: no [groups.<name>] table; give at least one group's supply")
    supply, scenarios = {}, {}
    for name, table in groups.items():
        if not isinstance(table, Mapping):
            raise ValueError(f"{path}: [groups.{name}] must be a table")
        table = dict(table)
        scen = table.pop("scenario", None)
        if scen is not None:
            spath = (path.parent / str(scen)) if not Path(str(scen)).is_absolute() else Path(str(scen))
            try:
                scenarios[str(name)] = Scenario.load(spath)
            except (OSError, ValueError) as exc:
                raise ValueError(f"{path}: [groups.{name}] scenario {scen!r}: {exc}") from None
        try:
            supply[str(name)] = Supply.from_dict(table)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: [groups.{name}]: {exc}") from None
    settings = dict(data.get("plan", {}))
    bad = set(settings) - _PLAN_KEYS
    if bad:
        raise ValueError(f"{path}: [plan] unknown key(s) {sorted(bad)}; known: {sorted(_PLAN_KEYS)}")
    if "open_hours" in settings:
        settings["open_hours"] = tuple(settings["open_hours"])
    if "weekday_shares" in settings:
        settings["weekday_shares"] = tuple(settings["weekday_shares"])
    cross = {k: (tuple(v) if isinstance(v, list) else v) for k, v in dict(data.get("cross_training", {})).items()}
    return {"supply": supply, "scenarios": scenarios, "cross_training": cross, "plan": settings}


def problem_from_toml(demand: pd.DataFrame, path: str | Path, *, series: str | None = None, start: Any = None,
                      end: Any = None, **overrides: Any) -> "CapacityProblem":
    """A :class:`~simulate.capacity.CapacityProblem` from a demand table and a supply TOML file.

    demand: a forecast (``ds, yhat`` and bands) or a history (``ds, y``), daily, weekly or per interval;
        a ``group`` column (else a ``series`` column) splits it into groups named like the TOML's
        ``[groups.<name>]``. With one group in the table and one in the file, the file's name is used.
    series: keep only this series of a long history (e.g. "callers"). start / end: keep the days from
        ``start`` (also the plan's first day) to ``end`` inclusive.
    overrides: planning choices that win over the file's [plan] table (quantile, method, ...).
    Errors name the file, the group and the column.
    """
    from .plan import CapacityProblem

    cfg = read_supply_toml(path)
    df = demand.copy()
    if series is not None:
        if "series" not in df.columns or series not in set(df["series"].astype(str)):
            found = sorted(set(df["series"].astype(str))) if "series" in df.columns else []
            raise ValueError(f"series {series!r} is not in the demand (series: {found})")
        df = df[df["series"].astype(str) == series].drop(columns="series")
    ds = pd.to_datetime(df["ds"])
    if start is not None:
        df = df[ds >= pd.Timestamp(start)]
        ds = pd.to_datetime(df["ds"])
    if end is not None:
        df = df[ds < pd.Timestamp(end) + pd.Timedelta(days=1)]
    if not len(df):
        raise ValueError(f"demand: no rows between {start} and {end}")
    key = "group" if "group" in df.columns else ("series" if "series" in df.columns else None)
    frames = ({"": df} if key is None else
              {str(g): part.drop(columns=key).reset_index(drop=True) for g, part in df.groupby(key, sort=False)})
    names = list(cfg["supply"])
    if len(frames) == 1 and len(names) == 1:
        frames = {names[0]: next(iter(frames.values()))}
    for g in frames:
        if g not in cfg["supply"]:
            raise ValueError(f"{path}: no [groups.{g}] table for the demand's group {g!r} (file groups: {names})")
        if g not in cfg["scenarios"]:
            raise ValueError(f"{path}: [groups.{g}] needs scenario = \"<policy file>\" (targets, handle time, costs)")
    settings = {**cfg["plan"], **{k: v for k, v in overrides.items() if v is not None}}
    if start is not None:
        settings["start"] = start
    return CapacityProblem(demand=frames, scenarios={g: cfg["scenarios"][g] for g in frames},
                           supply={g: cfg["supply"][g] for g in frames}, cross_training=cfg["cross_training"] or None,
                           **settings)


def assumptions(plan: CapacityPlan) -> pd.DataFrame:
    """Every input of the plan as rows ``section, item, value``: planning choices, each group's supply
    and policy, the back office, cross-training, solver notes."""
    p = plan.problem
    s = plan.summary
    rows: list[tuple[str, str, Any]] = [
        ("plan", "start", str(pd.Timestamp(s["start"]).date())), ("plan", "weeks", s["weeks"]),
        ("plan", "quantile", p.quantile), ("plan", "method", p.method), ("plan", "column", p.column),
        ("plan", "intraday assumption", "given profile" if p.profile is not None
         else "flat over {}-{}".format(*p.open_hours)),
        ("plan", "interval", str(p.interval)),
        ("solver", "status", s["status"]), ("solver", "optimal", s["optimal"]), ("solver", "solves", s["solves"]),
        ("solver", "rounds (back-office link)", s["rounds"]), ("solver", "link residual (FTE)", s["link_residual_fte"]),
        ("solver", "solve time (s)", s["solve_time_s"]),
    ]
    rows += [("notes", f"note {i + 1}", n) for i, n in enumerate(s["notes"])]
    for g, sup in p.supply.items():
        for k, v in sup.to_dict().items():
            rows.append((f"supply: {g}", k, v if not isinstance(v, (list, dict)) else str(v)))
    for g, sc in p.scenarios.items():
        for k, v in sc.to_dict().items():
            if k in ("agents", "call_types"):
                continue
            rows.append((f"policy: {g}", k, v))
    if p.backoffice is not None:
        bo = p.backoffice
        m = bo.model
        rows += [("back office", "processing group", bo.group), ("back office", "phone group", bo.phone_group),
                 ("back office", "status deflection", bo.status_deflection),
                 ("back office", "standard (business days)", m.standard_days),
                 ("back office", "model history ends", str(pd.Timestamp(m.end_).date())),
                 ("back office", "applications in plan", float(bo.applications.sum()))]
        rows += [("back office", f"coefficient {k}", v) for k, v in m.coef_.items()]
    for (a, b), (share, eff) in cross_training_pairs(p.cross_training, p.groups).items():
        rows.append(("cross-training", f"{a}>{b}", f"share {share:g}, efficiency {eff:g}"))
    return pd.DataFrame(rows, columns=["section", "item", "value"]).astype({"value": object})


def excel_bytes(plan: CapacityPlan, *, what_ifs: pd.DataFrame | None = None) -> bytes:
    """The plan as an .xlsx workbook (bytes), through :func:`forecast.writers.excel_bytes` (text cells
    escaped and stored as text, numbers as numbers).

    Sheets: Summary, Weeks (the tidy weekly table), Classes, Latest start, What-ifs (when given: the
    table of :func:`simulate.capacity.compare`), Daily back office (when planned), Assumptions.
    """
    from forecast.writers import excel_bytes as _excel

    summary = pd.DataFrame([(k, v if not isinstance(v, (list, tuple)) else "; ".join(map(str, v)))
                            for k, v in plan.summary.items()], columns=["item", "value"]).astype({"value": object})
    sheets = {"Summary": summary, "Weeks": plan.weeks, "Classes": plan.classes, "Latest start": plan.latest_start}
    if what_ifs is not None:
        sheets["What-ifs"] = what_ifs
    if plan.daily is not None:
        sheets["Daily back office"] = plan.daily
    sheets["Assumptions"] = assumptions(plan)
    return _excel(sheets)


def to_excel(plan: CapacityPlan, target: str | Path | BinaryIO, *, what_ifs: pd.DataFrame | None = None,
             force: bool = False, inputs: tuple = ()) -> Any:
    """Write :func:`excel_bytes` to a path (atomically; an existing file or an input is refused unless
    ``force``: :func:`forecast.writers.write_output`) or to a binary file object; returns the target."""
    from forecast.writers import write_output

    data = excel_bytes(plan, what_ifs=what_ifs)
    if isinstance(target, (str, Path)):
        return write_output(Path(target), data, inputs=inputs, force=force)
    target.write(data)
    return target
