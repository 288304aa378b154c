# battbot webhook app (`battbot serve`).
#
# Build as usual (compiles battbot: a cold release build takes several minutes):
#   docker build -t battbot .
# Other bases (a mirror, a pinned digest) are build arguments:
#   docker build --build-arg RUST_IMAGE=… --build-arg BASE=… -t battbot .
# BINARY=prebuilt copies a `battbot` binary from the build context instead of compiling it
# (scripts/build-images.sh does this with a context holding only the host-built binary).
#
# Run:
#   docker run -p 8080:8080 -e GITHUB_WEBHOOK_SECRET=… -e BATTBOT_RUNNER_SECRET=… \
#     -v /srv/battbot/config.json:/etc/battbot/config.json:ro battbot
# See docs/deploy.md.
ARG RUST_IMAGE=rust:1-slim-bookworm
ARG BASE=debian:bookworm-slim
ARG BINARY=source

FROM ${RUST_IMAGE} AS binary-source
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/battbot \
    && cp target/release/battbot /battbot

FROM ${BASE} AS binary-prebuilt
COPY battbot /battbot

FROM binary-${BINARY} AS binary

FROM ${BASE}
# git: the local forge and report commits; curl: the HEALTHCHECK.
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /var/lib/battbot battbot
COPY --from=binary /battbot /usr/local/bin/battbot
USER battbot
WORKDIR /var/lib/battbot
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["battbot", "serve", "--listen", "0.0.0.0:8080"]
CMD ["--config", "/etc/battbot/config.json"]
