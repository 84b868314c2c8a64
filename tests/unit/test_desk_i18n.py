"""The desk speaks Bahasa Indonesia first: every string in its code and templates has an
Indonesian translation (`make translations` adds new ones empty), and every template
compiles (the extractor skips a template it cannot parse, without a word)."""

from __future__ import annotations

from pathlib import Path

import jinja2
from babel.messages import pofile
from babel.messages.extract import extract_from_dir
from flask import Flask

from gateway.desk import render
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
    """Compiled with the desk's filters (`render.init_app`): Jinja refuses an unknown filter
    outside an ``{% if %}`` at compile time."""
    app = Flask(__name__)
    render.init_app(app)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(DESK / "templates")), extensions=["jinja2.ext.i18n"]
    )
    env.filters.update(app.jinja_env.filters)
    names = env.list_templates()
    assert len(names) >= 5
    for name in names:
        env.get_template(name)
