# logship (platform/observability/cmd/logship): ships `make run`'s JSON log files
# (.dizhtime/dev/logs/*.log, or DIZHTIME_LOGSHIP_GLOB) to the local Loki with `service` and
# `level` labels and `trace_id` structured metadata, as promtail.yml does in production.
# Only lines written after it starts are shipped. Sourced by services.sh.
LOGSHIP_PORT=${DIZHTIME_LOGSHIP_PORT:-9080}
LOGSHIP_GLOB=${DIZHTIME_LOGSHIP_GLOB:-$DIZHTIME_STATE/dev/logs/*.log}

logship_port() { echo "$LOGSHIP_PORT"; }
logship_timeout() { echo 30; }
logship_addr() { echo "http://127.0.0.1:$LOGSHIP_PORT/ready, shipping $LOGSHIP_GLOB to http://127.0.0.1:${LOKI_HTTP:-3100}"; }
logship_env() { :; }

logship_install() {
  command -v go >/dev/null || die "go is needed to build logship"
  mkdir -p "$DIZHTIME_BIN"
  (cd "$DIZHTIME_ROOT/platform" && go build -o "$DIZHTIME_BIN/logship" ./observability/cmd/logship) || die "building logship failed"
}

logship_start() {
  start_background logship "$DIZHTIME_BIN/logship" -loki "http://127.0.0.1:${LOKI_HTTP:-3100}" \
    -listen "127.0.0.1:$LOGSHIP_PORT" -from-end "$LOGSHIP_GLOB"
}

logship_ready() { curl -fsS "http://127.0.0.1:$LOGSHIP_PORT/ready" >/dev/null; }
