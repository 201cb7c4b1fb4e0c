"""read_history speed on a 300,000-row CSV vs pandas.read_csv alone on the same file (median of 5)."""
import csv
import os
import statistics
import tempfile
import time

import numpy as np
import pandas as pd

import forecast

os.chdir(tempfile.mkdtemp(prefix="qc_read_bench_"))
rng = np.random.default_rng(0)
n = 300_000
ds = pd.date_range("2020-01-01", periods=n // 3, freq="30min")
df = pd.DataFrame({"series": np.repeat(["calls", "applications", "calls_blocked"], n // 3),
                   "ds": np.tile(ds, 3), "y": rng.poisson(40, n) + rng.integers(0, 100, n) / 100})
df = df.sample(frac=1, random_state=1)  # unsorted, as exports often are
df.to_csv("big.csv", index=False)
df.to_csv("big_q.csv", index=False, quoting=csv.QUOTE_ALL)
fr = df.assign(ds=df["ds"].dt.strftime("%d/%m/%Y %H:%M"), y=[repr(v).replace(".", ",") for v in df["y"]])
fr.to_csv("big_fr.csv", index=False, sep=";")

def med(f, k=5):
    ts = []
    for _ in range(k):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)

for name, kw in [("big.csv", {}), ("big_q.csv", {}), ("big_fr.csv", {"sep": ";", "decimal": ","})]:
    a = med(lambda: pd.read_csv(name, **kw))
    b = med(lambda: forecast.read_history(name))
    print(f"{name:11s} pandas.read_csv {a:.3f} s  read_history {b:.3f} s  ratio {b / a:.1f}")
h = forecast.read_history("big.csv")
print(f"describe_history 300k rows: {med(lambda: forecast.describe_history(h)):.3f} s")
h87 = pd.DataFrame({"ds": pd.date_range("2015-01-01", periods=87_600, freq="h"), "y": rng.poisson(50, 87_600).astype(float)})
print(f"describe_history 87,600 rows: {med(lambda: forecast.describe_history(h87)):.3f} s")
