"""Benchmark: accuracy and interval coverage of ``forecast(model="auto")`` against two peers.

Data sets (all bundled):

* passport daily calls (series ``calls`` of data/passport/passport_daily.csv, holidays ``CA``), horizons
  14 days and 90 days;
* passport 30-minute calls (data/passport/passport_intraday_30min.csv, holidays ``CA``), week ahead;
* the real Israeli bank ("Anonymous Bank" 1999) 30-minute arrivals (data/anonymous_bank, holidays
  ``IL``), week ahead, on the last 26 weeks of 1999 and on the whole year.

Peers, scored in the same run on the same origins by :func:`forecast.backtest` (open intervals only;
MASE scaled by the in-sample weekly seasonal-naive MAE of each training window):

* ``seasonal_naive``: last week repeated (with the shared calendar handling: closed days imputed in
  training, holidays set to zero in the forecast);
* ``mstl_plain``: statsmodels MSTL on the raw series with standard periods (day and week on 30-minute
  data, week and year on daily data), trend by damped Holt, no holiday or closure handling.

``auto`` is scored honestly: at each origin it chooses among its candidates by their backtest on earlier
cutoffs only. Coverage is nested conformal (intervals calibrated on earlier cutoffs only).
Also printed: the wall time of one ``forecast(history, "7D", freq="30min", holidays=...)`` call on 26 weeks
of 30-minute data (median of ``--repeats`` runs) and the CPU time of the same call.

Targets: auto MASE <= 0.8 x seasonal naive on every data set and never worse than plain MSTL;
80% coverage between 0.75 and 0.85; auto on 26 weeks of 30-minute data in < 15 s.

Then **bands at long horizons**: ``forecast.backtest(..., "28D", models=["auto"],
horizon_buckets=[(1, 1), (2, 7), (8, 28)])`` gives the 80% and 95% coverage of auto's nested conformal
intervals per horizon bucket (day 1, days 2-7, days 8-28; target 80% coverage in [0.75, 0.85] in every
bucket), and one ``forecast(history, "28D")`` per data set gives the largest 95% upper bound over the
largest value of the same weekday and time of day in the history (target <= 3) and the summed 95% band
over the summed forecast. Data: the bank (1999), passport 30-minute calls, passport daily calls, and
two years (2023-2024) of 30-minute calls made from the passport daily calls with
``forecast.to_intervals(daily, profile=<passport 30-minute calls>)`` and Poisson draws (synthetic, seed 0).

"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

import forecast

ROOT = Path(__file__).resolve().parents[1]
DAILY = ROOT / "data" / "passport" / "passport_daily.csv"
INTRADAY = ROOT / "data" / "passport" / "passport_intraday_30min.csv"
BANK = ROOT / "data" / "anonymous_bank" / "anonymous_bank_1999_30min.csv"
BANK_6MIN = ROOT / "data" / "anonymous_bank" / "anonymous_bank_1999_6min.csv"
MODELS = ["auto", "seasonal_naive", "mstl_plain"]


def bank_30min() -> pd.DataFrame:
    if BANK.exists():
        return pd.read_csv(BANK, parse_dates=["ds"])
    six = pd.read_csv(BANK_6MIN, parse_dates=["ds"])
    return six.set_index("ds")["y"].resample("30min").sum().reset_index()


def datasets(quick: bool) -> list[tuple[str, pd.DataFrame, str, str]]:
    daily = pd.read_csv(DAILY, parse_dates=["ds"])
    calls = daily[daily["series"] == "calls"][["ds", "y"]]
    intraday = pd.read_csv(INTRADAY, parse_dates=["ds"])[["ds", "y"]]
    bank = bank_30min()
    bank26 = bank[bank["ds"] >= bank["ds"].max().normalize() - pd.Timedelta(weeks=26) + pd.Timedelta("1D")]
    out = [("passport daily calls", calls, "14D", "CA")]
    if not quick:
        out.append(("passport daily calls", calls, "90D", "CA"))
    out += [("passport 30-min calls", intraday, "7D", "CA"),
            ("bank 30-min (last 26 weeks)", bank26, "7D", "IL")]
    if not quick:
        out.append(("bank 30-min (1999)", bank, "7D", "IL"))
    return out


BUCKETS = [(1, 1), (2, 7), (8, 28)]


def passport_two_years_30min(seed: int = 0) -> pd.DataFrame:
    """2023-2024 passport daily calls spread over 30-minute intervals with the passport intraday profile,
    counts drawn from Poisson (synthetic, like the passport data it comes from)."""
    daily = pd.read_csv(DAILY, parse_dates=["ds"])
    calls = daily[(daily["series"] == "calls") & (daily["ds"] >= "2023-01-01")][["ds", "y"]]
    profile = pd.read_csv(INTRADAY, parse_dates=["ds"])[["ds", "y"]]
    spread = forecast.to_intervals(calls, profile=profile, freq="30min")
    rng = np.random.default_rng(seed)
    return spread.assign(y=rng.poisson(spread["y"].to_numpy()).astype(float))


def horizon_datasets(quick: bool) -> list[tuple[str, pd.DataFrame, str]]:
    daily = pd.read_csv(DAILY, parse_dates=["ds"])
    out = [("bank 30-min (1999)", bank_30min(), "IL"),
           ("passport 30-min calls", pd.read_csv(INTRADAY, parse_dates=["ds"])[["ds", "y"]], "CA"),
           ("passport daily calls", daily[daily["series"] == "calls"][["ds", "y"]], "CA")]
    if not quick:
        out.append(("passport 2023-24 spread to 30-min", passport_two_years_30min(), "CA"))
    return out


def slot_max(hist: pd.DataFrame, ds: pd.Series) -> np.ndarray:
    """Largest history value of the weekday and time of day of each timestamp of ``ds``."""
    h = pd.to_datetime(hist["ds"])
    top = hist["y"].groupby([h.dt.day_of_week, h.dt.time]).max()
    return top.reindex(list(zip(ds.dt.day_of_week, ds.dt.time))).fillna(0.0).to_numpy()


def horizon_section(args) -> None:
    print("\n28 days ahead: coverage of auto's intervals by horizon bucket (target 80% in [0.75, 0.85])", flush=True)
    rows = []
    for name, hist, hol in horizon_datasets(args.quick):
        t0 = time.perf_counter()
        bt = forecast.backtest(hist, "28D", models=["auto"], origins=args.horizon_origins, holidays=hol,
                               horizon_buckets=BUCKETS)
        fc = forecast.forecast(hist, "28D", holidays=hol)
        secs = time.perf_counter() - t0
        top = slot_max(hist, fc["ds"])
        ratio = np.where(top > 0, fc["yhat_hi_95"] / np.where(top > 0, top, 1.0),
                         np.where(fc["yhat_hi_95"] > 0, np.inf, 0))
        for _, r in bt[bt["origin"].astype(str) == "all"].iterrows():
            rows.append({"data": name, "days": r["horizon"], "mase": r["mase"], "coverage_80": r["coverage_80"],
                         "coverage_95": r["coverage_95"], "n": int(r["n"]),
                         "in_target": "yes" if 0.75 <= r["coverage_80"] <= 0.85 else "NO"})
        print(f"{name}: max hi95 / slot max {np.max(ratio):.2f}, summed 95% band {fc['yhat_lo_95'].sum():,.0f} to "
              f"{fc['yhat_hi_95'].sum():,.0f} around {fc['yhat'].sum():,.0f} ({fc['model'].iloc[0]}), {secs:.0f} s",
              flush=True)
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--origins", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--horizon-origins", type=int, default=12,
                    help="reported origins of the 28-day section (fewer where the history is short)")
    ap.add_argument("--only", choices=["horizon"], default=None)
    args = ap.parse_args()
    if args.only == "horizon":
        horizon_section(args)
        return

    rows = []
    for name, hist, horizon, hol in datasets(args.quick):
        t0 = time.perf_counter()
        bt = forecast.backtest(hist, horizon, models=MODELS, origins=args.origins, holidays=hol)
        secs = time.perf_counter() - t0
        agg = bt[bt["origin"] == "all"].set_index("model")
        chosen = bt.loc[(bt["model"] == "auto") & (bt["origin"] != "all"), "chosen"].value_counts()
        for m in MODELS:
            rows.append({"data": name, "horizon": horizon, "model": m, "mase": agg.loc[m, "mase"],
                         "rmse": agg.loc[m, "rmse"], "coverage_80": agg.loc[m, "coverage_80"],
                         "coverage_95": agg.loc[m, "coverage_95"], "n": int(agg.loc[m, "n"])})
        auto, naive, plain = (agg.loc[m, "mase"] for m in MODELS)
        print(f"{name}, {horizon}: auto/naive MASE {auto / naive:.3f}, auto/plain MSTL {auto / plain:.3f}, "
              f"backtest {secs:.1f} s; auto picked {({k: int(v) for k, v in chosen.items()})}", flush=True)

    table = pd.DataFrame(rows)
    print()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    bank = bank_30min()
    last26 = bank[bank["ds"] >= bank["ds"].max().normalize() - pd.Timedelta(weeks=26) + pd.Timedelta("1D")]
    walls, cpus = [], []
    for _ in range(args.repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fc = forecast.forecast(last26, "7D", freq="30min", holidays="IL")
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    print(f"\nforecast(auto) on 26 weeks of bank 30-min data, week ahead: "
          f"median {statistics.median(walls):.2f} s wall, "
          f"{statistics.median(cpus):.2f} s CPU over {args.repeats} runs ({fc['model'].iloc[0]})")
    horizon_section(args)


if __name__ == "__main__":
    main()
