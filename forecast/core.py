"""``forecast()``: history in, interval forecasts out.

The pipeline for each series:

1. **Grid.** Timestamps are put on the regular ``freq`` grid (finer data is summed into ``freq``
   buckets) and laid out as whole calendar days.
2. **Calendar.** Opening days and hours are learned per weekday, as are which holidays matter and how
   much demand they keep (0 when the centre closes) and the share of the lost demand that comes back
   on the first open day after them (:mod:`forecast.calendar`).
3. **Training series.** Holidays, closed-looking days, missing days and rebound days are replaced by a
   typical same-weekday day; closed hours are 0. Missing whole days are treated as missing, never as
   zeros.
4. **Models** (:mod:`forecast.models`) fit the cleaned series and forecast whole days.
5. **Calendar again.** Closed weekdays, hours outside opening hours and closed holidays become exactly 0
   (zero-width intervals); the first open day after a holiday gets the learned rebound (its normal
   forecast plus the learned share of the demand the holidays lost).
6. **Intervals** are conformal: quantiles of backtest errors scaled by the forecast level,
   ``z = (actual - yhat) / (yhat + sqrt(yhat) + 1)``, per horizon day (intraday) or horizon week
   (daily), so quiet hours get narrow bands and busy hours wide ones.

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
    slots_per_day,
)
from .models import AUTO_CANDIDATES, MODELS, Context

__all__ = ["forecast", "split_series", "horizon_steps"]

DAY = pd.Timedelta("1D")
LEVELS: tuple[int, ...] = (80, 95)


def _data_error(msg: str) -> ValueError:
    from .errors import DataError

    return DataError(msg)


# ---------------------------------------------------------------------------------------------
# history -> one grid series per name
# ---------------------------------------------------------------------------------------------
def split_series(history: pd.DataFrame, series: str | Sequence[str] | None = None) -> dict[str, pd.Series]:
    """Split a contract frame into ``{name: y indexed by ds}`` (sorted; NaN y are missing values).

    Without a ``series`` column the frame is one series named ``"y"``. ``series`` keeps one name or
    a list of names. Raises DataError for missing columns, duplicated timestamps or negative values.
    """
    if not isinstance(history, pd.DataFrame):
        raise TypeError("history: expected a pandas DataFrame with columns ds, y (and optionally series)")
    for col in ("ds", "y"):
        if col not in history.columns:
            raise _data_error(f"history: column {col!r} is missing (expected columns ds, y and optionally series)")
    df = history
    names = df["series"].astype(str) if "series" in df.columns else pd.Series("y", index=df.index)
    wanted = None if series is None else ([series] if isinstance(series, str) else list(series))
    if wanted is not None:
        unknown = sorted(set(wanted) - set(names.unique()))
        if unknown:
            raise ValueError(f"series: {unknown} not in history (have {sorted(names.unique())})")
    out: dict[str, pd.Series] = {}
    for name in pd.unique(names):
        if wanted is not None and name not in wanted:
            continue
        part = df[names == name]
        ds = pd.to_datetime(part["ds"])
        y = pd.to_numeric(part["y"], errors="coerce").astype(float)
        s = pd.Series(y.to_numpy(), index=pd.DatetimeIndex(ds.to_numpy() if ds.dt.tz is None else ds))
        s = s.sort_index()
        if s.index.tz is not None:
            # work in local wall-clock time: the repeated hour of a DST change is summed into one
            s = s.groupby(s.index.tz_localize(None)).sum(min_count=1)
        dup = s.index.duplicated()
        if dup.any():
            raise _data_error(f"history: series {name!r} has {int(dup.sum())} duplicated timestamps "
                              f"(first {s.index[dup][0]}); expected one row per series and ds")
        if (s < 0).any():
            bad = s.index[(s < 0).to_numpy()][0]
            raise _data_error(f"history: series {name!r} has a negative y at {bad}; expected y >= 0")
        out[str(name)] = s.dropna()
    if not out:
        raise ValueError("history: no rows to forecast")
    return out


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


def horizon_steps(horizon: int | str | pd.Timedelta, freq: str) -> int:
    """Number of grid steps in ``horizon`` (an int of steps or a duration such as ``"14D"``)."""
    if isinstance(horizon, (int, np.integer)) and not isinstance(horizon, bool):
        h = int(horizon)
    else:
        try:
            td = pd.Timedelta(horizon)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"horizon: expected a number of intervals or a duration like '14D', got {horizon!r}") from exc
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
    n_days = int((last_obs.normalize() - start_day) // DAY) + 1
    days = pd.date_range(start_day, periods=n_days, freq="D")
    mat = day_matrix(y, freq, start_day, n_days)
    years = range(start_day.year, pd.Timestamp(until).year + 2)
    hol = holiday_names(holidays, years)
    cal, flags = learn_calendar(mat, days, freq, hol)
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
    season = (P, 7 * P) if P > 1 else (7, 365)
    ctx = Context(freq=freq, per_day=P, season_lengths=season, weekday_open=cal.weekday_open,
                  open_slots=cal.open_slots, holidays=cal.holidays, events=events)
    return Prepared(freq, step, P, days, mat, cal, flags, n_train, clean, raw, last_obs, ctx)


def predict_grid(prep: Prepared, name: str, until: pd.Timestamp, model=None) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """Fit model ``name`` (or refit the given instance) and forecast from ``prep.fc_start`` to ``until``.

    Returns (grid index, yhat >= 0, open mask) with the calendar applied: closed days and hours are 0
    and ``open`` is False there.
    """
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
        yhat = model.fit(prep.raw, prep.context).predict(h)
        factor = prep.cal.day_factor(fdays)
    else:
        grid = np.asarray(model.fit(prep.clean, prep.context).predict(h), dtype=float).reshape(n_days, P) * slots
        factor = prep.cal.day_factor(fdays, np.clip(grid, 0.0, None).sum(axis=1))
        yhat = (grid * factor[:, None]).reshape(-1)
    open_mask = (factor[:, None] > 0) & slots
    yhat = np.clip(np.nan_to_num(np.asarray(yhat, dtype=float), nan=0.0, posinf=0.0), 0.0, None)
    return index, yhat, open_mask.reshape(-1)


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


def conformal_quantiles(z: np.ndarray, buckets: np.ndarray, levels: Iterable[int] = LEVELS) -> dict:
    """``{level: {bucket: (q_lo, q_hi)}, level: {"all": ...}}`` quantiles of scaled errors ``z``.

    Buckets with fewer than ``MIN_PER_BUCKET`` errors borrow the pooled quantiles. A finite-sample
    correction (conformal style) widens the quantile levels slightly.
    """
    out: dict = {}
    for level in levels:
        alpha = (1 - level / 100) / 2

        def q(v: np.ndarray) -> tuple[float, float]:
            n = len(v)
            hi_lvl = min(1.0, np.ceil((n + 1) * (1 - alpha)) / n)
            lo_lvl = max(0.0, 1.0 - hi_lvl)
            return float(np.quantile(v, lo_lvl)), float(np.quantile(v, hi_lvl))

        table = {"all": q(z) if len(z) else (0.0, 0.0)}
        for b in np.unique(buckets):
            sel = z[buckets == b]
            if len(sel) >= MIN_PER_BUCKET:
                table[int(b)] = q(sel)
        out[level] = table
    return out


def apply_intervals(yhat: np.ndarray, open_mask: np.ndarray, buckets: np.ndarray, quants: dict) -> dict[str, np.ndarray]:
    """Interval columns ``yhat_lo_80...`` for forecasts; closed points get zero-width intervals at 0."""
    s = interval_scale(yhat)
    cols: dict[str, np.ndarray] = {}
    for level, table in quants.items():
        known = [b for b in table if b != "all"]
        last = max(known) if known else None
        lo_q = np.empty(len(yhat))
        hi_q = np.empty(len(yhat))
        for i, b in enumerate(buckets):
            key = int(b) if int(b) in table else ("all" if last is None or b < last else last)
            lo_q[i], hi_q[i] = table[key]
        lo = np.minimum(np.clip(yhat + lo_q * s, 0.0, None), yhat)
        hi = np.maximum(yhat + hi_q * s, yhat)
        lo = np.where(open_mask, lo, 0.0)
        hi = np.where(open_mask, hi, 0.0)
        cols[f"yhat_lo_{level}"] = lo
        cols[f"yhat_hi_{level}"] = hi
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
        It may hold only opening hours, miss days, or record closed days as zeros.
    horizon : number of ``freq`` intervals, or a duration (``"14D"``, ``"7D"``, ``pd.Timedelta``).
    freq : grid step (``"30min"``, ``"D"``); inferred when None (finer data is summed into ``freq``).
    model : a name of :data:`forecast.MODELS` or ``"auto"`` (backtest-selected model or ensemble).
    holidays : None, a :mod:`holidays` country/subdivision code (``"CA"``, ``"CA-QC"``, ``"IL"``) or dates.
    level : interval levels in percent, a subset of (80, 95); columns for the others are left out.
    series : keep only this series name (or names).
    origins : rolling origins of the backtest that selects (auto) and calibrates the intervals.
    events : optional event regressors for SARIMAX: a frame indexed by day (midnight timestamps)
        with numeric columns covering history and horizon (e.g. a mail-out or surge indicator).

    Returns
    -------
    DataFrame, one row per (series, ds) on the ``freq`` grid after each series' last observation
    covering the horizon (closed hours included, as zeros): columns ``series, ds, yhat, yhat_lo_80,
    yhat_hi_80, yhat_lo_95, yhat_hi_95, model``. ``yhat >= 0`` and ``lo <= yhat <= hi``.
    ``df.attrs["auto_choice"]`` maps each series to its chosen model and backtest table (auto only);
    ``df.attrs["calendar"]`` holds the learned calendar per series.
    """
    from .backtest import run_backtest

    level = tuple(int(x) for x in level)
    if not set(level) <= set(LEVELS):
        raise ValueError(f"level: supported interval levels are {LEVELS}, got {level}")
    if model != "auto" and model not in MODELS:
        raise ValueError(f"model: {model!r} is not one of {sorted(MODELS)} or 'auto'")
    frames = []
    choices: dict = {}
    calendars: dict = {}
    for name, y in split_series(history, series).items():
        y, f = to_grid(y, freq)
        h = horizon_steps(horizon, f)
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(f))
        until = y.index[-1] + h * step
        candidates = list(AUTO_CANDIDATES) if model == "auto" else [model]
        if model == "auto" and slots_per_day(f) == 1:
            candidates.remove("topdown")  # identical to ets on daily data
        run = run_backtest(y, f, h, candidates, holidays=holidays, origins=origins, events=events)
        if model == "auto":
            members, table = _choose(run, candidates, name)
            label = "auto:" + "+".join(members)
            choices[name] = {"members": members, "backtest": table}
        else:
            members, label = [model], model
        prep = prepare(y, f, holidays, until, events=events)
        preds = [predict_grid(prep, m, until) for m in members]
        index, _, open_mask = preds[0]
        yhat = np.mean([p[1] for p in preds], axis=0)
        z, buckets = run.residuals(members)
        quants = conformal_quantiles(z, buckets, level) if len(z) >= 20 else fallback_quantiles(prep, level)
        bk = horizon_bucket(index, prep.fc_start, prep.per_day)
        cols = apply_intervals(yhat, open_mask, bk, quants)
        out = pd.DataFrame({"series": name, "ds": index, "yhat": np.where(open_mask, yhat, 0.0), **cols,
                            "model": label})
        # slots between the last observation and the first modelled day are closed hours: zeros
        grid = pd.date_range(prep.last_obs + step, periods=h, freq=f)
        out = out.set_index("ds").reindex(grid)
        num = ["yhat", *cols]
        out[num] = out[num].fillna(0.0)
        out["series"], out["model"] = name, label
        out = out.rename_axis("ds").reset_index()
        frames.append(out)
        calendars[name] = prep.cal
    df = pd.concat(frames, ignore_index=True)
    df = df[["series", "ds", "yhat", *[f"yhat_{b}_{lvl}" for lvl in sorted(level) for b in ("lo", "hi")], "model"]]
    if model == "auto":
        df.attrs["auto_choice"] = {k: {"model": "auto:" + "+".join(v["members"]), "members": v["members"],
                                       "backtest": v["backtest"]} for k, v in choices.items()}
    df.attrs["calendar"] = calendars
    return df


def _choose(run, candidates: list[str], name: str) -> tuple[list[str], pd.DataFrame]:
    """Members chosen by :func:`forecast.backtest.select_members` on all cutoffs, and the table."""
    from .backtest import score_table, select_members

    if not run.origins:
        return (["profile"] if "profile" in candidates else candidates[:1]), pd.DataFrame()
    members = select_members(run, candidates, list(range(len(run.origins))))
    lists = [[c] for c in candidates] + ([members] if len(members) > 1 else [])
    return members, score_table(run, lists, series=name)


def write_forecast(df: pd.DataFrame, path) -> str:
    """Write a forecast frame by the file suffix: ``.csv`` (also ``.csv.gz``), ``.xlsx`` or ``.parquet``.

    Returns the path written. Raises ValueError for another suffix.
    """
    from pathlib import Path

    p = Path(path)
    name = p.name.lower()
    out = df.copy()
    out.attrs = {}
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        out.to_csv(p, index=False)
    elif name.endswith(".xlsx"):
        out.to_excel(p, index=False, sheet_name="forecast")
    elif name.endswith(".parquet"):
        out.to_parquet(p, index=False)
    else:
        raise ValueError(f"out: {path!s} must end in .csv, .csv.gz, .xlsx or .parquet")
    return str(p)
