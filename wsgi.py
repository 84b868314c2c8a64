"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import sys

from gateway import create_app
from gateway.errors import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    sys.exit(f"suara: configuration error: {exc}")
