# The app's image: two stages (dependencies built apart, only the results copied), the
# server run as an unprivileged user. docs/deploy.md. Pin the base images' digests in
# your registry (`FROM python:3.11.7-slim-bookworm@sha256:...`) for byte-identical builds.
FROM python:3.11.7-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --require-virtualenv -r /tmp/requirements.txt
WORKDIR /app
COPY . /app
# The API docs' static files, collected once (a throwaway key: nothing is signed here).
RUN SECRET_KEY=collectstatic-only-not-a-secret-0123456789-abcdefghijklmnop \
    /opt/venv/bin/python manage.py collectstatic --noinput --verbosity 0

FROM python:3.11.7-slim-bookworm
RUN groupadd --system --gid 10001 cafe \
    && useradd --system --uid 10001 --gid cafe --home-dir /app --shell /usr/sbin/nologin cafe
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    WEB_CONCURRENCY=2 \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics
USER cafe:cafe
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=3)"]
CMD ["python", "manage.py", "serve"]
