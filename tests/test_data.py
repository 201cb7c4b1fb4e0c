"""The bundled sample data: deterministic, in sync with its generators, and calibrated to the public figures.

The passport data is SYNTHETIC (data/passport/generate.py); these tests pin the calibration promised in
data/README.md so a change to the generator that breaks it fails here.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
PASSPORT = ROOT / "data" / "passport"
BANK = ROOT / "data" / "anonymous_bank"
FILES = ("passport_daily.csv", "passport_daily_wide.csv", "passport_intraday_30min.csv")

# Published yearly applications (GC Service Inventory, FY April-March) that fall wholly in 2016-2024.
PUBLISHED_FY = {2018: 2_894_929, 2019: 2_298_340, 2020: 354_037, 2021: 1_406_647, 2022: 3_429_561,
                2023: 4_984_089}


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _load(PASSPORT / "generate.py", "passport_generate")


@pytest.fixture(scope="module")
def fresh_dir(generator: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("passport_a")
    generator.main(out)
    return out


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    """The committed long daily file pivoted wide: one row per date, one column per series."""
    long = pd.read_csv(PASSPORT / "passport_daily.csv", parse_dates=["ds"])
    return long.pivot(index="ds", columns="series", values="y")


@pytest.fixture(scope="module")
def intraday() -> pd.DataFrame:
    return pd.read_csv(PASSPORT / "passport_intraday_30min.csv", parse_dates=["ds"])


@pytest.fixture(scope="module")
def closed_weekdays(generator: ModuleType) -> pd.DatetimeIndex:
    days = generator.federal_holidays(generator.START, generator.END)
    return pd.DatetimeIndex(sorted(d for d in days if d.day_of_week < 5))


# --- determinism and drift ---------------------------------------------------------------------------

def test_passport_generator_writes_identical_bytes_on_every_run(generator, fresh_dir, tmp_path):
    generator.main(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (fresh_dir / name).read_bytes(), name


def test_committed_passport_files_equal_a_fresh_generation(fresh_dir):
    for name in FILES:
        assert (PASSPORT / name).read_bytes() == (fresh_dir / name).read_bytes(), (
            f"data/passport/{name} differs from the generator's output: run python data/passport/generate.py")


def test_committed_bank_30min_file_equals_a_fresh_aggregation(tmp_path):
    aggregate = _load(BANK / "aggregate.py", "bank_aggregate")
    path = aggregate.main(tmp_path)
    assert path.read_bytes() == (BANK / "anonymous_bank_1999_30min.csv").read_bytes()


def test_bank_30min_keeps_every_call_of_the_6min_data():
    six = pd.read_csv(next(BANK.glob("anonymous_bank_1999_6min.csv*")), parse_dates=["ds"])
    thirty = pd.read_csv(BANK / "anonymous_bank_1999_30min.csv", parse_dates=["ds"])
    assert len(six) == 365 * 240 and len(thirty) == 365 * 48
    assert thirty["y"].sum() == pytest.approx(445_414.5)
    assert thirty["y"].sum() == pytest.approx(six["y"].sum())
    assert (thirty["ds"].diff().dropna() == pd.Timedelta("30min")).all()


# --- shape of the history contract -----------------------------------------------------------------------

def test_daily_file_has_the_contract_columns_and_every_date_for_counts(daily):
    long = pd.read_csv(PASSPORT / "passport_daily.csv")
    assert list(long.columns) == ["series", "ds", "y"]
    dates = pd.date_range("2016-01-01", "2024-12-31", freq="D")
    for s in ("applications", "processed", "backlog", "past_standard", "calls", "calls_answered",
              "calls_abandoned", "calls_blocked", "callers"):
        col = daily[s]
        assert col.index.equals(dates), s
        assert col.notna().all() and (col >= 0).all() and (col == col.round()).all(), s


def test_aht_is_given_on_open_days_only_and_within_the_assumed_range(daily):
    open_day = daily["calls"] > 0
    assert daily.loc[open_day, "aht_s"].notna().all()
    assert daily.loc[~open_day, "aht_s"].isna().all()
    assert daily["aht_s"].dropna().between(480, 660).all()


# --- calibration ---------------------------------------------------------------------------------------

def test_fiscal_year_applications_match_the_published_totals_within_3_percent(daily):
    apps = daily["applications"]
    fy = np.where(apps.index.month >= 4, apps.index.year, apps.index.year - 1)
    totals = apps.groupby(fy).sum()
    for year, published in PUBLISHED_FY.items():
        assert totals[year] == pytest.approx(published, rel=0.03), year


def test_monthly_applications_match_the_published_months(daily):
    monthly = daily["applications"].resample("MS").sum()
    assert monthly["2022-05-01"] == pytest.approx(281_055, rel=0.01)
    assert monthly["2020-05-01"] == 2_917
    # a few more months of the canada.ca statistics page, copied here so the test does not trust the generator
    for month, value in {"2022-04-01": 261_183, "2023-01-01": 371_842, "2024-01-01": 551_335,
                         "2024-12-01": 323_507}.items():
        assert monthly[month] == value, month


def test_applications_peak_in_spring_and_summer_before_the_pandemic(daily):
    apps = daily.loc["2016":"2019", "applications"]
    by_month = apps.groupby(apps.index.month).sum()
    assert by_month.loc[3:7].mean() > 1.25 * by_month.loc[[9, 10, 11, 12]].mean()


def test_applications_collapse_in_2020_and_are_lower_on_weekends(daily):
    apps = daily["applications"]
    assert apps["2020-04":"2020-05"].sum() < 0.05 * apps["2019-04":"2019-05"].sum()
    weekday = apps[apps.index.day_of_week < 5].mean()
    weekend = apps[apps.index.day_of_week >= 5]
    assert (weekend > 0).mean() > 0.9 and weekend.mean() < 0.2 * weekday


def test_calls_are_zero_on_weekends_and_statutory_holidays(daily, closed_weekdays):
    calls = daily["calls"]
    assert (calls[calls.index.day_of_week >= 5] == 0).all()
    assert len(closed_weekdays) >= 80
    assert (calls.reindex(closed_weekdays) == 0).all()
    open_weekdays = calls[(calls.index.day_of_week < 5) & ~calls.index.isin(closed_weekdays)]
    assert (open_weekdays > 0).all()


def test_calls_rebound_on_the_day_after_a_holiday(daily, closed_weekdays):
    calls = daily["calls"]
    ratios = []
    for h in closed_weekdays:
        nxt = calls[h + pd.Timedelta(days=1):].loc[lambda c: c > 0].index[0]
        peers = [nxt + pd.Timedelta(weeks=w) for w in (-2, -1, 1, 2)]
        peer_calls = calls.reindex(peers).loc[lambda c: c > 0]
        if len(peer_calls) >= 2:
            ratios.append(calls[nxt] / peer_calls.mean())
    assert np.median(ratios) > 1.15


def test_mondays_are_the_busiest_open_day(daily, closed_weekdays):
    calls = daily.loc["2016":"2019", "calls"]
    calls = calls[(calls > 0) & ~calls.index.isin(closed_weekdays + pd.Timedelta(days=1))]
    by_day = calls.groupby(calls.index.day_of_week).mean()
    assert by_day.idxmax() == 0 and by_day.idxmin() == 4


def test_2019_calls_are_a_few_thousand_a_day_and_the_2022_surge_exceeds_150k(daily):
    open_2019 = daily.loc["2019", "calls"].loc[lambda c: c > 0]
    assert 3_000 <= open_2019.median() <= 8_000
    summer_2022 = daily.loc["2022-06-01":"2022-09-30", "calls"]
    assert summer_2022.max() > 150_000
    assert summer_2022.max() > 20 * open_2019.median()


def test_surge_attempts_exceed_answered_plus_abandoned_with_3_to_4_attempts_per_caller(daily):
    surge = daily.loc["2022-06-01":"2022-09-30"]
    assert (surge["calls_blocked"].sum()) > 0.5 * surge["calls"].sum()
    assert (surge["calls"] >= surge["calls_answered"] + surge["calls_abandoned"]).all()
    weekly = daily.loc["2022"].resample("W-SUN").sum()
    worst = (weekly["calls"] / weekly["callers"]).max()
    assert 3.0 <= worst <= 4.5
    calm = daily.loc["2023-06":"2024-12"]
    assert calm["calls"].sum() / calm["callers"].sum() < 1.2


def test_calls_are_conserved_every_day(daily):
    parts = daily["calls_answered"] + daily["calls_abandoned"] + daily["calls_blocked"]
    assert (parts == daily["calls"]).all()


def test_backlog_is_conserved_and_peaks_in_2022(daily):
    backlog, apps, done = daily["backlog"], daily["applications"], daily["processed"]
    assert (backlog.diff().iloc[1:] == (apps - done).iloc[1:]).all()
    assert backlog.idxmax().year == 2022
    late = daily["past_standard"]
    assert late.loc["2022-06":"2022-09"].max() > 150_000
    assert late.loc["2022-03-31"] < late.loc["2022-07-31"]
    assert late.loc["2023-02":"2023-12"].max() == 0  # cleared by early 2023


def test_july_2022_processing_matches_45_to_54k_a_week(daily):
    weekly = daily.loc["2022-07-04":"2022-07-31", "processed"].resample("W-SUN").sum()
    assert weekly.between(45_000, 60_000).all()


def test_status_calls_respond_to_backlog_bumps_before_2022(daily):
    """Each pre-2022 spring bump of late applications lifts calls, so the response is learnable by 2022-03-31."""
    pre = daily.loc["2016":"2022-03-31"]
    pre = pre[pre["calls"] > 0]
    bumps = pre.groupby(pre.index.year)["past_standard"].max()
    assert (bumps.loc[2016:2019] > 10_000).all()
    late_days = pre[pre["past_standard"] > 10_000]
    calm_days = pre[(pre["past_standard"] == 0) & (pre.index.year < 2020)]
    assert late_days["callers"].mean() > 1.3 * calm_days["callers"].mean()


def test_answered_calls_per_application_in_2023_24_are_about_a_third(daily):
    fy = daily.loc["2023-04-01":"2024-03-31"]
    assert fy["calls_answered"].sum() / fy["applications"].sum() == pytest.approx(0.34, rel=0.15)


# --- intraday ------------------------------------------------------------------------------------------

def test_intraday_sums_equal_daily_calls(daily, intraday):
    per_day = intraday.groupby(intraday["ds"].dt.normalize())["y"].sum()
    assert per_day.index.min() == pd.Timestamp("2024-07-01") and per_day.index.max() == pd.Timestamp("2024-12-31")
    assert (per_day == daily["calls"].reindex(per_day.index)).all()
    assert daily.loc["2024-07-01":"2024-12-31", "calls"].sum() == intraday["y"].sum()


def test_intraday_rows_lie_within_hours_and_holidays_are_zero_rows(intraday, closed_weekdays):
    ds = intraday["ds"]
    assert list(intraday.columns) == ["series", "ds", "y"] and (intraday["series"] == "calls").all()
    assert (ds.dt.day_of_week < 5).all()
    assert ds.dt.hour.between(8, 19).all() and ds.dt.minute.isin([0, 30]).all()
    assert (intraday.groupby(ds.dt.normalize()).size() == 24).all()
    holidays_h2 = closed_weekdays[closed_weekdays >= "2024-07-01"]
    assert len(holidays_h2) >= 5
    assert (intraday.loc[ds.dt.normalize().isin(holidays_h2), "y"] == 0).all()


def test_intraday_profile_peaks_mid_morning_with_a_smaller_afternoon_peak(intraday):
    by_slot = intraday.groupby(intraday["ds"].dt.strftime("%H:%M"))["y"].mean()
    assert by_slot.idxmax() in {"09:30", "10:00", "10:30"}
    assert by_slot["12:30"] < by_slot["14:00"] < by_slot["10:00"]
    assert by_slot["19:30"] < 0.3 * by_slot["10:00"]
