"""Back-office work planned with the phones: applications, the backlog, and the calls it drives.

A passport office has two queues that feed each other. Applications arrive and wait to be processed
by *processing staff*; every application still open beyond the processing standard (20 business
days) makes its owner call "where is my passport?". So: fewer processors -> a bigger backlog -> more
applications past the standard -> more status calls -> more agents on the phones. The fitted
:class:`forecast.BacklogModel` holds that story day by day (first-in-first-out queue, calls =
general + per application + per application past standard); this module wires it to a plan.

Inside the solver the chain is made linear and weekly: processed applications ``p_w`` (at most the
processing group's available FTE x ``productivity`` x business days of the week), the backlog
``B_w = B_-1 + sum(applications) - sum(p)``, the applications past standard ``L_w >= D_w - sum(p)``
(``D_w``: applications received more than the standard before the end of week w, from the same
first-in-first-out arithmetic as :func:`forecast.backlog.fifo_queue`), and the status calls of week w
``b x m_w x (L_w-1 + L_w) / 2`` (plus the backlog term when the model has one), with ``b`` the
model's coefficient and ``m_w`` the sum of its weekday factors over the week's open days (the rebound
after a holiday is left out here). The phones' requirement grows by the status calls times the
FTE per call of the week.

After each solve the plan is checked exactly: the processing capacity it provides, day by day, goes
through :meth:`forecast.BacklogModel.project`, the calls it projects through the phones' weekly
requirement (Erlang per interval), and the difference between that exact requirement and the linear
one is added to the next solve, until they agree (see :func:`simulate.capacity.plan`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Backoffice"]


@dataclass(frozen=True, eq=False)
class Backoffice:
    """Back-office work planned with the phones (see the module docstring).

    model: a fitted :class:`forecast.BacklogModel` (its history ends the day before the plan starts,
        or later: the plan may start inside the history).
    applications: daily applications received, a Series indexed by date covering every day of the
        plan (a forecast's ``yhat`` of the ``applications`` series, or a planner's path).
    group: the processing group (its :class:`Supply` needs ``productivity``: applications per
        productive FTE per business day).
    phone_group: the group answering the calls the model projects (its demand comes from the model).
    status_deflection: share of status calls answered elsewhere (an online tracker, an automated
        status line), in [0, 1]; see :meth:`forecast.BacklogModel.project`.
    target_days: business days within which the plan aims to process every application (default: the
        model's ``standard_days``). A few days less than the standard leaves a buffer: a plan that
        processes each application on its last allowed day has none for a bad week, and the weekly
        view the solver uses is coarser than the daily queue the results are checked with.
        Applications past the *standard* (not the target) are what the results report and what
        drives the status calls.
    """

    model: Any
    applications: pd.Series
    group: str = "processing"
    phone_group: str = "phones"
    status_deflection: float = 0.0
    target_days: int | None = None

    def __post_init__(self) -> None:
        if not hasattr(self.model, "coef_"):
            raise ValueError("Backoffice.model must be a fitted forecast.BacklogModel (call fit(history) first)")
        if not isinstance(self.applications, pd.Series) or len(self.applications) == 0:
            raise ValueError("Backoffice.applications must be a non-empty Series of daily applications indexed by date")
        s = self.applications.copy()
        try:
            s.index = pd.DatetimeIndex(pd.to_datetime(s.index)).normalize()
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Backoffice.applications must be indexed by dates ({exc})") from None
        v = pd.to_numeric(s, errors="coerce").astype(float)
        bad = np.flatnonzero(~np.isfinite(v.to_numpy()) | (v.to_numpy() < 0))
        if bad.size:
            raise ValueError(f"Backoffice.applications on {v.index[bad[0]].date()} must be a number >= 0, "
                             f"got {self.applications.iloc[bad[0]]!r}")
        if v.index.has_duplicates:
            raise ValueError(f"Backoffice.applications: date {v.index[v.index.duplicated()][0].date()} appears twice")
        object.__setattr__(self, "applications", v.sort_index())
        d = float(self.status_deflection)
        if not math.isfinite(d) or not 0 <= d <= 1:
            raise ValueError(f"Backoffice.status_deflection must be a share in [0, 1], got {self.status_deflection!r}")
        object.__setattr__(self, "status_deflection", d)
        if self.target_days is not None:
            t = self.target_days
            whole = isinstance(t, (int, np.integer)) and not isinstance(t, bool)
            if not whole or not 1 <= t <= int(self.model.standard_days):
                raise ValueError(f"Backoffice.target_days must be a whole number of business days from 1 to the "
                                 f"standard ({self.model.standard_days}), got {t!r}")
        if self.group == self.phone_group:
            raise ValueError("Backoffice.group and Backoffice.phone_group must differ")

    def replace(self, **changes: Any) -> Backoffice:
        import dataclasses

        return dataclasses.replace(self, **changes)

    @property
    def default_start(self) -> pd.Timestamp:
        """The day after the model's history: where a projection continues by default."""
        return pd.Timestamp(self.model.end_) + pd.Timedelta(days=1)


@dataclass(frozen=True, eq=False)
class WeeklyQueue:
    """The weekly, linear view of the back office the solver uses (see the module docstring).

    Arrays are (n_weeks,): applications ``A``, business days ``bdays``, due ``D`` (applications that
    must be processed in the plan by the end of the week to have none past the target), status
    multipliers ``m`` (sum of weekday factors over open days x (1 - deflection)); scalars: ``B_start``
    (waiting at the start), ``L_start`` (past standard at the start), coefficients ``b_past`` and
    ``b_backlog`` (calls per day per application; 0 when the model has no such term).
    """

    days: pd.DatetimeIndex
    week_of_day: np.ndarray
    business: np.ndarray
    A: np.ndarray
    bdays: np.ndarray
    D: np.ndarray
    m: np.ndarray
    B_start: float
    L_start: float
    b_past: float
    b_backlog: float


def weekly_queue(bo: Backoffice, start: pd.Timestamp, n_weeks: int) -> WeeklyQueue:
    """The back office's weekly inputs for a plan of ``n_weeks`` weeks from ``start``."""
    from forecast.backlog import business_days, fifo_queue

    model = bo.model
    end_hist = pd.Timestamp(model.end_)
    first_hist = pd.Timestamp(model.history_.index[0])
    if not first_hist < start <= end_hist + pd.Timedelta(days=1):
        raise ValueError(f"start: the back office's model covers {first_hist.date()}..{end_hist.date()}; the plan must "
                         f"start inside it or on the next day ({(end_hist + pd.Timedelta(days=1)).date()}), got "
                         f"{start.date()}")
    days = pd.date_range(start, periods=7 * n_weeks, freq="D")
    apps = bo.applications.reindex(days)
    if apps.isna().any():
        first_missing = apps.index[apps.isna().to_numpy()][0]
        raise ValueError(f"Backoffice.applications: no value for {first_missing.date()} (the plan runs "
                         f"{days[0].date()}..{days[-1].date()}: {n_weeks} weeks)")
    business = business_days(days, model.holidays)
    week = np.arange(len(days)) // 7
    hist = model.history_
    prior = hist[hist.index < start]
    prior_apps = prior["applications"].to_numpy(dtype=float)
    prior_proc = prior["processed"].to_numpy(dtype=float)
    prior_bus = prior["business"].to_numpy(dtype=bool)
    b0 = float(model.start_backlog_)
    a = apps.to_numpy(dtype=float)
    all_apps = np.concatenate([prior_apps, a])
    all_bus = np.concatenate([prior_bus, business])
    # with nothing processed, "past target" is every application older than the target: A(t - target)
    target = int(bo.target_days if bo.target_days is not None else model.standard_days)
    _, old = fifo_queue(all_apps, np.zeros_like(all_apps), all_bus, target, b0)
    done_prior = float(prior_proc.sum())
    n0 = len(prior_apps)
    ends = n0 + np.arange(n_weeks) * 7 + 6
    D = old[ends] - done_prior
    B_start = b0 + float(prior_apps.sum()) - done_prior
    L_start = max(0.0, float(old[n0 - 1]) - done_prior) if n0 else 0.0
    coef = model.coef_
    factors = np.asarray(model.weekday_factors_, dtype=float)[days.day_of_week.to_numpy()]
    mult = np.where(business, factors, 0.0) * (1.0 - bo.status_deflection)
    return WeeklyQueue(
        days=days, week_of_day=week, business=business,
        A=np.bincount(week, weights=a, minlength=n_weeks),
        bdays=np.bincount(week, weights=business.astype(float), minlength=n_weeks),
        D=D, m=np.bincount(week, weights=mult, minlength=n_weeks), B_start=B_start, L_start=L_start,
        b_past=float(coef.get("past_standard", 0.0)), b_backlog=float(coef.get("backlog", 0.0)))


def project(bo: Backoffice, queue: WeeklyQueue, processing_fte: np.ndarray, productivity: float) -> pd.DataFrame:
    """The exact daily projection for a processing plan: :meth:`forecast.BacklogModel.project` with
    capacity = available FTE of the day's week x productivity on business days (0 otherwise)."""
    cap = np.asarray(processing_fte, dtype=float)[queue.week_of_day] * productivity * queue.business
    apps = bo.applications.reindex(queue.days)
    return bo.model.project(apps, pd.Series(cap, index=queue.days), status_deflection=bo.status_deflection,
                            start=queue.days[0])


def calls_frame(projection: pd.DataFrame, *, without_status: bool = False) -> pd.DataFrame:
    """The projection's calls as a daily forecast frame (ds, yhat and the bands) for the phones'
    requirement; ``without_status`` keeps only the general and application calls."""
    calls = projection["calls"].to_numpy(dtype=float)
    base = calls - projection["status_calls"].to_numpy(dtype=float) if without_status else calls
    out = pd.DataFrame({"ds": projection["ds"].to_numpy(), "yhat": base})
    with np.errstate(divide="ignore", invalid="ignore"):
        for col in ("calls_lo_80", "calls_hi_80", "calls_lo_95", "calls_hi_95"):
            ratio = np.where(calls > 0, projection[col].to_numpy(dtype=float) / np.where(calls > 0, calls, 1.0), 1.0)
            out[col.replace("calls", "yhat")] = base * ratio
    return out


def minimal_processing(queue: WeeklyQueue) -> np.ndarray:
    """Applications the plan must process each week to keep none past standard (earliest-deadline
    path: cumulative processed = max(cumulative due so far)), float (n_weeks,)."""
    need = np.maximum.accumulate(np.maximum(queue.D, 0.0))
    return np.diff(np.concatenate([[0.0], need]))


def weekly_view(projection: pd.DataFrame, queue: WeeklyQueue, n_weeks: int) -> pd.DataFrame:
    """Weekly figures of a daily projection: applications, processed, calls, status calls (sums) and
    backlog, past standard (end of week), processing days (mean of the week's days)."""
    wk = queue.week_of_day[: len(projection)]
    out = pd.DataFrame({"week_index": np.arange(n_weeks)})
    for c in ("applications", "processed", "calls", "status_calls"):
        out[c] = np.bincount(wk, weights=projection[c].to_numpy(dtype=float), minlength=n_weeks)
    last = pd.Series(np.arange(len(wk))).groupby(wk).max().reindex(range(n_weeks)).to_numpy()
    for c in ("backlog", "past_standard"):
        out[c] = projection[c].to_numpy(dtype=float)[last.astype(np.int64)]
    cnt = np.bincount(wk, minlength=n_weeks)
    out["processing_days"] = np.bincount(wk, weights=projection["processing_days"].to_numpy(dtype=float),
                                         minlength=n_weeks) / np.maximum(cnt, 1)
    return out
