# Policy Maker: one game-server instance. Scale out by running several behind a proxy that
# passes websockets, with DATABASE_URL (PostgreSQL) and REDIS_URL set: see
# docker-compose.yml, deploy/k8s/ and docs/operations.md. deploy/image/build.sh builds this
# file with buildah and plays a bots game against the image's own command.

# ---- build: the package's wheel and a wheel of every dependency --------------------------
# Everything that needs the source tree, the network or (for a dependency published only as
# source) a compiler happens here, so the final stage needs none of them.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /src
# .dockerignore lets in only what the wheel is made of (and constraints.txt, the versions
# the tests passed on), so a local .env, data/ or .venv never reaches the build.
COPY . .
RUN python -m pip wheel --constraint constraints.txt --wheel-dir /wheels .

# ---- final: the installed wheel and nothing else -----------------------------------------
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# The wheels are bind-mounted from the build stage for this one step rather than copied:
# a COPY would keep them in a layer, doubling what the image carries. --no-index: every
# file comes from the build stage, none from the network. A fixed numeric uid/gid, so
# Kubernetes' runAsNonRoot can check it and a mounted volume can be chowned to it; above
# the system range, and --no-log-init keeps useradd from writing a lastlog entry sized by it.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-index --find-links=/wheels /wheels/policymaker-*.whl \
 && groupadd --gid 10001 policymaker \
 && useradd --uid 10001 --gid 10001 --no-create-home --no-log-init --home-dir /app \
      --shell /usr/sbin/nologin policymaker \
 && mkdir -p /app/data \
 && chown 10001:10001 /app/data

# The installed code is compiled at install time and owned by root; nothing may be written
# beside it at run time.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# The server writes nothing but ./data (the SQLite file and the generated secret key when
# neither DATABASE_URL nor SECRET_KEY is given), relative to the working directory.
WORKDIR /app
USER 10001:10001
VOLUME ["/app/data"]
EXPOSE 8000

# uvicorn trusts X-Forwarded-* only from these addresses; the proxy is another host.
ENV FORWARDED_ALLOW_IPS="*"

# /healthz answers 200 only when the database answers; the image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

# uvicorn with one process per container (each table is an in-process authority; more
# capacity = more containers). Migrations run on start, under a PostgreSQL advisory lock,
# so instances starting together do not race.
CMD ["policymaker", "serve", "--host", "0.0.0.0", "--port", "8000"]
