"""Benchmark: does the backlog model see the 2022 passport call surge coming, where calls-only models cannot?

Fit on the bundled passport history up to 2022-03-31, forecast 2022-04-01 .. 2022-12-31:

* ``BacklogModel`` fitted on applications, processed and unique callers, projected with the *actual*
  applications and processed paths (processing capacity as it happened): a conditional forecast, the way a
  planner would use it with a capacity plan;
* calls-only models of the same series by :func:`forecast.forecast` (``model="auto"`` and each candidate
  named below), and a plain seasonal naive (same weekday 52 weeks earlier).

Scored on weekly and monthly totals of the target over the horizon (MAE, MAPE) and on the peak week (date and
size). Targets: ``callers`` (unique callers, the demand) and, for completeness, ``calls`` (attempts, inflated by
redials: no model of demand should match them, see the unconstraining check at the end).

Run: ``python benchmarks/backlog_surge.py [--quick]`` (``--quick`` skips the slower calls-only candidates).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

import forecast

DATA = Path(__file__).resolve().parents[1] / "data" / "passport" / "passport_daily.csv"
CUTOFF = pd.Timestamp("2022-03-31")
END = pd.Timestamp("2022-12-31")


def load() -> pd.DataFrame:
    read = getattr(forecast, "read_history", None)
    if read is not None:
        return read(DATA)
    return pd.read_csv(DATA, parse_dates=["ds"])


def seasonal_naive(y: pd.Series, days: pd.DatetimeIndex) -> np.ndarray:
    """Same weekday 52 weeks (364 days) earlier, repeated forward."""
    out = []
    for d in days:
        src = d - pd.Timedelta(days=364)
        while src > y.index[-1]:
            src -= pd.Timedelta(days=364)
        out.append(float(y.get(src, 0.0)))
    return np.asarray(out)


def scores(pred: pd.Series, actual: pd.Series) -> dict[str, float | str]:
    wk_p, wk_a = pred.resample("W-SUN").sum(), actual.resample("W-SUN").sum()
    mo_p, mo_a = (s.groupby(s.index.to_period("M")).sum() for s in (pred, actual))
    peak_a = wk_a.idxmax()
    return {
        "wk_MAE": float(np.mean(np.abs(wk_p - wk_a))),
        "wk_MAPE%": float(100 * np.mean(np.abs(wk_p - wk_a) / wk_a)),
        "mo_MAE": float(np.mean(np.abs(mo_p - mo_a))),
        "mo_MAPE%": float(100 * np.mean(np.abs(mo_p - mo_a) / mo_a)),
        "total/actual": float(pred.sum() / actual.sum()),
        "peak_week": wk_p.idxmax().date().isoformat(),
        "peak_size/actual": float(wk_p.max() / wk_a[peak_a]),
        "peak_shift_wk": int(round((wk_p.idxmax() - peak_a) / pd.Timedelta(days=7))),
    }


def run(target: str, history: pd.DataFrame, wide: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    days = pd.date_range(CUTOFF + pd.Timedelta(days=1), END, freq="D")
    actual = wide[target].reindex(days).astype(float)
    train = history[history["ds"] <= CUTOFF]
    rows: dict[str, dict] = {}
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    bm = forecast.BacklogModel(calls_series=target).fit(train)
    proj = bm.project(wide["applications"].reindex(days), wide["processed"].reindex(days)).set_index("ds")
    timings["backlog"] = time.perf_counter() - t0
    rows["backlog (actual apps+processing)"] = scores(proj["calls"], actual)
    inside = ((actual >= proj["calls_lo_95"]) & (actual <= proj["calls_hi_95"]))[actual > 0].mean()
    rows["backlog (actual apps+processing)"]["cover95%"] = float(100 * inside)

    y_train = wide[target].loc[:CUTOFF].astype(float)
    rows["seasonal naive (52 wk)"] = scores(pd.Series(seasonal_naive(y_train, days), index=days), actual)

    calls_only = train[train["series"] == target][["series", "ds", "y"]]
    for name in models:
        t0 = time.perf_counter()
        fc = forecast.forecast(calls_only, horizon=len(days), freq="D", model=name, holidays="CA")
        timings[name] = time.perf_counter() - t0
        fc_model = fc["model"].unique().tolist()
        fc = fc.set_index("ds")["yhat"].reindex(days).fillna(0.0)
        label = f"forecast(model={name!r})"
        if name == "auto":
            label += f" -> {set(fc_model)}"
        rows[label] = scores(fc, actual)
    table = pd.DataFrame(rows).T
    table.attrs["timings"] = timings
    wk = actual.resample("W-SUN").sum()
    table.attrs["actual"] = (f"actual {target}: total {actual.sum():,.0f}, peak week ending "
                             f"{wk.idxmax().date()} = {wk.max():,.0f}, mean week {wk.mean():,.0f}")
    table.attrs["coef"] = bm.coef_
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only model='auto' among the calls-only models")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    history = load()
    history = history.assign(ds=pd.to_datetime(history["ds"]))
    wide = history.pivot_table(index="ds", columns="series", values="y", aggfunc="sum")
    models = ["auto"] if args.quick else ["auto", "seasonal_naive", "ets", "sarimax", "mstl"]

    for target in ("callers", "calls"):
        print(f"\n=== target: {target}; fit to {CUTOFF.date()}, forecast {CUTOFF.date() + pd.Timedelta(days=1)}"
              f" .. {END.date()} ===")
        t = run(target, history, wide, models if target == "callers" else ["auto"])
        print(t.attrs["actual"])
        print("backlog model coefficients:", {k: round(v, 4) for k, v in t.attrs["coef"].items()})
        print(t.to_string(float_format=lambda v: f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"))
        print("seconds:", {k: round(v, 1) for k, v in t.attrs["timings"].items()})

    # Unconstraining on the same surge: attempts -> demand, against the generator's fresh callers.
    days = pd.date_range("2022-04-01", END, freq="D")
    hist_attempts = history[history["series"].isin(["calls", "calls_blocked", "calls_abandoned", "calls_answered"])]
    un = forecast.unconstrain(hist_attempts, redial_prob=0.75, redial_prob_abandoned=0.55,
                              redial_lags=(0.0, 0.75, 0.25))
    est = un[un["series"] == "demand"].set_index("ds")["y"].reindex(days)
    truth = wide["callers"].reindex(days)
    att = wide["calls"].reindex(days)
    print("\n=== unconstrain (redial 0.75 blocked / 0.55 abandoned, lags 0/0.75/0.25 open days), Apr-Dec 2022 ===")
    print(f"attempts {att.sum():,.0f}; true fresh callers {truth.sum():,.0f}; estimated demand {est.sum():,.0f} "
          f"(ratio {est.sum() / truth.sum():.3f}); weekly MAPE "
          f"{100 * np.mean(np.abs(est.resample('W-SUN').sum() / truth.resample('W-SUN').sum() - 1)):.1f}%")

    # The 2022 episode as a reusable surge shape (unique callers against the same weeks of 2019).
    shape = forecast.surge_from_history(history, "2022-03-01", END, baseline=2019, series="callers")
    print(f"\n=== surge_from_history(callers, 2022-03-01..{END.date()}, baseline=2019) ===")
    print(f"peak multiplier {shape.peak:.2f} on day {shape.peak_day} "
          f"({(shape.start + pd.Timedelta(days=shape.peak_day)).date()}); "
          f"replayed from 2026-03-01 at half size: peak "
          f"{shape.replay('2026-03-01', scale=0.5).factor(pd.date_range('2026-03-01', periods=306)).max():.2f}")


if __name__ == "__main__":
    main()
