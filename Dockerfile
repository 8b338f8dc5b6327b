# Policy Maker: one game-server instance. Scale out by running several behind a proxy that
# passes websockets, with DATABASE_URL (PostgreSQL) and REDIS_URL set: see
# docker-compose.yml and docs/operations.md. Not built on the development machine (it has
# no Docker engine); the steps are the ones `make` runs there.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The package is installed
# in editable mode on purpose: the server finds game_content/ and static/ beside app/
# (app.settings.REPO_ROOT), which a wheel in site-packages would not have.
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install -e . \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin policymaker \
 && mkdir -p /app/data \
 && chown policymaker:policymaker /app/data
COPY game_content ./game_content
COPY static ./static

# Never root: the server needs to write nothing but /app/data (the SQLite file and the
# generated secret key when neither DATABASE_URL nor SECRET_KEY is given).
USER policymaker
VOLUME ["/app/data"]
EXPOSE 8000

# uvicorn trusts X-Forwarded-* only from these addresses; the proxy is another container.
ENV FORWARDED_ALLOW_IPS="*"

# /healthz answers 200 only when the database answers; the image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

# The production server: uvicorn with one worker per container (each room is an in-process
# authority; more capacity = more containers). Migrations run on start, under a
# PostgreSQL advisory lock, so instances starting together do not race.
CMD ["policymaker", "serve", "--host", "0.0.0.0", "--port", "8000"]
