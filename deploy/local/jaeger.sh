# Jaeger v2 (github.com/jaegertracing/jaeger v1.75.0, pinned in deploy/observability/tools
# as a Go tool) as the trace backend that runs here: OTLP/HTTP in, in-memory storage, query
# API and UI. Built once into .dizhtime/bin (a large build: minutes on 2 cores; the Go build
# cache makes later runs a no-op). Config: deploy/observability/jaeger.yaml. Sourced by
# services.sh.
JAEGER_OTLP_HTTP=${DIZHTIME_JAEGER_PORT:-4318}
JAEGER_QUERY_HTTP=${DIZHTIME_JAEGER_UI_PORT:-16686}

jaeger_port() { echo "$JAEGER_OTLP_HTTP"; }
jaeger_timeout() { echo 60; }
jaeger_addr() { echo "http://127.0.0.1:$JAEGER_OTLP_HTTP (OTLP), UI http://127.0.0.1:$JAEGER_QUERY_HTTP"; }
jaeger_env() {
  echo "DIZHTIME_JAEGER_BIN=$DIZHTIME_BIN/jaeger"
}

jaeger_install() {
  command -v go >/dev/null || die "go is needed to build Jaeger"
  log "building Jaeger (first build takes minutes)"
  (cd "$DIZHTIME_ROOT/deploy/observability/tools" && GOWORK=off go build -o "$DIZHTIME_BIN/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger) \
    || die "building Jaeger failed"
}

jaeger_start() {
  JAEGER_OTLP_HTTP=$JAEGER_OTLP_HTTP JAEGER_QUERY_HTTP=$JAEGER_QUERY_HTTP \
    start_background jaeger "$DIZHTIME_BIN/jaeger" --config "$DIZHTIME_ROOT/deploy/observability/jaeger.yaml"
}

jaeger_ready() { curl -fsS "http://127.0.0.1:13133/status" >/dev/null; }
