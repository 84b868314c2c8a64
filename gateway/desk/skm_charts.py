"""The SKM page's charts: SVG drawn on the server by pygal, served as ``image/svg+xml`` at
``/staff/skm/chart.svg`` and shown with ``<img>`` (pygal puts a ``<style>`` in its SVG, which
the page's CSP would refuse inline). No JavaScript: pygal's config ``<script>`` is dropped
and its external tooltip script never named.

Each bar is coloured by its grade and says it in text too (``62,50 D``; a weak unsur's label
ends with the word for it), so colour is never the only sign. ``size="s"`` is the phone
version: narrower, the band labels left out (their guides stay).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pygal
from flask_babel import format_decimal
from flask_babel import gettext as _
from pygal.style import Style

from gateway.citizens.ikm import GRADES, Grade, grade

# pygal appends a legacy ``sys.meta_path`` finder (``PluginImportFixer``, only for pygal.maps
# plugins, which the desk does not use); Python 3.11 warns (ImportWarning) on every failed
# import that reaches it, e.g. a library probing an optional dependency. Take it out again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

COLOURS = {"A": "#1b5e20", "B": "#4f7f2a", "C": "#d84315", "D": "#b71c1c"}
"""A dark green, B green, C orange, D red: white text on each reads at 4.5:1 or close."""
SIZES = {"l": (720, 36, 14), "s": (340, 34, 12)}
"""width, pixels per bar, font size."""
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def number(value: Decimal | float, places: int = 2) -> str:
    """``79,86`` in Indonesian, ``79.86`` in English (``places`` decimals)."""
    return str(format_decimal(value, format="#,##0." + "0" * places))


def _style(font: int) -> Style:
    return Style(
        background="white",
        plot_background="white",
        foreground="#222",
        foreground_strong="#000",
        foreground_subtle="#555",
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        label_font_size=font,
        major_label_font_size=font,
        value_font_size=font,
        title_font_size=font + 2,
        no_data_font_size=font + 2,
        colors=("#1565c0",),
        value_colors=("#fff",),
        opacity="1",
        opacity_hover="1",
        guide_stroke_color="#999",
    )


def _bands(size: str) -> list[dict[str, Any]]:
    """The value axis: 0, where C, B and A start (a guide line each, lettered), 100."""
    marks: list[dict[str, Any]] = [{"value": 0, "label": "0"}]
    for g in reversed(GRADES[:-1]):
        marks.append({"value": float(g.lower), "label": g.letter if size == "l" else ""})
    marks.append({"value": 100, "label": "100"})
    return marks


def _render(chart: Any) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _bar(value: Decimal | None) -> dict[str, Any] | None:
    if value is None:
        return None
    found: Grade = grade(value)
    text = f"{number(value)} {found.letter}"
    return {
        "value": float(value),
        "color": COLOURS[found.letter],
        "formatter": _constant(text),
    }


def _constant(text: str) -> Callable[[Any], str]:
    return lambda _value: text


def bars(labels: Sequence[str], values: Sequence[Decimal | None], *, size: str) -> str:
    """One horizontal bar per label (the first on top) on the 0-100 scale, coloured and
    lettered by grade; a label whose value is weak (C or D) gets the word for it."""
    width, per_bar, font = SIZES.get(size, SIZES["l"])
    weak = _("weak")
    shown = [
        f"{label} ({weak})" if value is not None and grade(value).weak else label
        for label, value in zip(labels, values, strict=True)
    ]
    options: dict[str, Any] = {
        "js": [],
        "width": width,
        "show_legend": False,
        "range": (0, 100),
        "print_values": True,
        "print_values_position": "center",
        "style": _style(font),
        "y_labels": _bands(size),
        "show_x_guides": False,
        "show_y_guides": True,
        "margin": 6,
        "spacing": 4,
        "truncate_label": -1,
        "no_data_text": _("No responses yet"),
    }
    chart = pygal.HorizontalBar(height=max(160, per_bar * len(labels) + 50), **options)
    chart.x_labels = shown[::-1]  # pygal draws the first at the bottom
    chart.add("", [_bar(v) for v in values][::-1])
    return _render(chart)
