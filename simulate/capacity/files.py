"""Capacity plans in and out of files: supply assumptions from TOML, the plan to Excel (in English or
French, through :mod:`simulate.export`).

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

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pandas as pd

from ..scenario import Scenario
from .plan import CapacityPlan
from .supply import Supply

if TYPE_CHECKING:
    from .plan import CapacityProblem

__all__ = ["PlanWithWhatIfs", "excel_bytes", "problem_from_toml", "read_supply_toml", "to_excel"]

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
        raise ValueError(f"{path}: unknown table(s) {sorted(unknown)}; "
                         "expected [plan], [groups.<name>], [cross_training]")
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
                      end: Any = None, **overrides: Any) -> CapacityProblem:
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


@dataclass(frozen=True, eq=False)
class PlanWithWhatIfs:
    """A capacity plan and the what-ifs compared with it, exported together by :mod:`simulate.export`
    (``simulate.export.excel_bytes(PlanWithWhatIfs(plan, compare(plans)), language="fr")``).

    plan: the base plan (its weekly table, classes, latest starts, back office and assumptions).
    what_ifs: the table of :func:`simulate.capacity.compare` (one row per plan; the tool's own plan
        names, ``"plan"`` and those of ``DEFAULT_WHAT_IFS``, are shown in the export's language), or
        None for none.
    """

    plan: CapacityPlan
    what_ifs: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.plan, CapacityPlan):
            raise ValueError(f"PlanWithWhatIfs.plan must be a CapacityPlan, got {type(self.plan).__name__}")
        if self.what_ifs is not None and not isinstance(self.what_ifs, pd.DataFrame):
            raise ValueError("PlanWithWhatIfs.what_ifs must be the DataFrame of simulate.capacity.compare, got "
                             f"{type(self.what_ifs).__name__}")


def excel_bytes(plan: CapacityPlan, *, what_ifs: pd.DataFrame | None = None, language: str = "en") -> bytes:
    """The plan as an .xlsx workbook (bytes) in ``language`` ("en" or "fr"), through
    :func:`simulate.export.excel_bytes` (sheet names, headers with units and words from the message
    catalogue; numbers as numbers with their formats; text escaped and stored as text).

    Sheets: Summary, Weeks (the tidy weekly table), Classes, Latest start, What-ifs (when given: the
    table of :func:`simulate.capacity.compare`), Daily back office (when planned), Assumptions
    (see :mod:`simulate.export.capacity`).
    """
    from simulate import export

    return export.excel_bytes(PlanWithWhatIfs(plan, what_ifs), language=language)


def to_excel(plan: CapacityPlan, target: str | Path | BinaryIO, *, what_ifs: pd.DataFrame | None = None,
             language: str = "en", force: bool = False, inputs: tuple = ()) -> Any:
    """Write :func:`excel_bytes` to a path (atomically; an existing file or an input is refused unless
    ``force``: :func:`forecast.writers.write_output`) or to a binary file object; returns the target."""
    from forecast.writers import write_output

    data = excel_bytes(plan, what_ifs=what_ifs, language=language)
    if isinstance(target, (str, Path)):
        return write_output(Path(target), data, inputs=inputs, force=force)
    target.write(data)
    return target
