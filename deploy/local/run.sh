#!/usr/bin/env bash
# `make run`: DizhTime on one machine. Starts the real PostgreSQL (the one store the laptop run
# does not embed), builds and runs `dizhtime dev` (embedded Redis, Kafka, MongoDB-wire and
# search, plus every DizhTime process), and on Ctrl-C stops what it started.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
. "$here/prometheus.sh"
cd "$DIZHTIME_ROOT"

started_postgres=
if ! svc_pid postgres >/dev/null; then started_postgres=1; fi
"$here/services.sh" up postgres
# Mailpit receives the email the notifications subgraph sends; its web UI shows it.
started_mailpit=
if ! svc_pid mailpit >/dev/null; then started_mailpit=1; fi
"$here/services.sh" up mailpit
# Prometheus scrapes every process (deploy/observability/prometheus/prometheus.yml).
started_prometheus=
if ! svc_pid prometheus >/dev/null; then started_prometheus=1; fi
"$here/services.sh" up prometheus
cleanup() {
  [ -n "$started_prometheus" ] && "$here/services.sh" down prometheus
  [ -n "$started_mailpit" ] && "$here/services.sh" down mailpit
  [ -n "$started_postgres" ] && "$here/services.sh" down postgres
}
trap cleanup EXIT

mkdir -p "$DIZHTIME_BIN"
log "building dizhtime"
(cd platform && go build -o "$DIZHTIME_BIN/dizhtime" ./cmd/dizhtime)
eval "$("$here/services.sh" env | grep DIZHTIME_POSTGRES_URL)"
eval "$("$here/services.sh" env | grep DIZHTIME_MAILPIT_)"
export DIZHTIME_DEV_MAILPIT_URL=$DIZHTIME_MAILPIT_URL DIZHTIME_NOTIFICATIONS_SMTP_ADDR=$DIZHTIME_MAILPIT_SMTP_ADDR
# Traces go to the OTLP receiver of `make observe` (Jaeger) when it runs.
export DIZHTIME_TELEMETRY_OTLP_ENDPOINT=${DIZHTIME_TELEMETRY_OTLP_ENDPOINT:-http://127.0.0.1:${DIZHTIME_JAEGER_PORT:-4318}}
export DIZHTIME_ROUTER_TELEMETRY_OTLP_ENDPOINT=${DIZHTIME_ROUTER_TELEMETRY_OTLP_ENDPOINT:-$DIZHTIME_TELEMETRY_OTLP_ENDPOINT}
cat >&2 <<URLS
[run] GraphQL (router)  http://127.0.0.1:4000/graphql
[run] Prometheus        $(prometheus_addr)   (alerts: $(prometheus_addr)/alerts)
[run] traces            \$(make observe): Jaeger UI http://127.0.0.1:${DIZHTIME_JAEGER_UI_PORT:-16686}
URLS
# Not exec: the trap must run after dizhtime exits. Ctrl-C reaches both; dizhtime drains and exits.
"$DIZHTIME_BIN/dizhtime" dev "$@" &
child=$!
trap 'kill -INT $child 2>/dev/null || true' INT TERM
set +e
wait $child; rc=$?
# A signal interrupts the first wait while dizhtime is still draining: wait for it to finish.
while kill -0 $child 2>/dev/null; do wait $child; rc=$?; done
exit $rc
