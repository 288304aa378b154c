# battbot webhook app. Build: docker build -t battbot .
# Run:   docker run -p 8080:8080 -e GITHUB_WEBHOOK_SECRET=… -e BATTBOT_RUNNER_SECRET=… \
#          -v /srv/battbot/config.json:/etc/battbot/config.json:ro battbot
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/battbot

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 --home /var/lib/battbot battbot
COPY --from=build /src/target/release/battbot /usr/local/bin/battbot
USER battbot
WORKDIR /var/lib/battbot
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s CMD ["battbot", "--version"]
ENTRYPOINT ["battbot", "serve", "--listen", "0.0.0.0:8080"]
CMD ["--config", "/etc/battbot/config.json"]
