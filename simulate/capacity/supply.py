"""Supply: the people a group has each week, and the levers to get more.

Picture a group of agents on the first Monday of the plan: ``headcount`` people, all fully
productive. Every week a share ``attrition`` of those still there leave. A *hiring class* of
``size`` people starts on a chosen week; it spends ``training_weeks`` in the classroom (paid, not
productive), then works at the learning-curve shares ``ramp`` (e.g. 50 %, 75 %) for a few weeks and
at 100 % afterwards; its members leave at the same weekly rate. A class cannot start before
``time_to_hire`` weeks have passed (the time to advertise, select and clear people), and only on
the weeks a training calendar allows (``class_weeks``). Classes already decided are ``classes``.

Short-term levers: overtime (at most a share ``overtime`` of the productive people's time, paid
``overtime_premium`` times the weekly cost), and borrowed or surge staff (at most ``borrow_max`` FTE,
available from week ``borrow_lead_weeks``, productive at ``borrow_productivity``, paid
``borrow_cost`` per FTE-week). Cross-training lets a share of one group's productive staff work
another group's queue (:func:`cross_training_pairs`).

The arithmetic, with ``P_w = prod_{v<w} (1 - attrition_v)`` (people surviving from week 0 to w):
a class starting in week c has ``size x P_w / P_c`` people in week w >= c, producing
``size x P_w / P_c x productivity(w - c)`` FTE; the starting staff produce ``headcount x P_w``.
Everything is linear in the class sizes, which is what lets :mod:`simulate.capacity.plan` solve it.
Units: people and FTE; weeks are whole numbers counted from the plan's start (week 0).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

__all__ = ["Supply", "linear_ramp", "cross_training_pairs"]


def linear_ramp(first: float, weeks: int) -> tuple[float, ...]:
    """A learning curve from ``first`` (share of full productivity in the first week after training)
    rising in equal steps to 100 %, reached after ``weeks`` weeks: ``linear_ramp(0.5, 4)`` is
    (0.5, 0.625, 0.75, 0.875), then 1.0."""
    if not 0 <= first <= 1:
        raise ValueError(f"ramp first must be a share in [0, 1], got {first!r}")
    if int(weeks) != weeks or weeks < 0:
        raise ValueError(f"ramp weeks must be a whole number >= 0, got {weeks!r}")
    return tuple(float(first + (1.0 - first) * k / weeks) for k in range(int(weeks)))


def _nonneg(name: str, value: Any, *, share: bool = False, below_one: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Supply.{name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0 or (share and v > 1) or (below_one and v >= 1):
        bound = "in [0, 1)" if below_one else ("in [0, 1]" if share else ">= 0")
        raise ValueError(f"Supply.{name} must be {bound}, got {value!r}")
    return v


def _whole(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)) or float(value) != int(value) \
            or int(value) < 0:
        raise ValueError(f"Supply.{name} must be a whole number >= 0, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Supply:
    """The supply side of one group (see the module docstring). Weeks are counted from the plan's start.

    headcount: people at week 0, fully productive (FTE).
    attrition: share of people leaving per week, in [0, 1): one number, or one per plan week.
    training_weeks: weeks a new class spends in training (paid, not productive).
    ramp: productivity shares in the weeks right after training (then 1.0); see :func:`linear_ramp`.
    time_to_hire: weeks from the decision to a class start: no new class starts before this week.
    class_weeks: weeks a class may start: None (any week), an int k (every k-th week from the first
        possible one), or a sequence of week numbers or dates.
    max_class_size / min_class_size: people per class (a class that runs has at least min, at most
        max; None = no upper bound). Class sizes are whole people.
    classes: classes already decided: ``{week or date: size}`` (weeks before 0 allowed: already
        in training or ramping up).
    overtime: overtime cap as a share of the group's productive FTE; overtime_premium: cost of an
        overtime FTE-week relative to ``weekly_cost``.
    borrow_max: borrowed or surge staff available (FTE per week), from week ``borrow_lead_weeks``,
        productive at ``borrow_productivity``; borrow_cost: per FTE-week (None: 1.25 x weekly_cost).
    weekly_cost: paid cost of one FTE for a week (None: the group's scenario ``hourly_cost x
        paid_hours_per_week``; 0 when there is no scenario). hire_cost: one-off cost per person hired.
    productivity: back-office groups only: applications one productive FTE processes per business day.
    """

    headcount: float = 0.0
    attrition: float | tuple[float, ...] = 0.0
    training_weeks: int = 0
    ramp: tuple[float, ...] = ()
    time_to_hire: int = 0
    class_weeks: Any = None
    max_class_size: int | None = None
    min_class_size: int = 0
    classes: Any = field(default=())
    overtime: float = 0.0
    overtime_premium: float = 1.5
    borrow_max: float = 0.0
    borrow_lead_weeks: int = 0
    borrow_productivity: float = 1.0
    borrow_cost: float | None = None
    weekly_cost: float | None = None
    hire_cost: float = 0.0
    productivity: float | None = None

    def __post_init__(self) -> None:
        put = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731 - frozen dataclass setter
        put("headcount", _nonneg("headcount", self.headcount))
        if np.ndim(self.attrition) == 0:
            put("attrition", _nonneg("attrition", self.attrition, below_one=True))
        else:
            rates = cast(Sequence[float], self.attrition)
            put("attrition", tuple(_nonneg(f"attrition[{i}]", a, below_one=True) for i, a in enumerate(rates)))
            if not self.attrition:
                raise ValueError("Supply.attrition must be a number or a non-empty sequence")
        put("training_weeks", _whole("training_weeks", self.training_weeks))
        put("ramp", tuple(_nonneg(f"ramp[{i}]", r, share=True) for i, r in enumerate(self.ramp)))
        put("time_to_hire", _whole("time_to_hire", self.time_to_hire))
        cw = self.class_weeks
        if cw is not None and not (isinstance(cw, (int, np.integer)) and not isinstance(cw, bool)):
            if isinstance(cw, (str, bytes)) or not isinstance(cw, Sequence | np.ndarray | pd.Index):
                raise ValueError(f"Supply.class_weeks must be None, a whole number k (every k weeks) or a sequence "
                                 f"of weeks or dates, got {cw!r}")
            put("class_weeks", tuple(cw))
        elif cw is not None and int(cw) < 1:
            raise ValueError(f"Supply.class_weeks: every k weeks needs k >= 1, got {cw!r}")
        if self.max_class_size is not None:
            put("max_class_size", _whole("max_class_size", self.max_class_size))
        put("min_class_size", _whole("min_class_size", self.min_class_size))
        if self.max_class_size is not None and self.min_class_size > self.max_class_size:
            raise ValueError(f"Supply.min_class_size ({self.min_class_size}) exceeds max_class_size "
                             f"({self.max_class_size})")
        classes = self.classes.items() if isinstance(self.classes, Mapping) else tuple(self.classes)
        fixed = []
        for item in classes:
            try:
                week, size = item
            except (TypeError, ValueError):
                raise ValueError(f"Supply.classes must map a week (or date) to a size, got {item!r}") from None
            fixed.append((week, _nonneg(f"classes[{week!r}]", size)))
        put("classes", tuple(fixed))
        put("overtime", _nonneg("overtime", self.overtime))
        put("overtime_premium", _nonneg("overtime_premium", self.overtime_premium))
        put("borrow_max", _nonneg("borrow_max", self.borrow_max))
        put("borrow_lead_weeks", _whole("borrow_lead_weeks", self.borrow_lead_weeks))
        put("borrow_productivity", _nonneg("borrow_productivity", self.borrow_productivity, share=True))
        if self.borrow_cost is not None:
            put("borrow_cost", _nonneg("borrow_cost", self.borrow_cost))
        if self.weekly_cost is not None:
            put("weekly_cost", _nonneg("weekly_cost", self.weekly_cost))
        put("hire_cost", _nonneg("hire_cost", self.hire_cost))
        if self.productivity is not None:
            put("productivity", _nonneg("productivity", self.productivity))
            if self.productivity <= 0:
                raise ValueError(f"Supply.productivity must be > 0 applications per FTE per business day, "
                                 f"got {self.productivity!r}")

    # ------------------------------------------------------------------ conversions
    def replace(self, **changes: Any) -> Supply:
        """A copy with some fields changed (validated again)."""
        import dataclasses

        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"Supply has no field(s) {sorted(unknown)}")
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Supply:
        """From a plain mapping (a TOML table); unknown keys are refused, naming them."""
        import dataclasses

        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"Supply: unknown field(s) {sorted(unknown)}; known fields are {sorted(known)}")
        d = dict(data)
        if isinstance(d.get("classes"), Mapping):
            d["classes"] = {(int(k) if str(k).lstrip("-").isdigit() else k): v for k, v in d["classes"].items()}
        if isinstance(d.get("ramp"), list):
            d["ramp"] = tuple(d["ramp"])
        if isinstance(d.get("attrition"), list):
            d["attrition"] = tuple(d["attrition"])
        return cls(**d)

    def to_dict(self) -> dict[str, Any]:
        """Plain values (weeks as given; dates as ISO text), for the assumptions sheet and TOML."""
        import dataclasses

        def plain(v: Any) -> Any:
            if isinstance(v, pd.Timestamp):
                return v.date().isoformat()
            if isinstance(v, tuple):
                return [plain(x) for x in v]
            return v

        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "classes":
                v = {str(plain(w)): s for w, s in v}
            out[f.name] = plain(v)
        return out

    # ------------------------------------------------------------------ arithmetic
    def attrition_by_week(self, n_weeks: int) -> np.ndarray:
        """Attrition share per plan week, float64 (n_weeks,)."""
        if isinstance(self.attrition, tuple):
            if len(self.attrition) != n_weeks:
                raise ValueError(f"Supply.attrition has {len(self.attrition)} weekly values but the plan has "
                                 f"{n_weeks} weeks; give one number or one per week")
            return np.asarray(self.attrition, dtype=np.float64)
        return np.full(n_weeks, float(self.attrition))

    def productivity_at(self, age: np.ndarray) -> np.ndarray:
        """Share of full productivity of a class member ``age`` weeks after the class started."""
        age = np.asarray(age)
        t = self.training_weeks
        ramp = np.asarray(self.ramp + (1.0,), dtype=np.float64)
        k = np.clip(age - t, 0, len(ramp) - 1)
        return np.where(age < 0, 0.0, np.where(age < t, 0.0, ramp[k]))

    def survival(self, n_weeks: int) -> np.ndarray:
        """``P_w`` for w = 0..n_weeks: share of week-0 people still there at week w, (n_weeks + 1,)."""
        return np.concatenate([[1.0], np.cumprod(1.0 - self.attrition_by_week(n_weeks))])

    def cohorts(self, starts: np.ndarray, n_weeks: int) -> dict[str, np.ndarray]:
        """Per person hired in a class starting at each week of ``starts`` (may be < 0): arrays
        (n_weeks, len(starts)) of ``people`` (survivors), ``fte`` (survivors x productivity) and
        ``training`` (survivors still in training)."""
        starts = np.asarray(starts, dtype=np.int64)
        P = self.survival(n_weeks)
        a0 = self.attrition_by_week(n_weeks)[0] if n_weeks else 0.0
        w = np.arange(n_weeks)[:, None]
        c = starts[None, :]
        # survivors from week c to w: P_w / P_c; a class started before week 0 had the week-0 rate meanwhile
        before = np.where(c < 0, (1.0 - a0) ** np.maximum(-c, 0), 1.0)
        pc = P[np.clip(c, 0, n_weeks)]
        with np.errstate(divide="ignore", invalid="ignore"):
            people = np.where(w >= c, before * P[:n_weeks, None] / np.where(c >= 0, pc, 1.0), 0.0)
        age = w - c
        return {"people": people, "fte": people * self.productivity_at(age),
                "training": people * ((age >= 0) & (age < self.training_weeks))}


def resolve_week(value: Any, start: pd.Timestamp, what: str) -> int:
    """A week number (int) or a date inside a week, as the week number counted from ``start``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: expected a week number or a date, got {value!r}") from None
    if ts.tz is None and start.tz is not None:
        ts = ts.tz_localize(start.tz)
    return int(math.floor((ts - start).total_seconds() / (7 * 86400.0) + 1e-9))


def allowed_starts(supply: Supply, start: pd.Timestamp, n_weeks: int) -> np.ndarray:
    """Weeks (0..n_weeks-1) on which a new class may start: on the calendar and after time to hire."""
    first = supply.time_to_hire
    if supply.class_weeks is None:
        weeks = np.arange(first, n_weeks)
    elif isinstance(supply.class_weeks, int):
        weeks = np.arange(first, n_weeks, supply.class_weeks)
    else:
        weeks = np.array(sorted({resolve_week(v, start, "Supply.class_weeks") for v in supply.class_weeks}),
                         dtype=np.int64)
        weeks = weeks[(weeks >= first) & (weeks < n_weeks)]
    return weeks.astype(np.int64)


def cross_training_pairs(cross: Any, groups: Sequence[str]) -> dict[tuple[str, str], tuple[float, float]]:
    """Normalise cross-training to ``{(from, to): (share, efficiency)}``.

    cross: None, or a mapping whose keys are ``(from, to)`` pairs or ``"from>to"`` text and whose values
    are a share (at most that share of ``from``'s productive FTE may work ``to``'s queue, at full
    efficiency) or a pair (share, efficiency in (0, 1]). The shares leaving one group sum to at most 1.
    """
    if not cross:
        return {}
    if not isinstance(cross, Mapping):
        raise ValueError(f"cross_training must be a mapping {{(from, to): share}}, got {type(cross).__name__}")
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for key, val in cross.items():
        if isinstance(key, str):
            parts = key.split(">")
            if len(parts) != 2:
                raise ValueError(f"cross_training: key {key!r} must read 'from>to'")
            pair: tuple[str, ...] = (parts[0].strip(), parts[1].strip())
        else:
            pair = tuple(str(k) for k in key)
        if len(pair) != 2 or pair[0] == pair[1]:
            raise ValueError(f"cross_training: key {key!r} must name two different groups")
        for g in pair:
            if g not in groups:
                raise ValueError(f"cross_training: group {g!r} is not in the plan (groups: {list(groups)})")
        share, eff = (val, 1.0) if np.ndim(val) == 0 else tuple(val)
        share, eff = float(share), float(eff)
        if not 0 <= share <= 1 or not 0 < eff <= 1:
            raise ValueError(f"cross_training[{key!r}]: share must be in [0, 1] and efficiency in (0, 1], got {val!r}")
        out[pair] = (share, eff)
    for g in groups:
        total = sum(s for (a, _), (s, _) in out.items() if a == g)
        if total > 1 + 1e-9:
            raise ValueError(f"cross_training: shares leaving {g!r} sum to {total:g} > 1")
    return out
