"""Specifications of .streamlit/config.toml: no usage statistics, no Deploy button, no traceback for
visitors, and a theme whose every text colour meets WCAG 2.1 AA contrast (4.5:1) where it is shown.

Streamlit draws captions, help texts and the muted parts of widgets in the text colour at 60%
opacity (its "fadedText60"), data-frame headers at 70%; the contrast is computed on the colour the
reader sees, the text colour blended over each background (sRGB, as browsers blend)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

CONFIG = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
THEME = CONFIG["theme"]
AA = 4.5


def rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255.0 for i in (0, 2, 4))


def luminance(colour: tuple[float, float, float]) -> float:
    """WCAG 2.1 relative luminance."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fore: tuple[float, float, float], back: tuple[float, float, float]) -> float:
    hi, lo = sorted((luminance(fore), luminance(back)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def blend(fore: tuple[float, float, float], back: tuple[float, float, float], alpha: float):
    return tuple(alpha * f + (1 - alpha) * b for f, b in zip(fore, back))


def test_the_known_contrasts_come_out_right():
    assert contrast(rgb("#000000"), rgb("#FFFFFF")) == pytest.approx(21.0)
    # the measurement: the default caption colour on white
    assert contrast(rgb("#828180"), rgb("#FFFFFF")) == pytest.approx(3.88, abs=0.01)
    default_caption = blend(rgb("#2f2d2b"), rgb("#FFFFFF"), 0.6)  # Streamlit's default text at 60%
    assert contrast(default_caption, rgb("#FFFFFF")) < AA


def test_no_usage_statistics_no_deploy_button_no_traceback():
    assert CONFIG["browser"]["gatherUsageStats"] is False
    assert CONFIG["client"]["toolbarMode"] == "minimal"
    assert CONFIG["client"]["showErrorDetails"] == "none"


@pytest.mark.parametrize("background", ["backgroundColor", "secondaryBackgroundColor"])
@pytest.mark.parametrize(("opacity", "what"), [(1.0, "text"), (0.7, "table headers"), (0.6, "captions and help")])
def test_text_captions_and_help_meet_4_5_to_1(background, opacity, what):
    back = rgb(THEME[background])
    seen = blend(rgb(THEME["textColor"]), back, opacity)
    assert contrast(seen, back) >= AA, (what, background, round(contrast(seen, back), 2))


def test_links_and_primary_buttons_meet_4_5_to_1():
    white = rgb("#FFFFFF")
    for background in ("backgroundColor", "secondaryBackgroundColor"):
        assert contrast(rgb(THEME["linkColor"]), rgb(THEME[background])) >= AA
        assert contrast(rgb(THEME["primaryColor"]), rgb(THEME[background])) >= AA
    assert contrast(white, rgb(THEME["primaryColor"])) >= AA  # white label on a primary button


@pytest.mark.parametrize("colour", ["red", "orange", "yellow", "green", "blue", "violet", "gray"])
def test_coloured_texts_meet_4_5_to_1_on_their_own_background_and_the_page(colour):
    text = rgb(THEME[f"{colour}TextColor"])
    for background in (THEME[f"{colour}BackgroundColor"], THEME["backgroundColor"], THEME["secondaryBackgroundColor"]):
        assert contrast(text, rgb(background)) >= AA, (colour, background)
