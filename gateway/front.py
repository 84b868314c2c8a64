"""``GET /``: a small page that says what this server is and where to go (the staff desk,
health, the docs), instead of a 404; and ``/docs/<name>.md``, the project's docs as plain
text, for an operator on the server without the repository at hand."""

from __future__ import annotations

from flask import Blueprint, Response
from werkzeug.exceptions import NotFound

from gateway.config import PROJECT_ROOT

bp = Blueprint("front", __name__)
DOCS = PROJECT_ROOT / "docs"
PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Suara Disdik Labura</title></head>
<body>
<h1>Suara Disdik Labura</h1>
<p>Gerbang SMS/USSD Dinas Pendidikan Labuhanbatu Utara.
<span lang="en">The SMS/USSD gateway of the Labuhanbatu Utara education office.</span></p>
<ul>
<li><a href="/staff/">Meja kerja staf / Staff desk</a></li>
<li><a href="/healthz">/healthz</a> &middot; <a href="/readyz">/readyz</a> &middot;
<a href="/metrics">/metrics</a></li>
{docs}
</ul>
</body></html>
"""


def _doc_names() -> list[str]:
    return sorted(p.name for p in DOCS.glob("*.md")) if DOCS.is_dir() else []


@bp.get("/")
def index() -> Response:
    names = _doc_names()
    links = " &middot; ".join(f'<a href="/docs/{n}">{n}</a>' for n in names)
    docs = f"<li>Docs: {links}</li>" if names else ""
    response = Response(PAGE.format(docs=docs), mimetype="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


@bp.get("/docs/<name>")
def doc(name: str) -> Response:
    if name not in _doc_names():
        raise NotFound("no such document")
    body = (DOCS / name).read_text(encoding="utf-8")
    return Response(body, mimetype="text/plain", headers={"X-Content-Type-Options": "nosniff"})
