# Prometheus (Debian's `prometheus` 2.42, with promtool) scraping the `make run` processes
# with deploy/observability/prometheus/prometheus.yml and its rules. Sourced by services.sh.
PROMETHEUS_PORT=${DIZHTIME_PROMETHEUS_PORT:-9090}

prometheus_port() { echo "$PROMETHEUS_PORT"; }
prometheus_timeout() { echo 60; }
prometheus_addr() { echo "http://127.0.0.1:$PROMETHEUS_PORT"; }
prometheus_env() {
  echo "DIZHTIME_PROMETHEUS_BIN=$(command -v prometheus || echo /usr/bin/prometheus)"
  echo "DIZHTIME_PROMTOOL_BIN=$(command -v promtool || echo /usr/bin/promtool)"
}

prometheus_install() {
  command -v prometheus >/dev/null && command -v promtool >/dev/null || apt_install prometheus
  command -v promtool >/dev/null || die "promtool not found after installing prometheus"
  # Debian's package starts a system Prometheus on :9090; ours runs on its own.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl stop prometheus || true
  fi
}

prometheus_start() {
  local dir; dir=$(svc_dir prometheus)
  mkdir -p "$dir/data"
  start_background prometheus prometheus \
    --config.file="$DIZHTIME_ROOT/deploy/observability/prometheus/prometheus.yml" \
    --storage.tsdb.path="$dir/data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.enable-lifecycle --enable-feature=exemplar-storage
}

prometheus_ready() { curl -fsS "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null; }
