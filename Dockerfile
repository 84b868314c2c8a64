# Suara web and worker image. The same image runs both (see docker-compose.yml and
# docs/deploy.md). Pinned to the full version tag; to pin the digest too, see docs/deploy.md.
FROM python:3.11.17-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 TZ=Asia/Jakarta \
    SUARA_ENV=production
WORKDIR /app

RUN useradd --create-home --uid 10001 suara
# The locked, hashed dependencies first: this layer is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY menus ./menus
COPY workers ./workers
COPY migrations ./migrations
COPY alembic.ini wsgi.py gunicorn.conf.py ./
COPY docs ./docs
RUN pip install --no-deps --no-build-isolation . && mkdir -p /app/instance && chown suara /app/instance

USER suara
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "wsgi:app"]
