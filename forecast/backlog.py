"""Backlog-driven calls: "where is my passport?" demand from the processing queue.

In the 2022 passport surge the phones did not ring because of the season: they rang because
applications sat unprocessed beyond the promised 20 business days and their owners called to ask.
That is *failure demand*, and a model of calls alone cannot see it coming; a model of the backlog can.

The story :class:`BacklogModel` tells, day by day:

1. **The queue of applications.** Applications arrive (``applications``) and are worked first in, first
   out (``processed``). From cumulative sums alone, FIFO tells the age of everything still waiting: the
   applications still open at the end of day ``t`` are the newest ``backlog_t`` ones received, so those
   received more than ``standard_days`` business days ago and not yet processed number
   ``past_standard_t = max(0, A(t - standard) - P(t))`` with ``A`` cumulative arrivals and ``P`` cumulative
   processed (the same arithmetic gives how long today's application will wait: ``processing_days``).
2. **The calls.** On an open day,
   ``calls_t = weekday_t x rebound_t x (c + a * applications_recent_t + b * past_standard_{t-1}
   [+ g * backlog_{t-1}])``: general enquiries ``c``, enquiries from people applying (``a`` per
   application, ``applications_recent`` = mean daily applications over the last ``recent_days`` days) and
   *status calls*, ``b`` per application past its standard at the start of the day. The weekday factors,
   the rebound after a closed weekday (holiday) and the coefficients are fitted together: alternately a
   Poisson GLM with identity link (statsmodels; coefficients kept >= 0 by dropping any that come out
   negative) and ratio estimates of the day factors. Prediction intervals come from the empirical
   quantiles of ``log(observed / fitted)`` on the fitted open days.

Then :meth:`BacklogModel.project` replays step 1 with a planner's applications and processing capacity
and step 2 with the fitted coefficients: *what if we add processing capacity from 1 May?*, *what if an
online status tracker answers 30 % of status enquiries?* (``status_deflection``: the status component
shrinks, nothing else).

Calls in history inflated by redials (blocked callers trying again) are not demand: fit on unique callers
(a ``callers`` series, used by default when present, or the output of :func:`forecast.unconstrain`).
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .unconstrain import _data_error, _long_to_wide

__all__ = ["BacklogModel", "fifo_queue", "business_days"]

_FEATURES = ("applications", "past_standard", "backlog")
_LEVELS = (80, 95)


def business_days(days: pd.DatetimeIndex, holidays: str | Iterable | None) -> np.ndarray:
    """Boolean per day: a weekday (Mon-Fri) that is not a holiday.

    ``holidays``: ``"CA-federal"`` (Canadian federal statutory holidays: the ``holidays`` package's
    public, government and optional categories for Canada, no province), a country/subdivision code
    understood by :func:`forecast.calendar.holiday_dates` (``"CA"``, ``"CA-QC"``, ``"US"``), a list of
    dates, or ``None`` (weekends only).
    """
    days = pd.DatetimeIndex(days)
    years = range(int(days.min().year), int(days.max().year) + 1) if len(days) else range(0)
    if isinstance(holidays, str) and holidays.upper() == "CA-FEDERAL":
        import holidays as hol

        cal = hol.Canada(years=list(years), categories=("public", "government", "optional"))
        closed = {pd.Timestamp(d) for d in cal}
    else:
        from .calendar import holiday_dates

        closed = {pd.Timestamp(d) for d in holiday_dates(holidays, years)}
    return np.asarray((days.day_of_week < 5) & ~days.normalize().isin(sorted(closed)), dtype=bool)


def fifo_queue(
    applications: np.ndarray,
    processed: np.ndarray,
    business: np.ndarray,
    standard_days: int,
    start_backlog: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Backlog and applications past standard at the end of each day, for a first-in-first-out queue.

    Shapes: all inputs ``(n,)`` per calendar day. ``start_backlog`` applications are waiting before day 0
    (counted as received on day 0). An application received on day ``d`` is past standard at the end of
    day ``t`` when it is still open and more than ``standard_days`` business days separate ``d`` and ``t``.
    Returns ``(backlog, past_standard)``, each ``(n,)`` floats >= 0.
    """
    arrivals = np.cumsum(np.asarray(applications, dtype=float))
    arrivals = arrivals + float(start_backlog)
    done = np.cumsum(np.asarray(processed, dtype=float))
    backlog = np.maximum(arrivals - done, 0.0)
    clock = np.cumsum(np.asarray(business, dtype=bool))
    # cohorts received on days d < cut have age clock[t] - clock[d] > standard_days
    cut = np.searchsorted(clock, clock - standard_days, side="left")
    old = np.where(cut > 0, arrivals[np.maximum(cut - 1, 0)], 0.0)
    past = np.clip(old - done, 0.0, None)
    return backlog, np.minimum(past, backlog)


def _processing_days(arrivals_cum: np.ndarray, done_cum: np.ndarray, rate_tail: float) -> np.ndarray:
    """Calendar days until the last application received on each day is processed (FIFO).

    Beyond the end of the path the queue is assumed to keep moving at ``rate_tail`` per calendar day.
    """
    n = len(arrivals_cum)
    first = np.searchsorted(done_cum, arrivals_cum - 1e-9, side="left")  # first day with P >= A_t
    t = np.arange(n)
    out = (first - t).astype(float)
    beyond = first >= n
    if beyond.any():
        left = arrivals_cum[beyond] - done_cum[-1]
        extra = left / rate_tail if rate_tail > 0 else np.full(left.shape, np.inf)
        out[beyond] = (n - 1 - t[beyond]) + extra
    return np.maximum(out, 0.0)


class BacklogModel:
    """Calls driven by applications and by the backlog past its processing standard.

    Parameters (stored as given; checked by :meth:`fit`)
    ----------------------------------------------------
    standard_days:
        Processing standard in business days (20: passports by mail or at a Service Canada Centre).
    recent_days:
        Window (calendar days) of the ``applications_recent`` regressor.
    calls_series:
        The series to model. ``None``: ``callers`` (unique callers) when the history has it, else ``calls``.
    features:
        Regressors besides the constant: any of ``"applications"``, ``"past_standard"``, ``"backlog"``.
    holidays:
        Closed days besides weekends, for the business-day clock and the closed days of projections:
        ``"CA-federal"`` (default), a code for :func:`forecast.calendar.holiday_dates`, dates, or None.
    max_iter:
        Alternations between the GLM and the day factors.

    Fitted attributes
    -----------------
    ``coef_`` (dict: ``intercept`` and one per feature, calls per day at a weekday factor of 1),
    ``weekday_factors_`` (7 floats, Monday first, mean 1 over the open weekdays, 0 when never open),
    ``rebound_factor_`` (multiplier on the first open day after a closed weekday),
    ``residual_quantiles_`` (dict level -> (lo, hi) quantiles of log(observed / fitted)),
    ``calls_series_``, ``history_`` (the daily frame used: applications, processed, backlog,
    past_standard, calls, business), ``fitted_`` (ds, calls, fitted on the days used), ``end_`` (last day).
    """

    def __init__(
        self,
        *,
        standard_days: int = 20,
        recent_days: int = 28,
        calls_series: str | None = None,
        features: Sequence[str] = ("applications", "past_standard"),
        holidays: str | Iterable | None = "CA-federal",
        max_iter: int = 20,
    ) -> None:
        self.standard_days = standard_days
        self.recent_days = recent_days
        self.calls_series = calls_series
        self.features = features
        self.holidays = holidays
        self.max_iter = max_iter

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> tuple[str, ...]:
        if not isinstance(self.standard_days, (int, np.integer)) or self.standard_days < 1:
            raise ValueError(f"standard_days must be a whole number of business days >= 1, got {self.standard_days!r}")
        if not isinstance(self.recent_days, (int, np.integer)) or self.recent_days < 1:
            raise ValueError(f"recent_days must be a whole number of days >= 1, got {self.recent_days!r}")
        feats = (self.features,) if isinstance(self.features, str) else tuple(self.features)
        unknown = [f for f in feats if f not in _FEATURES]
        if unknown or len(set(feats)) != len(feats):
            raise ValueError(f"features must be distinct names among {_FEATURES}, got {self.features!r}")
        if not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise ValueError(f"max_iter must be an integer >= 1, got {self.max_iter!r}")
        return feats

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ValueError("this BacklogModel is not fitted yet: call fit(history) first")

    # ------------------------------------------------------------------ design
    def _design(self, apps: np.ndarray, backlog: np.ndarray, past: np.ndarray) -> np.ndarray:
        """Columns: constant, then the features, one row per day (regressors known at the start of the day)."""
        recent = pd.Series(apps).rolling(self.recent_days, min_periods=1).mean().to_numpy()

        def lag(x: np.ndarray) -> np.ndarray:  # the value at the start of the day = yesterday's end
            return np.concatenate([[x[0]], x[:-1]])

        cols = {"applications": recent, "past_standard": lag(past), "backlog": lag(backlog)}
        return np.column_stack([np.ones(len(apps))] + [cols[f] for f in self.features_])

    def _multipliers(self, ds: pd.DatetimeIndex, business: np.ndarray) -> np.ndarray:
        dow = ds.day_of_week.to_numpy()
        rebound = _after_closed_weekday(dow, business)
        m = self.weekday_factors_[dow] * np.where(rebound, self.rebound_factor_, 1.0)
        return np.where(business, m, 0.0)

    # ------------------------------------------------------------------ fit
    def fit(self, history: pd.DataFrame) -> BacklogModel:
        """Learn the call model from a long history (``applications``, ``processed``, calls) - returns self.

        ``history``: long frame ``series, ds, y`` with daily ``applications`` and ``processed``, the calls
        series (``calls_series``), optionally ``backlog`` (its first value sets the initial queue;
        otherwise the queue starts empty) and ``callers``. Days with the calls series missing are not used
        for fitting; days where it is 0 count as closed.
        """
        import statsmodels.api as sm

        self.features_ = self._check_params()
        names = ["applications", "processed", "backlog", "calls", "callers"]
        if self.calls_series is not None and self.calls_series not in names:
            names.append(self.calls_series)
        wide = _long_to_wide(history, names, required=False)
        for need in ("applications", "processed"):
            if need not in wide.columns:
                raise _data_error(f"series {need!r} not found; BacklogModel needs daily applications "
                                  f"and processed (found {sorted(set(history['series'].astype(str)))})")
        calls_name = self.calls_series or ("callers" if "callers" in wide.columns else "calls")
        if calls_name not in wide.columns:
            raise _data_error(f"calls series {calls_name!r} not found; pass calls_series=")
        known = wide[["applications", "processed"]].notna().all(axis=1).to_numpy()
        if not known.any():
            raise _data_error("no day has both applications and processed")
        first, last = np.flatnonzero(known)[[0, -1]]
        wide = wide.iloc[first:last + 1]
        gaps = wide[["applications", "processed"]].isna().any(axis=1)
        if gaps.any():
            raise _data_error(f"{gaps.index[gaps.to_numpy()][0].date()}: applications/processed missing "
                              "inside the period; the queue cannot be followed through a gap")
        ds = pd.DatetimeIndex(wide.index)
        apps = wide["applications"].to_numpy(dtype=float)
        proc = wide["processed"].to_numpy(dtype=float)
        if (apps < 0).any() or (proc < 0).any():
            raise _data_error("applications and processed must be >= 0")
        b0 = 0.0
        if "backlog" in wide.columns and np.isfinite(wide["backlog"].iloc[0]):
            b0 = max(float(wide["backlog"].iloc[0]) - apps[0] + proc[0], 0.0)
        business = business_days(ds, self.holidays)
        backlog, past = fifo_queue(apps, proc, business, int(self.standard_days), b0)
        X = self._design(apps, backlog, past)
        y = wide[calls_name].to_numpy(dtype=float)
        dow = ds.day_of_week.to_numpy()

        use = np.isfinite(y) & (y > 0) & business
        use[: min(self.recent_days, len(use) // 2)] = False  # the applications window is still filling
        if use.sum() < 3 * X.shape[1] + 10:
            raise _data_error(f"only {int(use.sum())} open days with {calls_name!r} to fit on; need more")
        rebound = _after_closed_weekday(dow, business)
        yu, Xu, dowu, rbu = y[use], X[use], dow[use], rebound[use]

        w = np.ones(7)
        r = 1.0
        active = np.ones(X.shape[1], dtype=bool)
        beta = np.zeros(X.shape[1])
        family = sm.families.Poisson(link=sm.families.links.Identity())
        for _ in range(int(self.max_iter)):
            m = w[dowu] * np.where(rbu, r, 1.0)
            while True:
                Z = Xu[:, active] * m[:, None]
                start, *_ = np.linalg.lstsq(Z, yu, rcond=None)
                start = np.where(start > 0, start, 1e-6 * max(yu.mean(), 1.0))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # statsmodels warns that identity links may leave the domain
                    res = sm.GLM(yu, Z, family=family).fit(start_params=start, scale="X2", maxiter=100)
                params = np.asarray(res.params, dtype=float)
                if not (params < 0).any() or active.sum() == 1:
                    break
                idx = np.flatnonzero(active)
                active[idx[np.argmin(params)]] = False  # drop the most negative and refit
            new_beta = np.zeros(X.shape[1])
            new_beta[active] = np.maximum(params, 0.0)
            base = Xu @ new_beta
            new_w = np.zeros(7)
            for d in range(7):
                sel = (dowu == d) & ~rbu
                if sel.any() and base[sel].sum() > 0:
                    new_w[d] = yu[sel].sum() / base[sel].sum()
            open_w = new_w > 0
            scale = new_w[open_w].mean()
            new_w /= scale
            new_beta *= scale
            fitted_no_r = new_w[dowu] * base * scale
            new_r = yu[rbu].sum() / fitted_no_r[rbu].sum() if rbu.any() and fitted_no_r[rbu].sum() > 0 else 1.0
            done = np.allclose(new_beta, beta, rtol=1e-6, atol=1e-9) and np.allclose(new_w, w, rtol=1e-6)
            beta, w, r = new_beta, new_w, float(new_r)
            if done:
                break

        self.coef_ = {"intercept": float(beta[0])} | {f: float(b) for f, b in zip(self.features_, beta[1:])}
        self.weekday_factors_ = w
        self.rebound_factor_ = r
        self.calls_series_ = calls_name
        fitted = self._multipliers(ds, business) * (X @ beta)
        self.fitted_ = pd.DataFrame({"ds": ds[use], "calls": y[use], "fitted": fitted[use]}).reset_index(drop=True)
        log_res = np.log(y[use] / np.maximum(fitted[use], 1e-9))
        self.residual_quantiles_ = {
            lv: (float(np.quantile(log_res, (1 - lv / 100) / 2)), float(np.quantile(log_res, 1 - (1 - lv / 100) / 2)))
            for lv in _LEVELS
        }
        self.history_ = pd.DataFrame({"applications": apps, "processed": proc, "backlog": backlog,
                                      "past_standard": past, "calls": y, "business": business}, index=ds)
        self.start_backlog_ = b0
        self.end_ = ds[-1]
        return self

    # ------------------------------------------------------------------ project
    @staticmethod
    def _path(value: Any, name: str) -> pd.Series | float | np.ndarray:
        if isinstance(value, pd.Series):
            s = value.copy()
            try:
                s.index = pd.DatetimeIndex(pd.to_datetime(s.index)).normalize()
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{name}: a Series must be indexed by dates ({exc})") from exc
            return s.astype(float)
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            return float(arr)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a Series indexed by date, a number or a 1-d array")
        return arr

    def project(
        self,
        applications: pd.Series | float | Sequence[float],
        capacity: pd.Series | float | Sequence[float],
        *,
        status_deflection: float = 0.0,
        start_backlog: float | None = None,
        start: Any = None,
        periods: int | None = None,
    ) -> pd.DataFrame:
        """Project the application queue and the calls it drives, day by day.

        Parameters
        ----------
        applications, capacity:
            Applications received and processing capacity (applications that can be completed), per
            calendar day. Each is a Series indexed by date, a 1-d array (one value per day from ``start``)
            or a number. A *number* applies to business days only (0 on weekends and holidays); Series and
            arrays are taken as given. The dates come from whichever argument is a Series, else from
            ``start`` and ``periods`` (or the array length).
        status_deflection:
            Share of status enquiries answered elsewhere (an online status tracker), in [0, 1]. Reduces the
            status component (``past_standard`` and ``backlog`` terms) only.
        start_backlog:
            Applications waiting at the start (default: the fitted history's backlog on the day before the
            projection starts). The waiting ones are taken to be the most recent arrivals of the history.
        start:
            First projected day (default: the first date of a Series, else the day after the history).
            It may fall inside the fitted history (the queue restarts from that day) or, with
            ``start_backlog`` given, after it.
        periods:
            Number of days when neither input is a Series nor an array.

        Returns
        -------
        Frame, one row per day: ``ds, applications, processed, backlog, past_standard, processing_days,
        calls, calls_lo_80, calls_hi_80, calls_lo_95, calls_hi_95, status_calls``. ``processed`` =
        min(capacity, backlog at the start of the day): today's receipts are worked from tomorrow.
        ``processing_days``: calendar days until an application received that day is processed (FIFO;
        beyond the horizon the queue moves at the mean rate of the last 28 days). ``status_calls`` is the
        status component after deflection; calls are 0 on closed days. Calls are in the units of the
        fitted calls series (``calls_series_``).
        """
        self._check_fitted()
        try:
            d = float(status_deflection)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"status_deflection must be a share in [0, 1], got {status_deflection!r}") from exc
        if not math.isfinite(d) or not 0.0 <= d <= 1.0:
            raise ValueError(f"status_deflection must be a share in [0, 1], got {status_deflection!r}")

        apps_in = self._path(applications, "applications")
        cap_in = self._path(capacity, "capacity")
        series_in = [v for v in (apps_in, cap_in) if isinstance(v, pd.Series)]
        arrays_in = [v for v in (apps_in, cap_in) if isinstance(v, np.ndarray)]
        if start is not None:
            first_day = pd.Timestamp(start).normalize()
        elif series_in:
            first_day = series_in[0].index.min()
        else:
            first_day = self.end_ + pd.Timedelta(days=1)
        if series_in:
            last_day = min(s.index.max() for s in series_in)
            if arrays_in:
                last_day = min(last_day, first_day + pd.Timedelta(days=min(len(a) for a in arrays_in) - 1))
        elif arrays_in:
            last_day = first_day + pd.Timedelta(days=min(len(a) for a in arrays_in) - 1)
        elif periods is not None:
            if not isinstance(periods, (int, np.integer)) or periods < 1:
                raise ValueError(f"periods must be a whole number of days >= 1, got {periods!r}")
            last_day = first_day + pd.Timedelta(days=int(periods) - 1)
        else:
            raise ValueError("periods: give the number of days to project when applications and capacity are numbers")
        if last_day < first_day:
            raise ValueError(f"start: the inputs end ({last_day.date()}) before the projection starts "
                             f"({first_day.date()})")
        days = pd.date_range(first_day, last_day, freq="D", name="ds")
        business = business_days(days, self.holidays)

        def on_days(v: pd.Series | float | np.ndarray, name: str) -> np.ndarray:
            if isinstance(v, pd.Series):
                vv = v.groupby(level=0).sum().reindex(days)
                if vv.isna().any():
                    raise ValueError(f"{name}: no value for {vv.index[vv.isna().to_numpy()][0].date()} "
                                     f"(the projection runs {days[0].date()}..{days[-1].date()})")
                out = vv.to_numpy(dtype=float)
            elif isinstance(v, np.ndarray):
                out = v[: len(days)].astype(float)
            else:
                out = np.where(business, float(v), 0.0)
            if np.any(~np.isfinite(out)) or np.any(out < 0):
                raise ValueError(f"{name} must be finite and >= 0 on every day")
            return out

        apps = on_days(apps_in, "applications")
        cap = on_days(cap_in, "capacity")

        hist = self.history_
        prior = hist[hist.index < first_day]
        gap = first_day > self.end_ + pd.Timedelta(days=1)
        if gap and start_backlog is None:
            raise ValueError(f"start: the projection starts {first_day.date()}, after the fitted history ends "
                             f"({self.end_.date()}) with a gap; start there or pass start_backlog")
        if start_backlog is not None:
            if not math.isfinite(float(start_backlog)) or float(start_backlog) < 0:
                raise ValueError(f"start_backlog must be a number of applications >= 0, got {start_backlog!r}")
        prior_apps = prior["applications"].to_numpy(dtype=float)
        prior_bus = prior["business"].to_numpy(dtype=bool)
        if start_backlog is None:
            prior_proc = prior["processed"].to_numpy(dtype=float)
            b0 = self.start_backlog_
        else:
            # the waiting applications are the newest ones: processed so far = arrivals - start_backlog
            total_in = self.start_backlog_ + prior_apps.sum()
            prior_proc = np.zeros_like(prior_apps)
            if len(prior_proc):
                prior_proc[-1] = total_in - float(start_backlog)
            b0 = self.start_backlog_
            if len(prior_proc) == 0 or prior_proc[-1] < 0:
                b0, prior_proc = float(start_backlog), np.zeros_like(prior_apps)
                prior_apps = np.zeros_like(prior_apps)
        n0 = len(prior_apps)
        q0 = b0 + prior_apps.sum() - prior_proc.sum()  # waiting at the start

        processed = np.zeros(len(days))
        waiting = q0
        for t in range(len(days)):
            processed[t] = min(cap[t], waiting)
            waiting = waiting - processed[t] + apps[t]

        all_apps = np.concatenate([prior_apps, apps])
        all_proc = np.concatenate([prior_proc, processed])
        all_bus = np.concatenate([prior_bus, business])
        backlog, past = fifo_queue(all_apps, all_proc, all_bus, int(self.standard_days), b0)
        arrivals_cum = b0 + np.cumsum(all_apps)
        done_cum = np.cumsum(all_proc)
        rate_tail = float(processed[-28:].mean()) if len(processed) else 0.0
        proc_days = _processing_days(arrivals_cum, done_cum, rate_tail)[n0:]

        X = self._design(all_apps, backlog, past)[n0:]
        beta = np.array([self.coef_["intercept"]] + [self.coef_[f] for f in self.features_])
        status_cols = [i + 1 for i, f in enumerate(self.features_) if f in ("past_standard", "backlog")]
        status_beta = np.zeros_like(beta)
        status_beta[status_cols] = beta[status_cols]
        mult = self._multipliers(days, business)
        status = mult * (X @ status_beta) * (1.0 - d)
        calls = mult * (X @ (beta - status_beta)) + status

        out = pd.DataFrame({
            "ds": days,
            "applications": apps,
            "processed": processed,
            "backlog": backlog[n0:],
            "past_standard": past[n0:],
            "processing_days": proc_days,
            "calls": calls,
        })
        for lv in _LEVELS:
            lo, hi = self.residual_quantiles_[lv]
            out[f"calls_lo_{lv}"] = calls * math.exp(lo)
            out[f"calls_hi_{lv}"] = calls * math.exp(hi)
        out["status_calls"] = status
        return out.reset_index(drop=True)

    def to_forecast(self, projection: pd.DataFrame, series: str | None = None) -> pd.DataFrame:
        """A projection in the forecast contract: ``series, ds, yhat, yhat_lo_80, ..., model``."""
        self._check_fitted()
        name = series or self.calls_series_
        return pd.DataFrame({
            "series": name,
            "ds": projection["ds"].to_numpy(),
            "yhat": projection["calls"].to_numpy(dtype=float),
            **{f"yhat_{b}_{lv}": projection[f"calls_{b}_{lv}"].to_numpy(dtype=float)
               for lv in _LEVELS for b in ("lo", "hi")},
            "model": "backlog",
        })[["series", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95", "model"]]


def _after_closed_weekday(dow: np.ndarray, business: np.ndarray) -> np.ndarray:
    """True on an open day preceded, since the previous open day, by a closed weekday (a holiday)."""
    out = np.zeros(len(business), dtype=bool)
    pending = False
    for i in range(len(business)):
        if business[i]:
            out[i] = pending
            pending = False
        elif dow[i] < 5:
            pending = True
    return out
