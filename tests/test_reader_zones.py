"""Histories whose UTC offsets change with daylight saving: the zone is found, named, and kept."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import forecast
import simulate


def _weekday_quarter_hours(zone: str) -> str:
    ds = pd.date_range("2025-02-03", "2025-04-25", freq="15min", tz=zone)
    ds = ds[(ds.day_of_week < 5) & (ds.hour >= 8) & (ds.hour < 17)]
    ds = ds[ds.normalize() != pd.Timestamp("2025-04-18", tz=zone)]  # Good Friday: a holiday left out
    y = np.random.default_rng(1).poisson(20, len(ds))
    return "ds,y\n" + "\n".join(f"{d.isoformat()},{v}" for d, v in zip(ds, y)) + "\n"


@pytest.mark.parametrize("zone, expected", [("America/Toronto", "America/Toronto"),
                                            ("America/Vancouver", "America/Vancouver"),
                                            ("Europe/Paris", "Europe/Paris")])
def test_changing_offsets_are_read_in_the_zone_they_match_with_a_warning_naming_it(zone, expected):
    text = _weekday_quarter_hours(zone).encode()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = forecast.read_history(text, name="calls.csv")
    assert str(history["ds"].dt.tz) == expected
    notes = [str(w.message) for w in caught if issubclass(w.category, forecast.DataWarning)]
    assert any(expected in n and "calls.csv" in n and "tz=" in n for n in notes), notes
    # local opening hours are kept across the change of clocks: 08:00 before and after
    hours = history["ds"].dt.hour
    assert hours.min() == 8 and hours.max() == 16
    demand = simulate.Demand.from_frame(history)
    assert demand.interval_s == 900.0 and str(demand.tz) == expected


def test_offsets_no_zone_explains_are_refused_naming_the_line():
    text = b"ds,y\n2025-01-06T08:00:00-05:00,3\n2025-01-06T08:15:00+03:17,4\n"
    with pytest.raises(forecast.DataError, match=r"line 3.*UTC offset"):
        forecast.read_history(text, name="odd.csv")


def test_a_given_zone_wins_over_the_inferred_one():
    text = _weekday_quarter_hours("America/Toronto").encode()
    history = forecast.read_history(text, name="calls.csv", tz="America/New_York")
    assert str(history["ds"].dt.tz) == "America/New_York"
