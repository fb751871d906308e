# Alertmanager (Debian's `prometheus-alertmanager` 0.25) with the routes of
# deploy/observability/prometheus/alertmanager.yml. Sourced by services.sh.
ALERTMANAGER_PORT=${DIZHTIME_ALERTMANAGER_PORT:-9095}  # 9093 is Kafka's controller port

alertmanager_port() { echo "$ALERTMANAGER_PORT"; }
alertmanager_timeout() { echo 60; }
alertmanager_addr() { echo "http://127.0.0.1:$ALERTMANAGER_PORT"; }
alertmanager_env() { :; }

alertmanager_install() {
  command -v prometheus-alertmanager >/dev/null || apt_install prometheus-alertmanager
  command -v prometheus-alertmanager >/dev/null || die "prometheus-alertmanager not found after install"
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus-alertmanager 2>/dev/null; then
    systemctl stop prometheus-alertmanager || true
  fi
}

alertmanager_start() {
  local dir; dir=$(svc_dir alertmanager)
  mkdir -p "$dir/data"
  start_background alertmanager prometheus-alertmanager \
    --config.file="$DIZHTIME_ROOT/deploy/observability/prometheus/alertmanager.yml" \
    --storage.path="$dir/data" --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
    --cluster.listen-address=""
}

alertmanager_ready() { curl -fsS "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" >/dev/null; }
