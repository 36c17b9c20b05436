# syntax=docker/dockerfile:1
# nnplay in a container: the README's install step (scripts/install.sh, the one ./scripts/run.sh runs)
# on python:3.11-slim with the CPU build of torch==2.13.0, served by a non-root user on 0.0.0.0:8000.
# Build and run: `docker compose up` (see docker-compose.yml), or
#   docker build -t nnplay . && docker run -p 8000:8000 -e NNPLAY_API_TOKEN=<secret> -v nnplay-data:/data nnplay
# (bound to 0.0.0.0 in the container, the server refuses to start without NNPLAY_API_TOKEN unless
# NNPLAY_ALLOW_UNAUTHENTICATED=true, as docker-compose.yml sets for its loopback-only port)
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A non-root user owning the app folder and /data; a named volume mounted on /data starts as a copy
# of the image's /data, so it is writable by this user too.
RUN groupadd --system --gid 10001 nnplay \
 && useradd --system --uid 10001 --gid nnplay --create-home --home-dir /home/nnplay nnplay \
 && mkdir -p /app /data \
 && chown nnplay:nnplay /app /data
USER nnplay
WORKDIR /app

# scripts/install.sh reads TORCH_INDEX_URL for its torch step only: PyTorch's CPU-only wheel index.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# and NNPLAY_EXTRAS for optional extras: `ray` for the compose file's `ray` profile (Running for a class)
ARG NNPLAY_EXTRAS=

# What the install needs first (the editable install reads backend/), so that a change to the
# frontend or the tests does not reinstall torch; the pip cache mount keeps wheels between builds.
COPY --chown=nnplay:nnplay scripts/ scripts/
COPY --chown=nnplay:nnplay backend/ backend/
RUN --mount=type=cache,target=/home/nnplay/.cache/pip,uid=10001,gid=10001 \
    scripts/install.sh
COPY --chown=nnplay:nnplay . .

ENV PATH=/app/.venv/bin:$PATH \
    NNPLAY_HOST=0.0.0.0 \
    NNPLAY_PORT=8000 \
    NNPLAY_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000

# python, not curl (slim has no curl); urlopen raises, so a non-2xx answer or no answer fails the check
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/health' % os.environ.get('NNPLAY_PORT', '8000'), timeout=4)"]

CMD ["/app/.venv/bin/nnplay", "serve"]
