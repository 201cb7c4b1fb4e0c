"""A one-screen report on a history: span, grid, gaps, closures, missing values and outliers per series.

This is what ``queuecast validate`` prints after the history passed the contract: a planner reads
it to see whether the data are fit to forecast from (a series with thousands of gaps, or whose
last weeks are outliers, needs a look before it feeds a staffing plan).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.io import DEFAULT_SERIES

__all__ = ["describe_history", "OUTLIER_Z", "OUTLIER_WINDOW", "OPEN_SHARE"]

#: a value is an outlier when it is this many robust standard deviations from its rolling median
OUTLIER_Z = 5.0
#: rolling window, in occurrences of the same weekday (and time of day), for the median and the MAD
OUTLIER_WINDOW = 9
#: a weekday (and time-of-day slot) counts as open when it holds data in at least this share of weeks
OPEN_SHARE = 0.10

_COLUMNS = ["start", "end", "rows", "freq", "expected_rows", "gaps", "zero_days", "missing",
            "outliers", "total", "mean_per_day"]


def describe_history(df: pd.DataFrame, *, holidays=None, horizon: str | pd.Timedelta = "365D") -> pd.DataFrame:
    """Summarise a history frame (as returned by :func:`forecast.read_history`), one row per series.

    Parameters
    ----------
    df:
        Long frame with ``ds`` (timestamps) and ``y`` (numbers, NaN allowed); ``series`` optional
        (without it the whole frame is one series named ``"y"``). Any row order.
    holidays:
        Optional holiday calendar as :func:`forecast.forecast` takes it (a country code such as
        ``"CA"``, or dates). When given, the report says which special days of the ``horizon``
        after the history the history never showed, and what a forecast will assume for them.
    horizon:
        How far after the history to look for unseen special days (a duration, default a year).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``series`` (sorted), with columns:

        * ``start``, ``end``: first and last timestamp.
        * ``rows``: number of rows.
        * ``freq``: detected grid step as a pandas frequency string (``"30min"``, ``"h"``, ``"D"``,
          ``"7D"``, ``"MS"`` for month starts), or ``None`` when the timestamps are irregular.
        * ``expected_rows``: timestamps on the regular grid from start to end *within opening
          hours*, ``<NA>`` when irregular. A weekday, or for intraday data a (weekday, time of day)
          slot, is open when it holds data in at least 10% of the weeks spanned
          (:data:`OPEN_SHARE`); so a centre open 8:00-20:00 Monday to Friday is not reported as
          full of gaps at night and on weekends.
        * ``gaps``: ``expected_rows - distinct timestamps``: open slots (or days) with no row.
        * ``zero_days``: calendar days whose total is exactly 0 (closures, holidays recorded as 0).
        * ``missing``: rows whose ``y`` is NaN.
        * ``outliers``: rows farther than ``5 * 1.4826 * MAD`` (:data:`OUTLIER_Z`) from the rolling
          median of the same weekday and time of day (window of 9 occurrences,
          :data:`OUTLIER_WINDOW`, centred); the scale is floored at ``sqrt(median)`` and 1, the
          Poisson noise of a count, so quiet slots with 0-2 calls are not flagged. Zero days are
          not counted again here.
        * ``total``: sum of ``y`` (NaN skipped).
        * ``mean_per_day``: ``total`` divided by the days with data for daily or finer series,
          by the calendar days spanned (``end`` plus one step, minus ``start``) for coarser ones.
        * ``unseen_holidays`` (only with ``holidays``): special days in the ``horizon`` after the
          history, on weekdays the centre opens, whose holiday the history never shows; ``<NA>``
          for handle-time series and series coarser than a day.

        With ``holidays``, ``attrs["assumptions"]`` lists those days as dicts ``series, date, name,
        ratio, assumption, reason, interval`` (the same that :func:`forecast.forecast` records for
        its horizon, :meth:`forecast.calendar.Calendar.assumptions`), e.g. "Columbus Day: never
        appears on an open day of the history; assumed closed like 3 other holidays".
    """
    if "ds" not in df.columns or "y" not in df.columns:
        raise ValueError(f"df: expected the columns 'ds' and 'y' (read it with read_history); got {list(df.columns)}")
    names = df["series"].astype(str).to_numpy() if "series" in df.columns else np.full(len(df), DEFAULT_SERIES)
    records = []
    for name, pos in sorted(pd.Series(names).groupby(names, sort=False).indices.items()):
        part = df.iloc[pos]
        records.append({"series": name, **_describe_one(part["ds"], part["y"])})
    if not records:
        return pd.DataFrame(columns=_COLUMNS, index=pd.Index([], name="series", dtype=str))
    out = pd.DataFrame.from_records(records).set_index("series")
    out["freq"] = pd.Series([r["freq"] for r in records], index=out.index, dtype=object)  # None, not NaN
    for c in ("expected_rows", "gaps"):
        out[c] = out[c].astype("Int64")
    out = out[_COLUMNS]
    if holidays is not None:
        assumptions = _unseen_special_days(df, holidays, pd.Timedelta(horizon))
        counts = pd.Series([a["series"] for a in assumptions], dtype=object).value_counts()
        known = [n for n in out.index if n in _forecastable(df)]
        out["unseen_holidays"] = pd.array([int(counts.get(n, 0)) if n in known else pd.NA for n in out.index],
                                          dtype="Int64")
        out.attrs["assumptions"] = assumptions
    return out


def _forecastable(df: pd.DataFrame) -> set[str]:
    """Count series on a daily or finer grid (the ones a forecast learns a calendar for)."""
    from forecast.calendar import infer_freq
    from forecast.core import split_series

    out = set()
    for name, y in split_series(df).items():
        try:
            step = pd.Timedelta(pd.tseries.frequencies.to_offset(infer_freq(y.index)))
        except ValueError:
            continue
        if step <= pd.Timedelta("1D") and pd.Timedelta("1D") % step == pd.Timedelta(0):
            out.add(name)
    return out


def _unseen_special_days(df: pd.DataFrame, holidays, horizon: pd.Timedelta) -> list[dict]:
    """Assumptions for the unseen special days of the ``horizon`` after each count series."""
    from forecast.calendar import infer_freq
    from forecast.core import next_day, series_calendar, split_series, to_grid

    out: list[dict] = []
    keep = _forecastable(df)
    for name, y in split_series(df).items():
        if name not in keep:
            continue
        y, f = to_grid(y, infer_freq(y.index))
        start = next_day(y.index[-1])
        days = pd.date_range(start, start + horizon - pd.Timedelta("1D"), freq="D")
        _, _, cal, _ = series_calendar(y, f, holidays, days[-1])
        out += [{"series": name, **a} for a in cal.assumptions(days)]
    return out


def _wall(ds: pd.Series) -> pd.DatetimeIndex:
    """Local wall-clock times: opening hours and days are about the clock on the wall, not UTC."""
    idx = pd.DatetimeIndex(ds)
    return idx.tz_localize(None) if idx.tz is not None else idx


def _detect_freq(uniq: pd.DatetimeIndex) -> tuple[str | None, pd.Timedelta | None]:
    if len(uniq) < 2:
        return None, None
    diffs = uniq[1:] - uniq[:-1]
    days = uniq.normalize()
    tod = uniq - days
    same_day = np.asarray(days[1:] == days[:-1])
    if same_day.any():
        step = pd.Series(diffs[same_day]).mode().iloc[0]
        if (tod % step != pd.Timedelta(0)).any() or pd.Timedelta("1D") % step != pd.Timedelta(0):
            return None, None
        return pd.tseries.frequencies.to_offset(step).freqstr, step
    if (tod == tod[0]).all():
        step = pd.Series(diffs).mode().iloc[0]
        if step % pd.Timedelta("1D") == pd.Timedelta(0) and (diffs % step == pd.Timedelta(0)).all():
            days = step // pd.Timedelta("1D")
            return ("D" if days == 1 else f"{days}D"), step  # pandas 3 spells Timedelta('1D') as '24h'

        if (uniq.day == 1).all() and (tod == pd.Timedelta(0)).all():
            months = uniq.year * 12 + uniq.month
            if pd.Series(np.diff(months)).mode().iloc[0] == 1:
                return "MS", None
    return None, None


def _grid_counts(uniq: pd.DatetimeIndex, freq: str | None, step: pd.Timedelta | None) -> tuple[object, object]:
    if freq is None:
        return pd.NA, pd.NA
    if freq == "MS":
        months = uniq.year * 12 + uniq.month
        expected = int(months[-1] - months[0] + 1)
        return expected, expected - len(uniq)
    grid = pd.date_range(uniq[0], uniq[-1], freq=step)
    if step < pd.Timedelta("1D"):
        per_day = int(pd.Timedelta("1D") / step)

        def key(idx: pd.DatetimeIndex) -> np.ndarray:
            slot = ((idx - idx.normalize()) // step).to_numpy().astype(np.int64)
            return idx.day_of_week.to_numpy() * per_day + slot

        size = 7 * per_day
    else:
        def key(idx: pd.DatetimeIndex) -> np.ndarray:
            return idx.day_of_week.to_numpy().astype(np.int64)

        size = 7
    weeks = max(1.0, (uniq[-1] - uniq[0]) / pd.Timedelta("7D"))
    counts = np.bincount(key(uniq), minlength=size)
    is_open = counts >= max(1.0, OPEN_SHARE * weeks)
    expected = int((is_open[key(grid)] | grid.isin(uniq)).sum())
    return expected, expected - len(uniq)


def _describe_one(ds_col: pd.Series, y_col: pd.Series) -> dict:
    ds = _wall(ds_col)
    y = pd.to_numeric(y_col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    order = np.argsort(ds.to_numpy(), kind="stable")
    ds, y = ds[order], y[order]
    uniq = ds.unique()
    freq, step = _detect_freq(uniq)
    expected, gaps = _grid_counts(uniq, freq, step)

    days = ds.normalize()
    day_total = pd.Series(y).groupby(days.to_numpy()).sum(min_count=1)
    zero_day_set = day_total.index[day_total.to_numpy() == 0]
    on_zero_day = np.asarray(days.isin(zero_day_set))

    total = float(np.nansum(y))
    if freq is None or step is not None and step <= pd.Timedelta("1D"):
        n_days = int(day_total.notna().sum())
    else:
        last = uniq[-1] + (pd.DateOffset(months=1) if freq == "MS" else step)
        n_days = max(1, (last.normalize() - uniq[0].normalize()).days)
    return {
        "start": ds_col.min(),
        "end": ds_col.max(),
        "rows": len(y),
        "freq": freq,
        "expected_rows": expected,
        "gaps": gaps,
        "zero_days": len(zero_day_set),
        "missing": int(np.isnan(y).sum()),
        "outliers": _count_outliers(ds, y, step, on_zero_day),
        "total": total,
        "mean_per_day": total / n_days if n_days else np.nan,
    }


def _count_outliers(ds: pd.DatetimeIndex, y: np.ndarray, step: pd.Timedelta | None, skip: np.ndarray) -> int:
    if len(y) < 3:
        return 0
    if step is not None and step < pd.Timedelta("1D"):
        key = ds.day_of_week.to_numpy() * 100_000 + ((ds - ds.normalize()) // pd.Timedelta("1s")).to_numpy()
    elif step is not None and step == pd.Timedelta("1D"):
        key = ds.day_of_week.to_numpy()
    else:
        key = np.zeros(len(y), dtype=np.int64)
    s = pd.Series(y)
    roll = dict(window=OUTLIER_WINDOW, center=True, min_periods=3)
    med = s.groupby(key).rolling(**roll).median().droplevel(0).sort_index().to_numpy()
    dev = np.abs(y - med)
    mad = pd.Series(dev).groupby(key).rolling(**roll).median().droplevel(0).sort_index().to_numpy()
    scale = np.fmax(1.4826 * mad, np.fmax(np.sqrt(np.abs(med)), 1.0))
    with np.errstate(invalid="ignore"):
        out = dev > OUTLIER_Z * scale
    return int((out & ~skip).sum())
