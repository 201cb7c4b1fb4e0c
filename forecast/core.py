"""``forecast()``: history in, interval forecasts out.

The pipeline for each series:

1. **Grid.** Timestamps are put on the regular ``freq`` grid (finer data is summed into ``freq``
   buckets; handle time is averaged weighted by calls) and laid out as whole calendar days, in local
   wall-clock time (a zone-aware history is converted, and the forecast converted back at the end).
2. **Calendar.** Opening days and hours are learned per weekday, as are which holidays matter and how
   much demand they keep (0 when the centre closes) and the share of the lost demand that comes back
   on the first open day after them (:mod:`forecast.calendar`). A holiday whose name the history never
   shows is an assumption, recorded in ``attrs["assumptions"]``.
3. **Training series.** Holidays, closed-looking days, missing days and rebound days are replaced by a
   typical same-weekday day; closed hours are 0. Missing whole days are treated as missing, never as
   zeros.
4. **Models** (:mod:`forecast.models`) fit the cleaned series and forecast whole days, from the first
   interval of the day after the history's last day.
5. **Calendar again.** Closed weekdays, hours outside opening hours and closed holidays become exactly 0
   (zero-width intervals); the first open day after a holiday gets the learned rebound (its normal
   forecast plus the learned share of the demand the holidays lost). An unseen special day keeps the
   assumed value with an interval from closed to a normal day.
6. **Intervals** are conformal: quantiles of backtest errors scaled by the forecast level,
   ``z = (actual - yhat) / (yhat + sqrt(yhat) + 1)``, per horizon day (intraday, pooled with the three
   days each side after the first) or horizon week (daily), so quiet hours get narrow bands and busy
   hours wide ones. The errors of holidays and unseen special days are left out of the calibration
   (an unseen holiday assumed closed where the centre opened once made every band of its horizon day
   a hundred times the forecast), and upper bounds are capped at :data:`BAND_CAP` times the largest
   value the same weekday and time of day shows in the history.
7. **Handle time** (when the history carries it, :mod:`forecast.handle_time`): a weekday x
   time-of-day profile of the recent weeks, in an ``aht_s`` column.

``model="auto"`` runs the rolling-origin backtest of :mod:`forecast.backtest` on the candidates, keeps
the mean of the two best by MASE (cutoffs where every candidate failed, such as a surge, do not vote:
:func:`forecast.backtest.select_members`), and records the choice in the ``model`` column and
``df.attrs["auto_choice"]``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calendar import (
    Calendar,
    clean_days,
    day_matrix,
    holiday_names,
    infer_freq,
    learn_calendar,
    localize_grid,
    slots_per_day,
    wall_clock,
)
from .handle_time import AHT, forecast_handle_time, pair_handle_time, weighted_mean_by
from .models import AUTO_CANDIDATES, MODELS, Context

__all__ = ["forecast", "split_history", "split_series", "horizon_steps", "series_calendar", "BAND_CAP"]

DAY = pd.Timedelta("1D")
LEVELS: tuple[int, ...] = (80, 95)


def _data_error(msg: str) -> ValueError:
    from .errors import DataError

    return DataError(msg)


# ---------------------------------------------------------------------------------------------
# history -> one grid series per name
# ---------------------------------------------------------------------------------------------
@dataclass
class History:
    """A contract frame split by series, on local wall-clock time.

    ``counts`` maps each count series to its values indexed by wall-clock timestamps (sorted, NaN
    dropped); ``aht`` maps a count series to its handle time (seconds, same kind of index) when the
    history carries one (:mod:`forecast.handle_time`); ``tz`` is the history's time zone (None when
    naive).
    """

    counts: dict[str, pd.Series]
    aht: dict[str, pd.Series]
    tz: object = None


def split_history(history: pd.DataFrame, series: str | Sequence[str] | None = None) -> History:
    """Split a contract frame into its count series and their handle times (see :class:`History`).

    Without a ``series`` column the frame is one series named ``"y"``. ``series`` keeps one name or
    a list of names (count series; their handle time comes along). Tz-aware timestamps become local
    wall-clock times; the repeated hour of a daylight-saving change is summed into one (handle time:
    volume-weighted). Raises DataError for missing columns, duplicated timestamps, negative values,
    mixed time zones or a handle-time series without its count series.
    """
    if not isinstance(history, pd.DataFrame):
        raise TypeError("history: expected a pandas DataFrame with columns ds, y (and optionally series)")
    for col in ("ds", "y"):
        if col not in history.columns:
            raise _data_error(f"history: column {col!r} is missing (expected columns ds, y and optionally series)")
    df = history
    wall, tz = wall_clock(df["ds"])
    names = df["series"].astype(str) if "series" in df.columns else pd.Series("y", index=df.index)
    all_names = [str(n) for n in pd.unique(names)]
    pairs = pair_handle_time(all_names)
    wide = AHT in df.columns
    if wide and pairs:
        raise _data_error(f"history: handle time is given twice, as a column {AHT!r} and as the series "
                          f"{sorted(pairs)}; keep one of them")
    wanted = None if series is None else ([series] if isinstance(series, str) else list(series))
    if wanted is not None:
        unknown = sorted(set(wanted) - set(all_names))
        if unknown:
            raise ValueError(f"series: {unknown} not in history (have {sorted(all_names)})")
        for n in wanted:
            if n in pairs:
                raise ValueError(f"series: {n!r} is the handle time of {pairs[n]!r}; select {pairs[n]!r} "
                                 f"(its forecast carries an {AHT} column)")
    y_all = pd.to_numeric(df["y"], errors="coerce").astype(float).to_numpy()
    aht_col = pd.to_numeric(df[AHT], errors="coerce").astype(float).to_numpy() if wide else None
    pos_of = names.groupby(names.to_numpy(), sort=False).indices
    counts: dict[str, pd.Series] = {}
    aht: dict[str, pd.Series] = {}
    for name in all_names:
        if name in pairs or (wanted is not None and name not in wanted):
            continue
        pos = pos_of[name]
        s = _one_series(name, wall[pos], y_all[pos], tz)
        counts[name] = s.dropna()
        partner = next((k for k, v in pairs.items() if v == name), None)
        if partner is not None:
            p = pos_of[partner]
            a = _handle_time(partner, wall[p], y_all[p], wall[pos], y_all[pos], tz)
        elif aht_col is not None:
            a = _handle_time(f"{name}, column {AHT}", wall[pos], aht_col[pos], wall[pos], y_all[pos], tz)
        else:
            continue
        if a.notna().any():
            aht[name] = a.dropna()
    if not counts:
        raise ValueError("history: no rows to forecast")
    return History(counts, aht, tz)


def _one_series(name: str, wall: pd.DatetimeIndex, y: np.ndarray, tz) -> pd.Series:
    s = pd.Series(y, index=wall).sort_index()
    if tz is not None:
        # work in local wall-clock time: the repeated hour of a DST change is summed into one
        s = s.groupby(s.index).sum(min_count=1)
    dup = s.index.duplicated()
    if dup.any():
        raise _data_error(f"history: series {name!r} has {int(dup.sum())} duplicated timestamps "
                          f"(first {s.index[dup][0]}); expected one row per series and ds")
    if (s < 0).any():
        bad = s.index[(s < 0).to_numpy()][0]
        raise _data_error(f"history: series {name!r} has a negative y at {bad}; expected y >= 0")
    return s


def _handle_time(label: str, wall: pd.DatetimeIndex, aht: np.ndarray, calls_wall: pd.DatetimeIndex,
                 calls: np.ndarray, tz) -> pd.Series:
    """Handle time indexed by wall-clock time. The two occurrences of the repeated hour of a DST
    change are merged into one slot (their calls are summed there) by their plain mean."""
    a = pd.Series(aht, index=wall).sort_index()
    if (a < 0).any():
        bad = a.index[(a < 0).to_numpy()][0]
        raise _data_error(f"history: handle time {label!r} is negative at {bad}; expected seconds >= 0")
    if tz is None:
        dup = a.index.duplicated()
        if dup.any():
            raise _data_error(f"history: handle time {label!r} has {int(dup.sum())} duplicated timestamps "
                              f"(first {a.index[dup][0]}); expected one row per series and ds")
        return a
    weights = pd.Series(calls, index=calls_wall).groupby(level=0).sum().reindex(a.index).to_numpy()
    return weighted_mean_by(a.index, a.to_numpy(), weights)


def split_series(history: pd.DataFrame, series: str | Sequence[str] | None = None) -> dict[str, pd.Series]:
    """``{name: y indexed by wall-clock ds}`` of the count series (see :func:`split_history`)."""
    return split_history(history, series).counts


def to_grid(y: pd.Series, freq: str | None) -> tuple[pd.Series, str]:
    """Put a series on the ``freq`` grid (inferred when None): timestamps floored to the grid, values
    of finer data summed per bucket. Raises ValueError when the data is coarser than ``freq``."""
    native = infer_freq(y.index)
    freq = freq or native
    step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    native_step = pd.Timedelta(pd.tseries.frequencies.to_offset(native))
    slots_per_day(freq)  # validates
    if native_step > step:
        raise ValueError(f"freq: the history's step is {native}, coarser than the requested {freq!r}")
    floored = y.index.floor(step) if step < DAY else y.index.normalize()
    if (floored != y.index).any() or native_step < step:
        y = y.groupby(floored).sum()
    return y, freq


def aht_to_grid(aht: pd.Series, calls: pd.Series, freq: str) -> tuple[pd.Series, str]:
    """Handle time on the ``freq`` grid: the volume-weighted mean (weights: ``calls`` at the same
    timestamps) of finer data, NaN for a bucket without calls (see :func:`to_grid`)."""
    step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    floored = aht.index.floor(step) if step < DAY else aht.index.normalize()
    if (floored == aht.index).all() and not floored.duplicated().any():
        return aht, freq
    return weighted_mean_by(floored, aht.to_numpy(), calls.reindex(aht.index).to_numpy()), freq


def horizon_steps(horizon: int | str | pd.Timedelta, freq: str) -> int:
    """Number of grid steps in ``horizon`` (an int of steps or a duration such as ``"14D"``)."""
    if isinstance(horizon, (int, np.integer)) and not isinstance(horizon, bool):
        h = int(horizon)
    else:
        try:
            td = pd.Timedelta(horizon)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"horizon: expected a number of intervals or a duration like '14D', "
                             f"got {horizon!r}") from exc
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
        h = int(td // step)
        if td % step != pd.Timedelta(0):
            raise ValueError(f"horizon: {horizon!r} is not a whole number of {freq} intervals")
    if h < 1:
        raise ValueError(f"horizon: must cover at least one interval, got {horizon!r}")
    return h


# ---------------------------------------------------------------------------------------------
# preparation of one series up to a cutoff
# ---------------------------------------------------------------------------------------------
@dataclass
class Prepared:
    """One series ready for the models: calendar learned, training series cleaned.

    ``train_days`` whole days feed the models (a last day with open hours still to come is left to
    the forecast); ``fc_start`` is the first grid timestamp the models forecast.
    """

    freq: str
    step: pd.Timedelta
    per_day: int
    days: pd.DatetimeIndex
    mat: np.ndarray
    cal: Calendar
    flags: dict
    n_train: int
    clean: pd.Series
    raw: pd.Series
    last_obs: pd.Timestamp
    context: Context

    @property
    def fc_start(self) -> pd.Timestamp:
        return self.days[0] + self.n_train * DAY


def series_calendar(y: pd.Series, freq: str, holidays, until: pd.Timestamp
                    ) -> tuple[pd.DatetimeIndex, np.ndarray, Calendar, dict]:
    """The days of ``y`` (on the ``freq`` grid), its day matrix, its learned calendar (holidays
    through the year after ``until``) and the day flags of :func:`forecast.calendar.learn_calendar`."""
    start_day = y.index[0].normalize()
    n_days = int((y.index[-1].normalize() - start_day) // DAY) + 1
    days = pd.date_range(start_day, periods=n_days, freq="D")
    mat = day_matrix(y, freq, start_day, n_days)
    hol = holiday_names(holidays, range(start_day.year, pd.Timestamp(until).year + 2))
    cal, flags = learn_calendar(mat, days, freq, hol)
    return days, mat, cal, flags


def prepare(y: pd.Series, freq: str, holidays, until: pd.Timestamp, events: pd.DataFrame | None = None,
            min_days: int = 14) -> Prepared:
    """Learn the calendar of ``y`` (on the grid) and build the cleaned training series.

    ``until`` is the last timestamp the forecast must reach (it sets the holiday years).
    """
    if y.empty:
        raise ValueError("history: no observations before the cutoff")
    step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    P = slots_per_day(freq)
    start_day = y.index[0].normalize()
    last_obs = y.index[-1]
    days, mat, cal, flags = series_calendar(y, freq, holidays, until)
    n_days = len(days)
    n_train = n_days
    if P > 1:
        pos = int((last_obs - days[-1]) // step)
        if cal.open_slots[days[-1].weekday(), pos + 1:].any():
            n_train = n_days - 1  # the rest of the last day is forecast, not trained on
    if int(flags["has_data"][:n_train].sum()) < min_days:
        raise ValueError(f"history: need at least {min_days} days with data to forecast, got "
                         f"{int(flags['has_data'][:n_train].sum())}")
    sub = {k: v[:n_train] for k, v in flags.items()}
    clean_mat = clean_days(mat[:n_train], days[:n_train], cal, sub)
    index = pd.date_range(start_day, periods=n_train * P, freq=freq)
    clean = pd.Series(clean_mat.reshape(-1), index=index)
    raw = pd.Series(np.nan_to_num(mat[:n_train].reshape(-1), nan=0.0), index=index)
    ctx = Context(freq=freq, per_day=P, weekday_open=cal.weekday_open,
                  open_slots=cal.open_slots, holidays=cal.holidays, events=events)
    return Prepared(freq, step, P, days, mat, cal, flags, n_train, clean, raw, last_obs, ctx)


@dataclass
class GridForecast:
    """One model's forecast on the wall-clock grid from ``Prepared.fc_start``, calendar applied.

    Arrays of len(index): ``yhat`` (>= 0; closed days and hours 0), ``open`` (False where the
    calendar says closed: the interval is 0 there), ``normal`` (the forecast as if the day were a
    normal open day: the upper reference of an unseen special day), ``special`` (a holiday or an
    unseen special day), ``unseen`` (a special day the history never showed: its interval spans from
    closed to a normal day) and ``cap`` (the largest upper bound allowed, :func:`band_cap`).
    """

    index: pd.DatetimeIndex
    yhat: np.ndarray
    open: np.ndarray
    normal: np.ndarray
    special: np.ndarray
    unseen: np.ndarray
    cap: np.ndarray


#: an upper bound never exceeds this multiple of the largest value the same weekday and time of day
#: shows in the history (nor falls below the forecast)
BAND_CAP = 2.0


def band_cap(prep: Prepared, index: pd.DatetimeIndex) -> np.ndarray:
    """Largest upper bound allowed at each timestamp of ``index``: :data:`BAND_CAP` times the largest
    value of the same weekday and time-of-day slot in the history (0 for a slot never seen)."""
    mat = prep.mat
    wd = prep.days.day_of_week.to_numpy()
    top = np.zeros((7, prep.per_day))
    for w in range(7):
        rows = mat[wd == w]
        if rows.size and np.isfinite(rows).any():
            top[w] = np.nan_to_num(np.nanmax(np.where(np.isnan(rows), -np.inf, rows), axis=0), neginf=0.0)
    slot = ((index - index.normalize()) // prep.step).to_numpy().astype(int) % prep.per_day
    return BAND_CAP * top[index.day_of_week.to_numpy(), slot]


def predict_grid(prep: Prepared, name: str, until: pd.Timestamp, model=None) -> GridForecast:
    """Fit model ``name`` (or refit the given instance) and forecast from ``prep.fc_start`` to ``until``
    (whole days), with the calendar applied (see :class:`GridForecast`)."""
    if name not in MODELS:
        raise ValueError(f"model: {name!r} is not one of {sorted(MODELS)} or 'auto'")
    P = prep.per_day
    n_steps = int((pd.Timestamp(until) - prep.fc_start) // prep.step) + 1
    n_days = -(-n_steps // P)
    h = n_days * P
    index = pd.date_range(prep.fc_start, periods=h, freq=prep.freq)
    model = MODELS[name]() if model is None else model
    fdays = pd.date_range(prep.fc_start, periods=n_days, freq="D")
    slots = prep.cal.open_slots[fdays.day_of_week.to_numpy()]
    if model.raw:
        yhat = np.asarray(model.fit(prep.raw, prep.context).predict(h), dtype=float)
        normal = yhat
        factor = prep.cal.day_factor(fdays)
    else:
        grid = np.asarray(model.fit(prep.clean, prep.context).predict(h), dtype=float).reshape(n_days, P) * slots
        factor = prep.cal.day_factor(fdays, np.clip(grid, 0.0, None).sum(axis=1))
        yhat = (grid * factor[:, None]).reshape(-1)
        normal = grid.reshape(-1)
    unseen = prep.cal.unseen_mask(fdays)
    open_mask = ((factor > 0) | unseen)[:, None] & slots

    def clean(v: np.ndarray) -> np.ndarray:
        return np.clip(np.nan_to_num(np.asarray(v, dtype=float), nan=0.0, posinf=0.0), 0.0, None)

    return GridForecast(index=index, yhat=clean(yhat), open=open_mask.reshape(-1), normal=clean(normal),
                        special=np.repeat(prep.cal.special_mask(fdays), P), unseen=np.repeat(unseen, P),
                        cap=band_cap(prep, index))


def mean_forecast(parts: Sequence[GridForecast]) -> GridForecast:
    """The mean of several models' forecasts on the same grid (an ``auto`` ensemble)."""
    first = parts[0]
    return GridForecast(index=first.index, yhat=np.mean([p.yhat for p in parts], axis=0), open=first.open,
                        normal=np.mean([p.normal for p in parts], axis=0), special=first.special,
                        unseen=first.unseen, cap=first.cap)


# ---------------------------------------------------------------------------------------------
# conformal intervals
# ---------------------------------------------------------------------------------------------
def interval_scale(yhat: np.ndarray) -> np.ndarray:
    """Scale of forecast errors at level ``yhat``: grows like the level for busy intervals and like a
    Poisson count (square root) for quiet ones, never below 1."""
    yhat = np.clip(yhat, 0.0, None)
    return yhat + np.sqrt(yhat) + 1.0


def horizon_bucket(index: pd.DatetimeIndex, start: pd.Timestamp, per_day: int) -> np.ndarray:
    """Bucket of each forecast timestamp for the interval quantiles: the horizon day for intraday
    data, the horizon week for daily data."""
    day = ((index.normalize() - start.normalize()) // DAY).to_numpy().astype(int)
    return day if per_day > 1 else day // 7


MIN_PER_BUCKET = 30


def conformal_quantiles(z: np.ndarray, buckets: np.ndarray, levels: Iterable[int] = LEVELS,
                        pool: int = 0) -> dict:
    """``{level: {bucket: (q_lo, q_hi)}, level: {"all": ...}}`` quantiles of scaled errors ``z``.

    Bucket 0 (the first horizon day or week) uses its own errors; a later bucket ``b`` pools the
    buckets ``b - pool .. b + pool`` (never bucket 0), so that a quantile rests on more than the
    handful of days a few origins give (a quantile estimated from few days is noisy, and noise in a
    quantile lowers coverage on average); buckets still below ``MIN_PER_BUCKET`` errors borrow the
    quantiles of all buckets pooled. A finite-sample correction (conformal style) widens the
    quantile levels slightly.
    """
    out: dict = {}
    for level in levels:
        alpha = (1 - level / 100) / 2

        def q(v: np.ndarray, alpha: float = alpha) -> tuple[float, float]:
            n = len(v)
            hi_lvl = min(1.0, np.ceil((n + 1) * (1 - alpha)) / n)
            lo_lvl = max(0.0, 1.0 - hi_lvl)
            return float(np.quantile(v, lo_lvl)), float(np.quantile(v, hi_lvl))

        table: dict = {"all": q(z) if len(z) else (0.0, 0.0)}
        for b in np.unique(buckets):
            b = int(b)
            near = (buckets == b) if b == 0 else (buckets >= max(1, b - pool)) & (buckets <= b + pool)
            sel = z[near]
            if len(sel) >= MIN_PER_BUCKET:
                table[b] = q(sel)
        out[level] = table
    return out


def pool_width(per_day: int) -> int:
    """Horizon buckets pooled each side by :func:`conformal_quantiles`: three days for intraday data
    (a week of weekdays around each horizon day), none for daily data (its buckets are weeks)."""
    return 3 if per_day > 1 else 0


def apply_intervals(fc: GridForecast | np.ndarray, open_mask: np.ndarray | None, buckets: np.ndarray,
                    quants: dict) -> dict[str, np.ndarray]:
    """Interval columns ``yhat_lo_80...`` of a forecast (a :class:`GridForecast`, or plain ``yhat``
    with its open mask).

    Closed points get zero-width intervals at 0. Upper bounds are capped at ``fc.cap`` (never below
    the forecast). On an unseen special day the interval spans from closed (0) to the upper bound of
    a normal day.
    """
    if isinstance(fc, GridForecast):
        yhat, open_mask, normal, unseen, cap = fc.yhat, fc.open, fc.normal, fc.unseen, fc.cap
    else:
        yhat, normal, unseen, cap = np.asarray(fc, dtype=float), None, None, None
        if open_mask is None:
            raise ValueError("apply_intervals: open_mask is required with a plain yhat array")
    cols: dict[str, np.ndarray] = {}
    for level, table in quants.items():
        known = [b for b in table if b != "all"]
        last = max(known) if known else None
        lo_q = np.empty(len(yhat))
        hi_q = np.empty(len(yhat))
        for i, b in enumerate(buckets):
            key = int(b) if int(b) in table else ("all" if last is None or b < last else last)
            lo_q[i], hi_q[i] = table[key]

        def band(v: np.ndarray, lo_q: np.ndarray = lo_q, hi_q: np.ndarray = hi_q) -> tuple[np.ndarray, np.ndarray]:
            s = interval_scale(v)
            return np.minimum(np.clip(v + lo_q * s, 0.0, None), v), np.maximum(v + hi_q * s, v)

        lo, hi = band(yhat)
        if unseen is not None and unseen.any():
            assert normal is not None  # a GridForecast carries both
            lo = np.where(unseen, 0.0, lo)
            hi = np.where(unseen, np.maximum(hi, band(normal)[1]), hi)
        if cap is not None:
            hi = np.maximum(np.minimum(hi, cap), yhat)
        cols[f"yhat_lo_{level}"] = np.where(open_mask, lo, 0.0)
        cols[f"yhat_hi_{level}"] = np.where(open_mask, hi, 0.0)
    return cols


def fallback_quantiles(prep: Prepared, levels: Iterable[int] = LEVELS) -> dict:
    """Quantiles from in-sample weekly differences when the history is too short to backtest."""
    v = prep.clean.to_numpy()
    week = 7 * prep.per_day
    if len(v) <= week:
        return {lvl: {"all": (-1.0, 1.0)} for lvl in levels}
    prev, cur = v[:-week], v[week:]
    keep = (cur > 0) | (prev > 0)
    z = (cur[keep] - prev[keep]) / interval_scale(prev[keep])
    return conformal_quantiles(z, np.zeros(len(z), dtype=int), levels)


def next_day(ts: pd.Timestamp) -> pd.Timestamp:
    """Midnight after the day of ``ts``: where a forecast from a history ending at ``ts`` starts."""
    return pd.Timestamp(ts).normalize() + DAY


# ---------------------------------------------------------------------------------------------
# the public entry point
# ---------------------------------------------------------------------------------------------
def forecast(
    history: pd.DataFrame,
    horizon: int | str | pd.Timedelta,
    *,
    freq: str | None = None,
    model: str = "auto",
    holidays: str | Iterable | None = None,
    level: Sequence[int] = LEVELS,
    series: str | Sequence[str] | None = None,
    origins: int = 8,
    events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Forecast every series of a history over ``horizon``, with calibrated intervals.

    Parameters
    ----------
    history : contract frame ``ds, y`` (+ optional ``series``; without it one series named ``"y"``).
        It may hold only opening hours, miss days, or record closed days as zeros. Timestamps are
        naive or all in one time zone. Handle time (seconds) may come as series ``aht_s`` /
        ``<name>_aht_s`` or as a column ``aht_s`` (:mod:`forecast.handle_time`).
    horizon : number of ``freq`` intervals, or a duration (``"14D"``, ``"7D"``, ``pd.Timedelta``).
    freq : grid step (``"30min"``, ``"D"``); inferred when None (finer data is summed into ``freq``;
        handle time is averaged weighted by calls).
    model : a name of :data:`forecast.MODELS` or ``"auto"`` (backtest-selected model or ensemble).
    holidays : None, a :mod:`holidays` country/subdivision code (``"CA"``, ``"CA-QC"``, ``"IL"``) or dates.
    level : interval levels in percent, a subset of (80, 95); columns for the others are left out.
    series : keep only this count series (or these); their handle time comes along.
    origins : rolling origins of the backtest that selects (auto) and calibrates the intervals.
    events : optional event regressors for SARIMAX: a frame indexed by day (midnight timestamps)
        with numeric columns covering history and horizon (e.g. a mail-out or surge indicator).

    Returns
    -------
    DataFrame, one row per (series, ds) on the ``freq`` grid covering the horizon from the first
    interval of the day after each series' last day (a last day that ends before its opening hours
    do is neither trained on nor output), closed hours included as zeros: columns ``series, ds,
    yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95, model``, plus ``aht_s`` (seconds; NaN
    where closed and on series without handle time) when the history carries handle time.
    ``yhat >= 0`` and ``lo <= yhat <= hi``; upper bounds never exceed :data:`BAND_CAP` times the
    largest value of the same weekday and time of day in the history.

    Time zones: the forecast works on local wall-clock time (opening hours and holidays are about
    the clock on the wall). A naive history gives naive timestamps; a zone-aware one gives
    timestamps in the same zone, one row per real interval: on the day clocks go forward the
    skipped wall-clock hour has no rows (the day is an hour short), on the day they go back the
    repeated hour has two rows each with the forecast of that wall-clock slot.

    Special days: a candidate holiday whose name the history never shows on an open day is an
    assumption (a public holiday behaves like the holidays the history shows; another one is a
    normal day). Its ``yhat`` follows the assumption and its interval spans from 0 (closed) to the
    upper bound of a normal day.

    ``df.attrs["auto_choice"]`` maps each series to its chosen model and backtest table (auto only);
    ``df.attrs["calendar"]`` holds the learned calendar per series; ``df.attrs["assumptions"]`` lists
    the unseen special days of the horizon: dicts with ``series, date, name, ratio, assumption,
    reason, interval`` (:meth:`forecast.calendar.Calendar.assumptions`).
    """
    from .backtest import run_backtest

    level = tuple(int(x) for x in level)
    if not set(level) <= set(LEVELS):
        raise ValueError(f"level: supported interval levels are {LEVELS}, got {level}")
    if model != "auto" and model not in MODELS:
        raise ValueError(f"model: {model!r} is not one of {sorted(MODELS)} or 'auto'")
    hist = split_history(history, series)
    frames = []
    choices: dict = {}
    calendars: dict = {}
    assumptions: list[dict] = []
    for name, y_raw in hist.counts.items():
        y, f = to_grid(y_raw, freq)
        h = horizon_steps(horizon, f)
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(f))
        start = next_day(y.index[-1])
        until = start + (h - 1) * step
        candidates = list(auto_candidates(f)) if model == "auto" else [model]
        run = run_backtest(y, f, h, candidates, holidays=holidays, origins=origins, events=events)
        if model == "auto":
            members, table = _choose(run, candidates, name)
            label = "auto:" + "+".join(members)
            choices[name] = {"members": members, "backtest": table}
        else:
            members, label = [model], model
        prep = prepare(y, f, holidays, until, events=events)
        fc = mean_forecast([predict_grid(prep, m, until) for m in members])
        z, buckets = run.residuals(members)
        quants = (conformal_quantiles(z, buckets, level, pool_width(prep.per_day)) if len(z) >= 20
                  else fallback_quantiles(prep, level))
        cols = apply_intervals(fc, None, horizon_bucket(fc.index, prep.fc_start, prep.per_day), quants)
        out = pd.DataFrame({"yhat": np.where(fc.open, fc.yhat, 0.0), **cols}, index=fc.index)
        if name in hist.aht:
            a, _ = aht_to_grid(hist.aht[name], y_raw, f)
            out[AHT] = forecast_handle_time(a, y.reindex(a.index), fc.index, fc.open, prep.per_day)
        wall = pd.date_range(start, periods=h, freq=f)
        out = out.reindex(wall)
        out.insert(0, "series", name)
        out["model"] = label
        out = out.rename_axis("ds").reset_index()
        frames.append(out if hist.tz is None else localize_frame(out, hist.tz, f))
        calendars[name] = prep.cal
        assumptions += [{"series": name, **a} for a in prep.cal.assumptions(pd.date_range(start, until.normalize(),
                                                                                            freq="D"))]
    df = pd.concat(frames, ignore_index=True)
    columns = ["series", "ds", "yhat", *[f"yhat_{b}_{lvl}" for lvl in sorted(level) for b in ("lo", "hi")], "model"]
    if hist.aht:
        columns.append(AHT)
    df = df[columns]
    if model == "auto":
        df.attrs["auto_choice"] = {k: {"model": "auto:" + "+".join(v["members"]), "members": v["members"],
                                       "backtest": v["backtest"]} for k, v in choices.items()}
    df.attrs["calendar"] = calendars
    df.attrs["assumptions"] = assumptions
    return df


def localize_frame(df: pd.DataFrame, tz, freq: str) -> pd.DataFrame:
    """A long frame on a wall-clock grid (``series, ds, ...``) put in zone ``tz``: one row per real
    interval, each with the values of its wall-clock slot (:func:`forecast.calendar.localize_grid`)."""
    parts = []
    for _name, part in df.groupby("series", sort=False):
        wall = pd.DatetimeIndex(part["ds"])
        aware, slot = localize_grid(wall, tz, freq)
        rows = part.set_index("ds").reindex(slot)
        rows.index = aware
        parts.append(rows.rename_axis("ds").reset_index())
    return pd.concat(parts, ignore_index=True)[list(df.columns)]


def auto_candidates(freq: str) -> tuple[str, ...]:
    """The models ``auto`` lets compete on a ``freq`` grid: :data:`forecast.models.AUTO_CANDIDATES`,
    without ``theta`` on daily data (there its undamped drift made auto's 90-day intervals too narrow:
    benchmarks/NOTES.md)."""
    if slots_per_day(freq) == 1:
        return tuple(m for m in AUTO_CANDIDATES if m != "theta")
    return AUTO_CANDIDATES


def _choose(run, candidates: list[str], name: str) -> tuple[list[str], pd.DataFrame]:
    """Members chosen by :func:`forecast.backtest.select_members` on all cutoffs, and the table."""
    from .backtest import score_table, select_members

    if not run.origins:
        return (["profile"] if "profile" in candidates else candidates[:1]), pd.DataFrame()
    members = select_members(run, candidates, list(range(len(run.origins))))
    lists = [[c] for c in candidates] + ([members] if len(members) > 1 else [])
    return members, score_table(run, lists, series=name)


def write_forecast(df: pd.DataFrame, path, *, force: bool = False, inputs=()) -> str:
    """Write a forecast frame by the file suffix: ``.csv`` (also ``.csv.gz``), ``.xlsx`` or ``.parquet``.

    Through :mod:`forecast.writers`: text that looks like a spreadsheet formula is escaped (a series
    named ``=HYPERLINK(...)`` stays text), Excel cells hold text as text, the file is written to a
    temporary file beside the target and renamed into place, an existing file is refused unless
    ``force`` and an input file (``inputs``) always. Zone-aware timestamps go to Excel (which has no
    time zones) as text with their UTC offset (``2025-03-03 00:00:00-05:00``, what
    :func:`forecast.read_history` reads back). Returns the path written. Raises ValueError for another
    suffix, :class:`forecast.OutputError` for a refused target.
    """
    import gzip
    import io
    from pathlib import Path

    from .writers import csv_bytes, escape_frame, excel_bytes, write_output

    p = Path(path)
    name = p.name.lower()
    out = df.copy()
    out.attrs = {}
    if name.endswith(".csv"):
        data = csv_bytes(out)
    elif name.endswith(".csv.gz"):
        data = gzip.compress(csv_bytes(out), mtime=0)
    elif name.endswith(".xlsx"):
        for col in out.columns:
            if isinstance(out[col].dtype, pd.DatetimeTZDtype):
                out[col] = out[col].map(lambda t: t.isoformat(sep=" "))
        data = excel_bytes({"forecast": out})
    elif name.endswith(".parquet"):
        buf = io.BytesIO()
        escape_frame(out).to_parquet(buf, index=False)
        data = buf.getvalue()
    else:
        raise ValueError(f"out: {path!s} must end in .csv, .csv.gz, .xlsx or .parquet")
    return str(write_output(p, data, inputs=inputs, force=force))
