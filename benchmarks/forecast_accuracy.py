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

Targets (issue 3): auto MASE <= 0.8 x seasonal naive on every data set and never worse than plain MSTL;
80% coverage between 0.75 and 0.85; auto on 26 weeks of 30-minute data in < 15 s.

Run: ``python benchmarks/forecast_accuracy.py [--origins 8] [--repeats 3] [--quick]``
(``--quick`` skips the 90-day horizon and the full bank year).
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--origins", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()

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
    print(f"\nforecast(auto) on 26 weeks of bank 30-min data, week ahead: median {statistics.median(walls):.2f} s wall, "
          f"{statistics.median(cpus):.2f} s CPU over {args.repeats} runs ({fc['model'].iloc[0]})")


if __name__ == "__main__":
    main()
