"""The stylesheet keeps WCAG 2.2 AA contrast: text 4.5:1, borders and focus rings 3:1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "quizsvc" / "web" / "static" / "quizsvc.css").read_text()
VARS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def colour(name: str) -> str:
    return VARS[name] if not name.startswith("#") else name


def rule(selector: str) -> str:
    """Return the declarations of the first rule whose selector list starts with `selector`."""
    m = re.search(re.escape(selector) + r"[^{]*\{([^}]*)\}", CSS)
    assert m, selector
    return m.group(1)


def test_the_palette_is_what_the_rules_use():
    assert {"text", "muted", "bg", "panel", "link", "ok", "ok-bg", "bad", "bad-bg", "line"} <= set(VARS)
    assert "var(--text)" in rule("body") and "var(--bg)" in rule("body")


@pytest.mark.parametrize("fg, bg", [
    ("text", "bg"), ("text", "panel"), ("muted", "bg"), ("muted", "panel"), ("link", "bg"),
    ("ok", "bg"), ("ok", "ok-bg"), ("bad", "bg"), ("bad", "bad-bg"), ("text", "warn-bg"),
    ("#ffffff", "ok"),  # button text
    ("text", "#e3e5e8"),  # secondary button
    ("#ffffff", "#0b2e59"),  # site header
])
def test_text_contrast_is_at_least_4_5(fg: str, bg: str):
    assert contrast(colour(fg), colour(bg)) >= 4.5, (fg, bg)


@pytest.mark.parametrize("fg, bg", [("line", "bg"), ("bad", "bg"), ("text", "focus")])
def test_borders_and_focus_ring_contrast_is_at_least_3(fg: str, bg: str):
    assert contrast(colour(fg), colour(bg)) >= 3, (fg, bg)


def test_focus_is_always_visible():
    focus = rule(":focus-visible")
    assert "outline: 3px solid" in focus and "var(--focus)" in focus
    assert "outline: none" not in CSS and "outline:none" not in CSS
