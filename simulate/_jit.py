"""``jit``: numba's ``njit`` with the on-disk cache, shared by the compiled parts of :mod:`simulate`."""
from __future__ import annotations

from typing import Any

from numba import njit

__all__ = ["jit"]


def jit(**options: Any):
    """``numba.njit`` with the on-disk cache (compiled once, loaded in ~0.1 s afterwards), or
    without it when numba finds nowhere writable to keep the cache (read-only install)."""

    def wrap(func):
        try:
            return njit(cache=True, **options)(func)
        except RuntimeError:  # numba: "cannot cache function ...: no locator available"
            return njit(cache=False, **options)(func)

    return wrap
