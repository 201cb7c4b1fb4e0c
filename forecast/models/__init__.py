"""Forecasting model families, one per module, all with ``fit(y, context) -> self`` and
``predict(h) -> np.ndarray`` (see :mod:`forecast.models._base`).

``MODELS`` maps the public names to the classes; ``AUTO_CANDIDATES`` are those ``model="auto"``
lets compete in its backtest.
"""
from __future__ import annotations

from ._base import Context, Model
from .ets import ETS
from .mstl import MSTL, PlainMSTL
from .naive import SeasonalNaive
from .profile import Profile
from .sarimax import SARIMAX
from .theta import Theta
from .yearly import YearlyProfile

MODELS: dict[str, type[Model]] = {
    "seasonal_naive": SeasonalNaive,
    "profile": Profile,
    "ets": ETS,
    "sarimax": SARIMAX,
    "mstl": MSTL,
    "theta": Theta,
    "yearly": YearlyProfile,
    "mstl_plain": PlainMSTL,
}
AUTO_CANDIDATES: tuple[str, ...] = ("seasonal_naive", "profile", "ets", "sarimax", "mstl", "theta", "yearly")

__all__ = ["AUTO_CANDIDATES", "MODELS", "Context", "Model", "ETS", "MSTL", "PlainMSTL", "Profile",
           "SARIMAX", "SeasonalNaive", "Theta", "YearlyProfile"]
