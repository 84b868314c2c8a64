# Suara web and worker image. The same image runs both (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 TZ=Asia/Jakarta
WORKDIR /app

RUN useradd --create-home --uid 10001 suara
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY menus ./menus
COPY workers ./workers
COPY migrations ./migrations
COPY alembic.ini wsgi.py gunicorn.conf.py ./
RUN pip install . && mkdir -p /app/instance && chown suara /app/instance

USER suara
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "wsgi:app"]
