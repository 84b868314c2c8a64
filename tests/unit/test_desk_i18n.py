"""The desk speaks Bahasa Indonesia first: every string in its code and templates has an
Indonesian translation (`make translations` adds new ones empty), and every template
compiles (the extractor skips a template it cannot parse, without a word)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from babel.messages import pofile
from babel.messages.extract import extract_from_dir

from gateway.desk.i18n import catalog_path, load_catalog

ROOT = Path(__file__).resolve().parents[2]
DESK = ROOT / "gateway" / "desk"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]


def _source_strings() -> set[str]:
    found = extract_from_dir(
        str(DESK), METHODS, keywords={"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)}
    )
    return {msgid if isinstance(msgid, str) else msgid[0] for _f, _l, msgid, _c, _x in found}


def test_every_desk_string_has_an_indonesian_translation():
    with catalog_path("id").open("rb") as po:
        catalog = pofile.read_po(po, locale="id")
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(_source_strings() - translated)
    assert not missing, f"run `make translations` and translate: {missing}"


def test_the_catalogue_loads_and_translates():
    assert load_catalog("id").gettext("Sign in") == "Masuk"
    assert load_catalog("en").gettext("Sign in") == "Sign in"


def test_every_template_compiles():
    """With the app's own Jinja environment: its filters and globals are known."""
    from gateway import create_app
    from gateway.config import Settings

    env = create_app(Settings(database_url="sqlite://", secret_key="k")).jinja_env
    names = [n for n in env.list_templates() if n.startswith("desk/")]
    assert len(names) >= 5
    for name in names:
        env.get_template(name)
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.from_string("{{ x | no_such_filter }}")
