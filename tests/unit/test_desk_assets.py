"""The desk's own stylesheet stays well-formed: a lost closing brace (a merge can drop one)
folds every later rule into an @media block and silently breaks other pages."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "gateway" / "desk" / "static" / "desk.css"


def test_every_block_of_desk_css_is_closed():
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"desk.css line {number}: a '}}' closes nothing"
    assert depth == 0, "desk.css: a block is never closed"


def test_no_section_starts_inside_another_block():
    depth = 0
    for number, line in enumerate(CSS.read_text().splitlines(), 1):
        if line.startswith("/*"):
            assert depth == 0, f"desk.css line {number}: a section starts inside a block"
        depth += line.count("{") - line.count("}")
