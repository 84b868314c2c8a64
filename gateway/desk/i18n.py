"""The desk's two languages (Flask-Babel): Bahasa Indonesia first, English on request.

Source strings are English; `translations/id/LC_MESSAGES/messages.po` holds the Indonesian.
The catalogue is read from the ``.po`` file itself (compiled in memory, once per process),
so there is no ``.mo`` to forget to rebuild. The chosen language lives in the session
(``lang``); the login page has the switch too.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations
from flask import Flask, session
from flask_babel import Babel, Domain

LANGUAGES = ("id", "en")
DEFAULT = "id"
CATALOG_DIR = Path(__file__).parent / "translations"


def catalog_path(language: str) -> Path:
    return CATALOG_DIR / language / "LC_MESSAGES" / "messages.po"


def load_catalog(language: str) -> NullTranslations:
    path = catalog_path(language)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = pofile.read_po(po, locale=language)
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


class PoDomain(Domain):  # type: ignore[misc]
    """Flask-Babel's domain, fed from the ``.po`` files."""

    def __init__(self) -> None:
        super().__init__()
        self._loaded: dict[str, NullTranslations] = {}

    def get_translations(self) -> NullTranslations:
        from flask_babel import get_locale

        language = str(get_locale() or DEFAULT)
        if language not in self._loaded:
            self._loaded[language] = load_catalog(language)
        return self._loaded[language]


def current_language() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


_DOMAIN = PoDomain()


class PoBabel(Babel):  # type: ignore[misc]
    """Flask-Babel whose every request uses the one `PoDomain`."""

    @property
    def domain_instance(self) -> Domain:
        return _DOMAIN


def init_app(app: Flask) -> Babel:
    return PoBabel(
        app,
        locale_selector=current_language,
        timezone_selector=lambda: "Asia/Jakarta",
        default_locale=DEFAULT,
        default_domain="messages",
    )
