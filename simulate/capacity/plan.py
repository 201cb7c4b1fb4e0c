"""The least-cost hiring plan: classes, overtime and borrowed staff against the weekly requirement.

:func:`plan` solves one mixed-integer program with HiGHS (:func:`scipy.optimize.milp`, as
:mod:`simulate.schedule` does). For each group g and week w::

    available[g, w] = staff FTE (starting headcount and every class, after attrition, training and
                      the learning curve)  +  overtime  +  borrowed x productivity
                      +  cross-trained FTE coming in x efficiency  -  cross-trained FTE going out
    available[g, w] + short[g, w] >= required[g, w]
    overtime[g, w] <= overtime share x staff FTE;  borrowed[g, w] <= borrow_max from its lead time on

    minimise  sum over classes (hire cost + weekly cost x the weeks its people are paid, training
              included) + overtime cost + borrowed cost

Class sizes are whole people (integers), on the weeks the group allows; everything else is
continuous. The back office, when there is one, adds its linear queue (see
:mod:`simulate.capacity.backoffice`): the processing group has no weekly requirement of its own but
must keep applications within the processing standard (``late = 0``), and the phones' requirement
grows with the status calls the late applications cause.

When the requirement cannot be met (too little time to hire and train, class sizes capped...), the
plan with the **smallest shortfall** is returned, and among those the cheapest: a first solve asks
for no shortfall at all; if HiGHS proves that impossible, a second minimises the shortfall
(FTE-weeks short, plus late applications counted as the FTE-weeks of work they represent), and a
third the cost with the shortfall held at that minimum. The weekly table says which weeks are short
and by how much.
"""
from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from ..scenario import Scenario
from . import backoffice as bo_mod
from .backoffice import Backoffice
from .requirement import DEFAULT_OPEN_HOURS, DEFAULT_WEEKDAY_SHARES, Requirement, weekly_requirement
from .supply import Supply, allowed_starts, cross_training_pairs, resolve_week

__all__ = ["CapacityProblem", "CapacityPlan", "plan", "WEEK_COLUMNS"]

#: columns of :attr:`CapacityPlan.weeks`, in order
WEEK_COLUMNS = ("group", "week_index", "week", "required", "available", "headcount", "productive", "in_training",
                "hires", "attrition", "overtime", "borrowed", "cross_in", "cross_out", "shortfall", "cost", "calls",
                "backlog", "past_standard", "status_calls", "service_level")
#: the peak of a requirement is its first week within this share of the highest week
PEAK_TOLERANCE = 0.02
_TIE = 1e-6  # tie-breaking cost per person-week or FTE-week: with no costs given, fewer and later hires win
_SHORT_TOL = 1e-6


# ============================================================================================ problem
@dataclass(frozen=True, eq=False)
class CapacityProblem:
    """Everything a capacity plan depends on: demand, policy, supply, back office, planning choices.

    demand: ``{group: forecast frame}`` (``ds``, ``yhat`` or ``calls``, bands, optional ``aht_s``; rows
        every 5-60 minutes, daily or weekly): see :func:`simulate.capacity.weekly_requirement`.
    required: instead of demand, the required paid FTE per week given directly: a table ``week``,
        ``required_fte`` (and ``group``), see :meth:`Requirement.from_weeks`, or a :class:`Requirement`.
    scenarios: ``{group: Scenario}`` for every group with calls (the back office's phone group too):
        targets, handle time, patience, shrinkage, paid hours, hourly cost.
    supply: ``{group: Supply}`` for every group of the plan.
    backoffice: optional :class:`Backoffice` (processing group + the phone group its calls go to).
    cross_training: ``{(from, to) or "from>to": share or (share, efficiency)}``.
    quantile, method, start, profile, open_hours, weekday_shares, interval, column: as in
        :func:`simulate.capacity.weekly_requirement`.
    """

    demand: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    required: Any = None
    scenarios: Mapping[str, Scenario] = field(default_factory=dict)
    supply: Mapping[str, Supply] = field(default_factory=dict)
    backoffice: Backoffice | None = None
    cross_training: Any = None
    quantile: float = 0.5
    method: str = "erlang_a"
    start: Any = None
    profile: Any = None
    open_hours: tuple[str, str] = DEFAULT_OPEN_HOURS
    weekday_shares: tuple[float, ...] = DEFAULT_WEEKDAY_SHARES
    interval: Any = "30min"
    column: str = "agents"

    def __post_init__(self) -> None:
        object.__setattr__(self, "demand", {str(k): v for k, v in dict(self.demand).items()})
        object.__setattr__(self, "scenarios", {str(k): v for k, v in dict(self.scenarios).items()})
        object.__setattr__(self, "supply", {str(k): v for k, v in dict(self.supply).items()})
        if self.required is not None:
            if self.demand:
                raise ValueError("give either demand (forecast frames) or required (FTE per week), not both")
            req = self.required if isinstance(self.required, Requirement) else \
                Requirement.from_weeks(self.required, self.start)
            object.__setattr__(self, "required", req)
        for g, s in self.supply.items():
            if not isinstance(s, Supply):
                raise ValueError(f"supply[{g!r}] must be a Supply, got {type(s).__name__}")
        for g, sc in self.scenarios.items():
            if not isinstance(sc, Scenario):
                raise ValueError(f"scenarios[{g!r}] must be a Scenario, got {type(sc).__name__}")
        groups = self.groups
        if not groups:
            raise ValueError("a capacity plan needs at least one group (demand or a back office)")
        for g in groups:
            if g not in self.supply:
                raise ValueError(f"supply: no Supply for group {g!r} (groups: {groups})")
        extra = sorted(set(self.supply) - set(groups))
        if extra:
            raise ValueError(f"supply: groups {extra} have no demand and are not the back office's "
                             f"(groups: {groups})")
        for g in self.demand:  # a given requirement needs no policy (its groups have no service level)
            if g not in self.scenarios:
                raise ValueError(f"scenarios: no Scenario for group {g!r}")
        bo = self.backoffice
        if bo is not None:
            given = list(self.demand) if self.required is None else list(self.required.groups)
            if bo.phone_group in given:
                raise ValueError(f"demand: the calls of {bo.phone_group!r} come from the back office's model; "
                                 "leave it out of demand (or name another phone_group)")
            if bo.group in given:
                raise ValueError(f"demand: {bo.group!r} is the processing group; it has applications, not calls")
            if bo.phone_group not in self.scenarios:
                raise ValueError(f"scenarios: no Scenario for the back office's phone group {bo.phone_group!r}")
            if self.supply[bo.group].productivity is None:
                raise ValueError(f"supply[{bo.group!r}].productivity: give the applications one productive FTE "
                                 "processes per business day")
        cross_training_pairs(self.cross_training, groups)
        object.__setattr__(self, "_cache", {})

    @property
    def groups(self) -> list[str]:
        """Every group of the plan: demand groups, then the back office's phone and processing groups."""
        out = list(self.demand) if self.required is None else list(self.required.groups)
        if self.backoffice is not None:
            out += [g for g in (self.backoffice.phone_group, self.backoffice.group) if g not in out]
        return out

    def replace(self, **changes: Any) -> CapacityProblem:
        """A copy with some fields changed; the demand requirement is reused when nothing it depends on changed."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"CapacityProblem has no field(s) {sorted(unknown)}")
        new = dataclasses.replace(self, **changes)
        if not set(changes) & _REQUIREMENT_FIELDS and "requirement" in self._cache:  # type: ignore[attr-defined]
            new._cache["requirement"] = self._cache["requirement"]  # type: ignore[attr-defined]
        return new

    def plan_start(self) -> pd.Timestamp:
        """First day of week 0: ``start``, else the day after the back office's history, else the first demand day."""
        if self.required is not None:
            return self.required.start
        if self.start is not None:
            ts = pd.Timestamp(self.start)
            if ts != ts.normalize():
                raise ValueError(f"start must be a day (midnight), got {ts}")
            return ts
        if self.backoffice is not None:
            return self.backoffice.default_start
        firsts = [pd.Timestamp(pd.to_datetime(f["ds"] if "ds" in f.columns else f.index).min()).normalize()
                  for f in self.demand.values()]
        return min(firsts)

    def requirement(self) -> Requirement | None:
        """The weekly requirement of the demand groups (cached; None when every call comes from the back office)."""
        if self.required is not None:
            return self.required
        cache = self._cache  # type: ignore[attr-defined]
        if "requirement" not in cache:
            cache["requirement"] = None if not self.demand else weekly_requirement(
                self.demand, {g: self.scenarios[g] for g in self.demand}, quantile=self.quantile, method=self.method,
                start=self.plan_start(), profile=self.profile, open_hours=self.open_hours,
                weekday_shares=self.weekday_shares, interval=self.interval, column=self.column)
        return cache["requirement"]

    def phone_requirement(self, calls: pd.DataFrame, n_weeks: int) -> Requirement:
        """The back office's phone group requirement for a daily calls frame (same planning choices)."""
        g = self.backoffice.phone_group  # type: ignore[union-attr]
        req = weekly_requirement({g: calls}, {g: self.scenarios[g]}, quantile=self.quantile, method=self.method,
                                 start=self.plan_start(), profile=self.profile, open_hours=self.open_hours,
                                 weekday_shares=self.weekday_shares, interval=self.interval, column=self.column)
        if req.n_weeks != n_weeks:
            raise ValueError(f"back office: the calls cover {req.n_weeks} weeks, the plan {n_weeks}")
        return req


_REQUIREMENT_FIELDS = {"demand", "required", "scenarios", "quantile", "method", "start", "profile", "open_hours",
                       "weekday_shares", "interval", "column"}


# ============================================================================================ result
@dataclass(frozen=True, eq=False)
class CapacityPlan:
    """A capacity plan and how well it meets the requirement.

    weeks: tidy frame, one row per group and week (columns :data:`WEEK_COLUMNS`): ``required`` and
        ``available`` (FTE; for the processing group, the FTE this week needs to leave no application
        past standard at its end, given what earlier weeks processed), ``headcount`` (people on staff
        at the week's start, trainees included), ``productive`` (their FTE after training and learning curve),
        ``in_training``,
        ``hires`` (people starting a class that week), ``attrition`` (people leaving during the week),
        ``overtime``/``borrowed`` (FTE), ``cross_in``/``cross_out`` (FTE lent between groups; in
        counts the efficiency), ``shortfall`` (FTE short; processing: late applications as FTE-weeks
        of work), ``cost`` (wages of everyone on staff + overtime + borrowed + hiring), ``calls``
        (expected calls of the week), ``backlog``/``past_standard`` (applications at the week's end)
        and ``status_calls`` (back office only, else NaN), ``service_level`` (expected, at the
        available FTE; NaN for the processing group and weeks without calls).
    classes: one row per hiring class: group, week_index, week, size, committed (decided before),
        productive_from (first week out of training), full_from (first week at full productivity).
    latest_start: one row per group: the peak week of the requirement, the latest week a class can
        start and be productive at the peak (and fully productive), and the decision deadline
        (``time_to_hire`` earlier); ``in_time`` is False when the deadline is before week 0.
    summary: totals (cost and its parts, hires, FTE-weeks short, weeks short, peaks), solver status.
    daily: the back office's daily projection under the plan (:meth:`forecast.BacklogModel.project`),
        or None.
    problem: the :class:`CapacityProblem` solved.
    """

    weeks: pd.DataFrame
    classes: pd.DataFrame
    latest_start: pd.DataFrame
    summary: dict[str, Any]
    problem: CapacityProblem
    daily: pd.DataFrame | None = None

    @property
    def short(self) -> pd.DataFrame:
        """Rows of :attr:`weeks` with a shortfall; empty when the plan meets every week."""
        return self.weeks[self.weeks["shortfall"] > 1e-6]

    def group(self, name: str) -> pd.DataFrame:
        """The weekly rows of one group."""
        return self.weeks[self.weeks["group"] == name].reset_index(drop=True)


# ============================================================================================ context
@dataclass
class _Group:
    name: str
    supply: Supply
    scenario: Scenario | None
    starts: np.ndarray          # allowed class-start weeks (decision variables)
    coh: dict[str, np.ndarray]  # per person of a class at each start: people / fte / training (W, K)
    base: dict[str, np.ndarray]  # starting staff + committed classes: people / fte / training (W,)
    committed: list[tuple[int, float]]
    wage: float
    ot_cost: float
    borrow_cost: float
    attrition: np.ndarray


@dataclass
class _Context:
    problem: CapacityProblem
    start: pd.Timestamp
    n_weeks: int
    groups: list[str]
    info: dict[str, _Group]
    required: dict[str, np.ndarray]
    req: Requirement | None
    cross: dict[tuple[str, str], tuple[float, float]]
    queue: Any = None           # bo_mod.WeeklyQueue
    prod_w: np.ndarray | None = None   # applications per productive FTE per week
    base_phone: np.ndarray | None = None  # phones' requirement without status calls (FTE)
    slope: np.ndarray | None = None     # phones' FTE per weekly call
    notes: list[str] = field(default_factory=list)
    exact: dict[bytes, Any] = field(default_factory=dict)  # back office: processing FTE -> exact evaluation


def _context(problem: CapacityProblem) -> _Context:
    start = problem.plan_start()
    req = problem.requirement()
    notes = list(req.notes) if req is not None else []
    n_weeks = req.n_weeks if req is not None else 0
    bo = problem.backoffice
    if bo is not None and req is None:
        last = bo.applications.index.max()
        n_weeks = int(math.floor(((last - start).days + 1) / 7))
        if n_weeks < 1:
            raise ValueError(f"Backoffice.applications end {last.date()}, less than a week after the plan start "
                             f"{start.date()}")
        dropped = (last - start).days + 1 - 7 * n_weeks
        if dropped:
            notes.append(f"back office: the last {dropped} day(s) of applications do not fill a week and are left "
                         "out of the plan")
    groups = problem.groups
    required = {g: req.fte(g) for g in req.groups} if req is not None else {}
    info = {}
    for g in groups:
        s = problem.supply[g]
        sc = problem.scenarios.get(g)
        wage = s.weekly_cost if s.weekly_cost is not None else (
            sc.hourly_cost * sc.paid_hours_per_week if sc is not None else 0.0)
        starts = allowed_starts(s, start, n_weeks)
        committed = [(resolve_week(w, start, f"supply[{g!r}].classes"), float(n)) for w, n in s.classes]
        late = [w for w, _ in committed if w >= n_weeks]
        if late:
            notes.append(f"{g}: committed classes starting after the plan's {n_weeks} weeks are left out "
                         f"(weeks {late})")
        committed = [(w, n) for w, n in committed if w < n_weeks]
        coh = s.cohorts(starts, n_weeks)
        base_people = s.headcount * s.survival(n_weeks)[:n_weeks]
        base = {"people": base_people.copy(), "fte": base_people.copy(), "training": np.zeros(n_weeks)}
        if committed:
            cc = s.cohorts(np.array([w for w, _ in committed]), n_weeks)
            sizes = np.array([n for _, n in committed])
            for k in base:
                base[k] = base[k] + cc[k] @ sizes
        info[g] = _Group(name=g, supply=s, scenario=sc, starts=starts, coh=coh, base=base, committed=committed,
                         wage=float(wage), ot_cost=float(wage * s.overtime_premium),
                         borrow_cost=float(s.borrow_cost if s.borrow_cost is not None else 1.25 * wage),
                         attrition=s.attrition_by_week(n_weeks))
    ctx = _Context(problem=problem, start=start, n_weeks=n_weeks, groups=groups, info=info, required=required,
                   req=req, cross=cross_training_pairs(problem.cross_training, groups), notes=notes)
    if bo is not None:
        q = bo_mod.weekly_queue(bo, start, n_weeks)
        ctx.queue = q
        ctx.prod_w = problem.supply[bo.group].productivity * q.bdays
        # the phones without status calls: processing with no limit leaves nothing past standard
        ample = np.full(n_weeks, 1e12)
        base_proj = bo_mod.project(bo, q, ample, 1.0)
        base_req = problem.phone_requirement(bo_mod.calls_frame(base_proj, without_status=True), n_weeks)
        ctx.base_phone = base_req.fte(bo.phone_group)
        calls_w = base_req.column_by_week(bo.phone_group, "calls_planned")
        avg = ctx.base_phone.sum() / max(calls_w.sum(), 1e-9)
        with np.errstate(divide="ignore", invalid="ignore"):
            ctx.slope = np.where(calls_w > 0, ctx.base_phone / np.where(calls_w > 0, calls_w, 1.0), avg)
        ctx.required[bo.phone_group] = ctx.base_phone.copy()
        ctx.required[bo.group] = bo_mod.minimal_processing(q) / np.where(ctx.prod_w > 0, ctx.prod_w, np.inf)
    return ctx


# ============================================================================================ MILP
class _Model:
    """Columns and sparse rows of a mixed-integer program, added in blocks."""

    def __init__(self) -> None:
        self.cost: list[np.ndarray] = []
        self.lb: list[np.ndarray] = []
        self.ub: list[np.ndarray] = []
        self.integer: list[np.ndarray] = []
        self.n = 0
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.rlb: list[float] = []
        self.rub: list[float] = []

    def var(self, n: int, cost: Any = 0.0, lb: Any = 0.0, ub: Any = np.inf, integer: bool = False) -> np.ndarray:
        idx = np.arange(self.n, self.n + n)
        self.n += n
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (n,)).copy())
        self.lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (n,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n,)).copy())
        self.integer.append(np.full(n, 1 if integer else 0))
        return idx

    def row(self, cols: Any, vals: Any, lb: float, ub: float) -> None:
        cols = np.asarray(cols, dtype=np.int64)
        vals = np.asarray(vals, dtype=float)
        keep = vals != 0
        k = len(self.rlb)
        self.r.append(np.full(int(keep.sum()), k))
        self.c.append(cols[keep])
        self.v.append(vals[keep])
        self.rlb.append(float(lb))
        self.rub.append(float(ub))

    def matrix(self) -> sparse.csr_matrix:
        if not self.rlb:
            return sparse.csr_matrix((0, self.n))
        return sparse.csr_matrix((np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))),
                                 shape=(len(self.rlb), self.n))


@dataclass
class _Solution:
    x: dict[str, np.ndarray]
    o: dict[str, np.ndarray]
    b: dict[str, np.ndarray]
    y: dict[tuple[str, str], np.ndarray]
    p: np.ndarray | None
    late: np.ndarray | None
    status_lin: np.ndarray | None
    objective: float
    bound: float
    status: str
    optimal: bool
    feasible: bool
    solve_time_s: float
    phases: int


def _solve(ctx: _Context, correction: np.ndarray, time_limit: float, mip_gap: float) -> _Solution:
    W = ctx.n_weeks
    m = _Model()
    bo = ctx.problem.backoffice
    X, Z, OT, B, U, Y = {}, {}, {}, {}, {}, {}
    short_weight: list[tuple[np.ndarray, np.ndarray]] = []
    for g in ctx.groups:
        gi = ctx.info[g]
        s = gi.supply
        people_weeks = gi.coh["people"].sum(axis=0)
        K = len(gi.starts)
        ub_class = s.max_class_size if s.max_class_size is not None else np.inf
        X[g] = m.var(K, cost=s.hire_cost + (gi.wage + _TIE) * people_weeks, ub=ub_class)
        if K:
            # Whole people through the cumulative hires Y_k = x_0 + ... + x_k (integer): branching on a
            # running total splits the plans far more evenly than branching on one class, and x = dY
            # is then whole too.
            Ycum = m.var(K, integer=True)
            for k in range(K):
                m.row(np.r_[X[g][k], Ycum[k], Ycum[k - 1:k]], np.r_[1.0, -1.0, np.ones(min(k, 1))], 0.0, 0.0)
        if s.min_class_size > 0 and K:
            big = s.max_class_size if s.max_class_size is not None else \
                float(math.ceil(max(ctx.required.get(g, np.zeros(1)).max(initial=0.0), 1.0) * 2 + s.min_class_size))
            Z[g] = m.var(K, ub=1.0, integer=True)
            for k in range(K):
                m.row([X[g][k], Z[g][k]], [1.0, -big], -np.inf, 0.0)
                m.row([X[g][k], Z[g][k]], [1.0, -float(s.min_class_size)], 0.0, np.inf)
        if s.overtime > 0:
            OT[g] = m.var(W, cost=gi.ot_cost + _TIE)
        if s.borrow_max > 0:
            ub = np.where(np.arange(W) >= s.borrow_lead_weeks, s.borrow_max, 0.0)
            B[g] = m.var(W, cost=gi.borrow_cost + _TIE, ub=ub)
    for pair in ctx.cross:
        Y[pair] = m.var(W, cost=_TIE * (1 + ctx.info[pair[0]].wage))

    # Staff FTE from the classes, kept sparse: the classes at full productivity (age >= training + ramp)
    # are one stock M_w = (1 - a_{w-1}) M_{w-1} + survivors of the class maturing in week w, so a week's
    # FTE is M_w plus the few classes still in training or on the learning curve.
    M, recent = {}, {}
    for g in ctx.groups:
        gi = ctx.info[g]
        s = gi.supply
        if not len(gi.starts):
            continue
        mature = s.training_weeks + len(s.ramp)
        surv = s.survival(W)
        M[g] = m.var(W)
        pos = {int(c): k for k, c in enumerate(gi.starts)}
        for w in range(W):
            cols: list[Any] = [M[g][w]]
            vals: list[Any] = [1.0]
            if w > 0:
                cols.append(M[g][w - 1])
                vals.append(-(1.0 - gi.attrition[w - 1]))
            c = w - mature
            if c in pos:
                cols.append(X[g][pos[c]])
                vals.append(-surv[w] / surv[c])
            m.row(np.array(cols), np.array(vals), 0.0, 0.0)
        lo = np.searchsorted(gi.starts, np.arange(W) - mature, side="right")
        hi = np.searchsorted(gi.starts, np.arange(W), side="right")
        recent[g] = [(X[g][lo[w]:hi[w]], gi.coh["fte"][w, lo[w]:hi[w]]) for w in range(W)]

    def fte_terms(g: str, w: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Columns and coefficients of the FTE the group's classes give in week w."""
        if g not in M:
            return [], []
        cols, vals = recent[g][w]
        return [M[g][w:w + 1], cols], [np.ones(1), vals]

    def capacity_terms(g: str, w: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        cols, vals = fte_terms(g, w)
        gi = ctx.info[g]
        if g in OT:
            cols.append(OT[g][w:w + 1])
            vals.append(np.ones(1))
        if g in B:
            cols.append(B[g][w:w + 1])
            vals.append(np.array([gi.supply.borrow_productivity]))
        for (a, h), (_, eff) in ctx.cross.items():
            if h == g:
                cols.append(Y[(a, h)][w:w + 1])
                vals.append(np.array([eff]))
            if a == g:
                cols.append(Y[(a, h)][w:w + 1])
                vals.append(np.array([-1.0]))
        return cols, vals

    proc = bo.group if bo is not None else None
    P: np.ndarray | None = None
    L: np.ndarray | None = None
    q = ctx.queue
    S: np.ndarray | None = None  # cumulative processed applications
    if bo is not None:
        assert proc is not None and ctx.prod_w is not None  # _context sets them with a back office
        P = m.var(W)
        L = m.var(W)
        cumA = np.cumsum(q.A)
        S = m.var(W, ub=q.B_start + cumA)  # nothing is processed before it arrives
        prod_w = ctx.prod_w
        weight = 1.0 / np.where(prod_w > 0, prod_w, max(prod_w.mean(), 1e-9))
        short_weight.append((L, weight))
        for w in range(W):
            cols, vals = capacity_terms(proc, w)
            m.row(np.concatenate([P[w:w + 1], *cols]), np.concatenate([[1.0], *(-prod_w[w] * v for v in vals)]),
                  -np.inf, prod_w[w] * ctx.info[proc].base["fte"][w])
            m.row(np.r_[S[w], P[w], S[w - 1:w]], np.r_[1.0, -1.0, -np.ones(min(w, 1))], 0.0, 0.0)
            m.row(np.r_[L[w], S[w]], np.ones(2), q.D[w], np.inf)
    for g in ctx.groups:
        gi = ctx.info[g]
        s = gi.supply
        base_fte = gi.base["fte"]
        for w in range(W):
            f_cols, f_vals = fte_terms(g, w)
            if g in OT:
                m.row(np.concatenate([OT[g][w:w + 1], *f_cols]),
                      np.concatenate([[1.0], *(-s.overtime * v for v in f_vals)]), -np.inf, s.overtime * base_fte[w])
            for (a, h), (share, _) in ctx.cross.items():
                if a == g:
                    m.row(np.concatenate([Y[(a, h)][w:w + 1], *f_cols]),
                          np.concatenate([[1.0], *(-share * v for v in f_vals)]), -np.inf, share * base_fte[w])
        if g == proc:
            continue
        U[g] = m.var(W)
        short_weight.append((U[g], np.ones(W)))
        need = ctx.required[g] + (correction if bo is not None and g == bo.phone_group else 0.0)
        for w in range(W):
            cols, vals = capacity_terms(g, w)
            cols, vals = cols + [U[g][w:w + 1]], vals + [np.ones(1)]
            rhs = need[w] - base_fte[w]
            if bo is not None and g == bo.phone_group:
                assert ctx.slope is not None and L is not None and S is not None  # set with a back office
                # status calls of week w = b m_w (L_{w-1} + L_w)/2 + g m_w (B_{w-1} + B_w)/2, times FTE per call
                k_past = ctx.slope[w] * q.b_past * q.m[w] / 2.0
                k_back = ctx.slope[w] * q.b_backlog * q.m[w] / 2.0
                if k_past:
                    cols.append(L[w:w + 1])
                    vals.append(np.array([-k_past]))
                    if w > 0:
                        cols.append(L[w - 1:w])
                        vals.append(np.array([-k_past]))
                    else:
                        rhs += k_past * q.L_start
                if k_back:
                    # B_w = B_start + cumA_w - S_w (S: cumulative processed)
                    cumA = np.cumsum(q.A)
                    b_prev = q.B_start + (cumA[w - 1] if w > 0 else 0.0)
                    rhs += k_back * (b_prev + q.B_start + cumA[w])
                    cols.append(S[max(w - 1, 0):w + 1])
                    vals.append(np.full(min(w, 1) + 1, k_back))
            m.row(np.concatenate(cols), np.concatenate(vals), rhs, np.inf)

    # The cost nothing can change (the starting staff's wages, classes already decided) enters as a
    # variable fixed at 1, so HiGHS's relative gap is a share of the plan's whole cost.
    fixed = sum(ctx.info[g].wage * ctx.info[g].base["people"].sum()
                + ctx.info[g].supply.hire_cost * sum(n for w, n in ctx.info[g].committed if 0 <= w < W)
                for g in ctx.groups)
    m.var(1, cost=fixed, lb=1.0, ub=1.0)
    A = m.matrix()
    cost = np.concatenate(m.cost)
    lb, ub = np.concatenate(m.lb), np.concatenate(m.ub)
    integrality = np.concatenate(m.integer)
    short_idx = np.concatenate([i for i, _ in short_weight]) if short_weight else np.zeros(0, dtype=np.int64)
    short_w = np.concatenate([w for _, w in short_weight]) if short_weight else np.zeros(0)
    options = {"time_limit": float(time_limit), "mip_rel_gap": float(mip_gap), "disp": False}
    cons = [optimize.LinearConstraint(A, np.array(m.rlb), np.array(m.rub))] if A.shape[0] else []
    t0 = time.perf_counter()
    phases = 1
    first_phase = None
    strict_ub = ub.copy()
    strict_ub[short_idx] = 0.0
    res = optimize.milp(cost, integrality=integrality, bounds=optimize.Bounds(lb, strict_ub), constraints=cons,
                        options=options)
    feasible = res.x is not None and res.status in (0, 1)
    if res.x is None:
        if res.status not in (1, 2):
            raise RuntimeError(f"capacity plan: HiGHS failed ({res.message})")
        # smallest shortfall first, then the cheapest plan with that shortfall
        phases = 3
        sc = np.zeros_like(cost)
        sc[short_idx] = short_w
        first = optimize.milp(sc, integrality=integrality, bounds=optimize.Bounds(lb, ub), constraints=cons,
                              options=options)
        if first.x is None:
            raise RuntimeError(f"capacity plan: HiGHS found no plan within {time_limit} s ({first.message})")
        first_phase = first
        least = float(first.fun)
        row = sparse.csr_matrix((short_w, (np.zeros(len(short_idx), dtype=np.int64), short_idx)), shape=(1, len(cost)))
        cap = optimize.LinearConstraint(row, -np.inf, least * (1 + 1e-9) + 1e-9)
        res = optimize.milp(cost, integrality=integrality, bounds=optimize.Bounds(lb, ub), constraints=cons + [cap],
                            options=options)
        if res.x is None:  # time limit inside the third phase: keep the least-shortfall plan
            res = first
        status = "requirement not met in every week: least shortfall, then least cost"
    else:
        status = "every week met at least cost"
    solve_s = time.perf_counter() - t0
    optimal = res.status == 0
    bound = getattr(res, "mip_dual_bound", None)
    bound = float("nan") if bound is None or res is first_phase else bound
    if not optimal:
        status += f" (time limit reached: {res.message})"
    xv = res.x
    sol = _Solution(
        x={g: np.rint(xv[X[g]]) for g in ctx.groups},
        o={g: np.maximum(xv[OT[g]], 0.0) if g in OT else np.zeros(W) for g in ctx.groups},
        b={g: np.maximum(xv[B[g]], 0.0) if g in B else np.zeros(W) for g in ctx.groups},
        y={pair: np.maximum(xv[Y[pair]], 0.0) for pair in ctx.cross},
        p=xv[P] if P is not None else None, late=np.maximum(xv[L], 0.0) if L is not None else None,
        status_lin=None, objective=float(res.fun), bound=float(bound), status=status, optimal=optimal,
        feasible=feasible,
        solve_time_s=solve_s, phases=phases)
    if bo is not None:
        assert sol.late is not None and sol.p is not None  # solved with a back office
        late_prev = np.concatenate([[q.L_start], sol.late[:-1]])
        backlog = q.B_start + np.cumsum(q.A) - np.cumsum(sol.p)
        backlog_prev = np.concatenate([[q.B_start], backlog[:-1]])
        sol.status_lin = q.m * (q.b_past * (late_prev + sol.late) + q.b_backlog * (backlog_prev + backlog)) / 2.0
    return sol


# ============================================================================================ evaluate
def _staff(ctx: _Context, sol: _Solution) -> dict[str, dict[str, np.ndarray]]:
    """People, FTE, training, hires, overtime, borrowed and cross flows per group and week."""
    W = ctx.n_weeks
    out = {}
    for g in ctx.groups:
        gi = ctx.info[g]
        x = sol.x[g]
        hires = np.zeros(W)
        np.add.at(hires, gi.starts, x)
        for w, n in gi.committed:
            if 0 <= w < W:
                hires[w] += n
        people = gi.base["people"] + gi.coh["people"] @ x
        out[g] = {"people": people, "productive": gi.base["fte"] + gi.coh["fte"] @ x,
                  "training": gi.base["training"] + gi.coh["training"] @ x, "hires": hires,
                  "attrition": gi.attrition * people, "overtime": sol.o[g],
                  "borrowed": sol.b[g], "cross_in": np.zeros(W), "cross_out": np.zeros(W)}
    for (a, h), (_, eff) in ctx.cross.items():
        out[a]["cross_out"] = out[a]["cross_out"] + sol.y[(a, h)]
        out[h]["cross_in"] = out[h]["cross_in"] + eff * sol.y[(a, h)]
    for g in ctx.groups:
        d = out[g]
        d["available"] = (d["productive"] + d["overtime"] + ctx.info[g].supply.borrow_productivity * d["borrowed"]
                          + d["cross_in"] - d["cross_out"])
    return out


def _evaluate(ctx: _Context, sol: _Solution) -> dict[str, Any]:
    """Staff per group and, with a back office, the exact projection and the phones' exact requirement."""
    staff = _staff(ctx, sol)
    out: dict[str, Any] = {"staff": staff, "projection": None, "weekly_bo": None, "phone_req": None}
    bo = ctx.problem.backoffice
    if bo is not None:
        prod = ctx.problem.supply[bo.group].productivity
        assert prod is not None  # CapacityProblem requires it of the back-office group
        avail = staff[bo.group]["available"]
        key = np.round(avail, 9).tobytes()  # a later round with the same processing gives the same calls
        if key not in ctx.exact:
            proj = bo_mod.project(bo, ctx.queue, avail, prod)
            ctx.exact[key] = (proj, bo_mod.weekly_view(proj, ctx.queue, ctx.n_weeks),
                              ctx.problem.phone_requirement(bo_mod.calls_frame(proj), ctx.n_weeks))
        out["projection"], out["weekly_bo"], out["phone_req"] = ctx.exact[key]
    return out


# ============================================================================================ plan
def plan(problem: CapacityProblem, *, time_limit: float = 10.0, mip_gap: float = 1e-3, max_rounds: int = 6
         ) -> CapacityPlan:
    """The least-cost hiring, overtime and borrowing plan for ``problem`` (see the module docstring).

    time_limit: seconds HiGHS may take per solve (a safety net: a plan stopped by it depends on the
        machine's speed, and says so in ``summary["status"]``).
    mip_gap: HiGHS stops when the plan's whole cost is proven within this share of the least possible
        cost (default 0.1 %: months-ahead demand is far less certain than that; 0 asks for the exact
        optimum, which on two years of weekly classes can take HiGHS seconds to prove).
        ``summary["cost_bound"]`` is HiGHS's proven lower bound and ``summary["mip_gap"]`` the gap reached.
    max_rounds: with a back office, solves at most this many times while the phones' exact requirement
        (from the backlog model's projection) and the solver's linear estimate disagree by more than
        max(0.5 FTE, 0.2 % of the peak) in some week; ``summary["rounds"]`` and
        ``summary["link_residual_fte"]`` say how it ended (the weekly table always shows the exact figures).
    """
    if time_limit <= 0:
        raise ValueError(f"time_limit must be > 0 seconds, got {time_limit!r}")
    if max_rounds < 1:
        raise ValueError(f"max_rounds must be >= 1, got {max_rounds!r}")
    t0 = time.perf_counter()
    ctx = _context(problem)
    W = ctx.n_weeks
    bo = problem.backoffice
    correction = np.zeros(W)
    rounds, residual, solve_s = 0, 0.0, 0.0
    while True:
        rounds += 1
        sol = _solve(ctx, correction, time_limit, mip_gap)
        solve_s += sol.solve_time_s
        ev = _evaluate(ctx, sol)
        if bo is None:
            break
        exact = ev["phone_req"].fte(bo.phone_group)
        assert ctx.base_phone is not None and ctx.slope is not None and sol.status_lin is not None
        linear = ctx.base_phone + correction + ctx.slope * sol.status_lin
        diff = exact - linear
        residual = float(np.abs(diff).max()) if W else 0.0
        if residual <= max(0.5, 0.002 * float(exact.max(initial=0.0))) or rounds >= max_rounds:
            break
        correction = correction + diff
    return _result(ctx, sol, ev, rounds=rounds, residual=residual, solve_s=solve_s, total_s=time.perf_counter() - t0)


def _result(ctx: _Context, sol: _Solution, ev: dict[str, Any], *, rounds: int, residual: float, solve_s: float,
            total_s: float) -> CapacityPlan:
    problem = ctx.problem
    bo = problem.backoffice
    W = ctx.n_weeks
    weeks_ts = [ctx.start + pd.DateOffset(days=7 * k) for k in range(W)]
    staff = ev["staff"]
    nan = np.full(W, np.nan)
    wb = ev["weekly_bo"]
    frames = []
    for g in ctx.groups:
        gi = ctx.info[g]
        st = staff[g]
        required = ctx.required[g].copy()
        calls, sl = nan.copy(), nan.copy()
        if ctx.req is not None and g in ctx.req.groups:
            calls = ctx.req.column_by_week(g, "calls")
            sl = ctx.req.service_level(g, st["available"])
        if bo is not None and g == bo.phone_group:
            pr = ev["phone_req"]
            required = pr.fte(g)
            calls = pr.column_by_week(g, "calls")
            sl = pr.service_level(g, st["available"])
        if bo is not None and g == bo.group:
            # this week's work to leave nothing past standard at its end, after what earlier weeks processed
            assert ctx.prod_w is not None  # set with a back office
            per_fte = np.where(ctx.prod_w > 0, ctx.prod_w, np.inf)
            done_before = np.concatenate([[0.0], np.cumsum(wb["processed"].to_numpy())[:-1]])
            required = np.maximum(ctx.queue.D - done_before, 0.0) / per_fte
            short = wb["past_standard"].to_numpy() / per_fte
        else:
            short = np.maximum(required - st["available"], 0.0)
        short = np.where(short > _SHORT_TOL, short, 0.0)
        hire_cost = gi.supply.hire_cost * st["hires"]
        cost = gi.wage * st["people"] + gi.ot_cost * st["overtime"] + gi.borrow_cost * st["borrowed"] + hire_cost
        f = pd.DataFrame({
            "group": g, "week_index": np.arange(W), "week": weeks_ts, "required": required,
            "available": st["available"], "headcount": st["people"], "productive": st["productive"],
            "in_training": st["training"], "hires": st["hires"], "attrition": st["attrition"],
            "overtime": st["overtime"], "borrowed": st["borrowed"], "cross_in": st["cross_in"],
            "cross_out": st["cross_out"], "shortfall": short, "cost": cost, "calls": calls,
            "backlog": wb["backlog"].to_numpy() if wb is not None else nan,
            "past_standard": wb["past_standard"].to_numpy() if wb is not None else nan,
            "status_calls": wb["status_calls"].to_numpy() if wb is not None and bo is not None and g != bo.group
            else nan,
            "service_level": sl})
        frames.append(f)
    weeks = pd.concat(frames, ignore_index=True)[list(WEEK_COLUMNS)]
    classes = _classes(ctx, sol)
    peaks = {g: weeks.loc[weeks["group"] == g, "required"].to_numpy() for g in ctx.groups}
    if bo is not None:
        peaks[bo.group] = ctx.required[bo.group]
    latest = latest_start(ctx, peaks)
    wage_cost = sum(float(ctx.info[g].wage * staff[g]["people"].sum()) for g in ctx.groups)
    summary: dict[str, Any] = {
        "start": ctx.start, "weeks": W, "groups": list(ctx.groups),
        "cost": float(weeks["cost"].sum()), "wage_cost": wage_cost,
        "hiring_cost": float(sum(ctx.info[g].supply.hire_cost * staff[g]["hires"].sum() for g in ctx.groups)),
        "overtime_cost": float(sum(ctx.info[g].ot_cost * staff[g]["overtime"].sum() for g in ctx.groups)),
        "borrowed_cost": float(sum(ctx.info[g].borrow_cost * staff[g]["borrowed"].sum() for g in ctx.groups)),
        "hires": float(weeks["hires"].sum()),
        "classes": int(len(classes)),
        "fte_weeks_short": float(weeks["shortfall"].sum()),
        "weeks_short": int(weeks.loc[weeks["shortfall"] > 1e-6, "week_index"].nunique()),
        "first_week_short": (weeks.loc[weeks["shortfall"] > 1e-6, "week"].min()
                             if (weeks["shortfall"] > 1e-6).any() else None),
        "peak_required": float(weeks.groupby("week_index")["required"].sum().max()) if W else 0.0,
        "min_service_level": float(np.nanmin(weeks["service_level"])) if weeks["service_level"].notna().any()
        else float("nan"),
        "peak_backlog": float(weeks["backlog"].max()) if wb is not None else float("nan"),
        "peak_past_standard": float(weeks["past_standard"].max()) if wb is not None else float("nan"),
        "feasible": bool(sol.feasible) and not (weeks["shortfall"] > 1e-6).any(),
        "optimal": bool(sol.optimal), "status": sol.status, "objective": sol.objective,
        "cost_bound": sol.bound, "mip_gap": problem_gap(sol), "solves": sol.phases,
        "rounds": rounds, "link_residual_fte": residual, "solve_time_s": solve_s, "total_time_s": total_s,
        "quantile": problem.quantile, "method": problem.method, "notes": tuple(ctx.notes),
    }
    return CapacityPlan(weeks=weeks, classes=classes, latest_start=latest, summary=summary, problem=problem,
                        daily=ev["projection"])


def problem_gap(sol: _Solution) -> float:
    """Proven relative gap of the plan's cost: (cost - HiGHS's lower bound) / cost (NaN when unknown)."""
    if not np.isfinite(sol.bound) or sol.objective == 0:
        return float("nan")
    return max(0.0, (sol.objective - sol.bound) / abs(sol.objective))


def _classes(ctx: _Context, sol: _Solution) -> pd.DataFrame:
    rows = []
    for g in ctx.groups:
        gi = ctx.info[g]
        s = gi.supply
        items = [(w, n, True) for w, n in gi.committed] + [
            (int(w), float(n), False) for w, n in zip(gi.starts, sol.x[g]) if n > 0.5]
        for w, n, committed in sorted(items):
            rows.append({"group": g, "week_index": w, "week": ctx.start + pd.DateOffset(days=7 * w), "size": n,
                         "committed": committed,
                         "productive_from": ctx.start + pd.DateOffset(days=7 * (w + s.training_weeks)),
                         "full_from": ctx.start + pd.DateOffset(days=7 * (w + s.training_weeks + len(s.ramp)))})
    return pd.DataFrame(rows, columns=["group", "week_index", "week", "size", "committed", "productive_from",
                                       "full_from"])


def latest_start(ctx: _Context, required: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per group: the peak week and the last week a class can start and be productive at the peak.

    A class starting in week c is out of training in week c + training_weeks and at full productivity
    len(ramp) weeks later. The latest start is the last class week the group allows (any week when
    ``class_weeks`` is None, weeks before 0 included) no later than peak - training_weeks; its decision
    must be taken ``time_to_hire`` weeks before. ``in_time``: that decision week is week 0 or later.
    The peak is the first week whose ``required`` is within :data:`PEAK_TOLERANCE` (2 %) of the highest
    (the processing group: its earliest-deadline path, applications processed exactly when they fall
    due, which does not depend on the plan).
    """
    rows = []
    for g in ctx.groups:
        s = ctx.info[g].supply
        req = required[g]
        if not len(req) or req.max() <= 0:
            continue
        # the first week within 2 % of the highest: a later week barely higher must not hide an early peak
        peak = int(np.flatnonzero(req >= (1.0 - PEAK_TOLERANCE) * req.max())[0])
        t, r = s.training_weeks, len(s.ramp)

        def last_allowed(limit: int, s: Supply = s) -> int:
            if s.class_weeks is None:
                return limit
            if isinstance(s.class_weeks, int):
                first = s.time_to_hire
                return first + ((limit - first) // s.class_weeks) * s.class_weeks
            weeks = [resolve_week(v, ctx.start, "Supply.class_weeks") for v in s.class_weeks]
            ok = [w for w in weeks if w <= limit]
            return max(ok) if ok else limit - 10**6

        start_p = last_allowed(peak - t)
        start_f = last_allowed(peak - t - r)
        week = lambda k: ctx.start + pd.DateOffset(days=7 * k)  # noqa: E731
        valid = start_p > -10**5
        rows.append({"group": g, "peak_week_index": peak, "peak_week": week(peak), "peak_required": float(req[peak]),
                     "latest_start_week_index": start_p if valid else None,
                     "latest_start": week(start_p) if valid else pd.NaT,
                     "latest_full_start_week_index": start_f if start_f > -10**5 else None,
                     "latest_full_start": week(start_f) if start_f > -10**5 else pd.NaT,
                     "decide_by": week(start_p - s.time_to_hire) if valid else pd.NaT,
                     "in_time": bool(valid and start_p - s.time_to_hire >= 0)})
    return pd.DataFrame(rows, columns=["group", "peak_week_index", "peak_week", "peak_required",
                                       "latest_start_week_index", "latest_start", "latest_full_start_week_index",
                                       "latest_full_start", "decide_by", "in_time"])
