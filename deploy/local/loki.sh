# Grafana Loki v3.7.8 (the log store): built from the Go module proxy with the pinned module
# deploy/observability/tools/loki (AGPL-3.0: it runs as a separate process; nothing of
# DizhTime links it), configured by deploy/observability/loki-local.yml. The cold build is
# long (module download + compile; see deploy/observability/README.md), so `services.sh up`
# starts it in the background first (loki_prebuild) and waits for it only when Loki's turn
# comes. Later runs reuse $DIZHTIME_BIN/loki while the pinned go.mod/go.sum are unchanged
# (`make loki` builds it; `make test` and .ci/run build it before any test needs it).
# Sourced by services.sh.
LOKI_HTTP=${DIZHTIME_LOKI_PORT:-3100}
LOKI_GRPC=${DIZHTIME_LOKI_GRPC_PORT:-9096}

loki_port() { echo "$LOKI_HTTP"; }
loki_timeout() { echo 90; }
loki_addr() { echo "http://127.0.0.1:$LOKI_HTTP (push /loki/api/v1/push, query /loki/api/v1/query_range)"; }
loki_env() {
  echo "DIZHTIME_LOKI_BIN=$DIZHTIME_BIN/loki"
  echo "DIZHTIME_LOKI_URL=http://127.0.0.1:$LOKI_HTTP"
}

loki_module() { echo "$DIZHTIME_ROOT/deploy/observability/tools/loki"; }

# loki_current: the built binary is newer than the pinned module files.
loki_current() {
  local bin=$DIZHTIME_BIN/loki m; m=$(loki_module)
  [ -x "$bin" ] && [ "$bin" -nt "$m/go.mod" ] && [ "$bin" -nt "$m/go.sum" ]
}

loki_build() {
  command -v go >/dev/null || { echo "go is needed to build Loki"; return 1; }
  mkdir -p "$DIZHTIME_BIN"
  local start=$SECONDS
  # `make loki` holds the build command (make test and .ci/run use it too).
  make -C "$DIZHTIME_ROOT" --no-print-directory loki LOKI_BIN="$DIZHTIME_BIN/loki" || return 1
  echo "built Loki in $((SECONDS - start))s"
}

# loki_prebuild: start the build in the background (services.sh up calls it before the
# first service) so it overlaps the other services' setup.
LOKI_BUILD_PID=
loki_prebuild() {
  loki_current && return 0
  mkdir -p "$(svc_dir loki)"
  log "building Loki in the background (log: $(svc_dir loki)/build.log)"
  loki_build >"$(svc_dir loki)/build.log" 2>&1 &
  LOKI_BUILD_PID=$!
}

loki_install() {
  if [ -n "$LOKI_BUILD_PID" ]; then
    log "waiting for the Loki build"
    wait "$LOKI_BUILD_PID" || { tail -n 30 "$(svc_dir loki)/build.log" >&2; die "building Loki failed"; }
    LOKI_BUILD_PID=
    log "$(tail -n 1 "$(svc_dir loki)/build.log")"
  fi
  loki_current && return 0
  log "building Loki (a cold build takes minutes)"
  loki_build >&2 || die "building Loki failed"
}

loki_start() {
  local dir; dir=$(svc_dir loki)
  mkdir -p "$dir/data"
  LOKI_HTTP_PORT=$LOKI_HTTP LOKI_GRPC_PORT=$LOKI_GRPC LOKI_DATA="$dir/data" \
    start_background loki "$DIZHTIME_BIN/loki" -config.file="$DIZHTIME_ROOT/deploy/observability/loki-local.yml" -config.expand-env=true
}

loki_ready() { curl -fsS "http://127.0.0.1:$LOKI_HTTP/ready" >/dev/null; }
