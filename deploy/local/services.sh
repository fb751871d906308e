#!/usr/bin/env bash
# Starts and stops the real services DizhTime's tests and production-like runs use, on loopback:
# PostgreSQL and Redis (Debian packages), Apache Kafka in KRaft mode (Maven Central jars),
# FerretDB (MongoDB wire protocol, from the Go module proxy, on PostgreSQL) and Elasticsearch
# (Maven Central integ-test distribution); the collection stack: Prometheus and Alertmanager
# (Debian packages) and Jaeger (built from the Go module proxy).
#
#   services.sh up [NAME...]     install what is missing, start what is not running (idempotent)
#   services.sh down [NAME...]   stop what this script started (by recorded pid), nothing else
#   services.sh status           what runs, where
#   services.sh env              export lines with every service address (DIZHTIME_*)
#
# State (data, logs, pids) lives under .dizhtime/ at the repository root (git-ignored).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

ALL_SERVICES=(postgres redis kafka ferretdb elasticsearch prometheus alertmanager jaeger)
ALL_SERVICES+=(clickhouse)
ALL_SERVICES+=(mailpit)
# Started only when named (`services.sh up loki logship`, `make observe`): a cold Loki
# build from the Go module proxy takes 10+ minutes of 2 cores, too much for every fresh
# machine's `up` (CI's included).
OPTIONAL_SERVICES=(loki logship)
for s in "${ALL_SERVICES[@]}" "${OPTIONAL_SERVICES[@]}"; do
  # shellcheck disable=SC1090
  [ -f "$here/$s.sh" ] && . "$here/$s.sh"
done

svc_default_stop() {
  local name=$1 pid
  pid=$(svc_pid "$name") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored SIGTERM for 30s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

svc_up() {
  local name=$1 pid port
  if pid=$(svc_pid "$name"); then
    wait_until "$("${name}_timeout")" "$name" "${name}_ready" || fail_with_log "$name"
    log "$name already running (pid $pid) at $("${name}_addr")"
    return 0
  fi
  port=$("${name}_port")
  if port_open 127.0.0.1 "$port"; then
    die "$name: port $port is in use by a process this script did not start; stop it or choose another port (DIZHTIME_${name^^}_PORT)"
  fi
  "${name}_install"
  log "starting $name"
  "${name}_start" || fail_with_log "$name"
  wait_until "$("${name}_timeout")" "$name" "${name}_ready" || fail_with_log "$name"
  log "$name ready (pid $(svc_pid "$name")) at $("${name}_addr")"
}

svc_down() {
  local name=$1 pid
  if ! pid=$(svc_pid "$name"); then
    rm -f "$(svc_pidfile "$name")"
    return 0
  fi
  log "stopping $name (pid $pid)"
  if declare -F "${name}_stop" >/dev/null; then "${name}_stop"; else svc_default_stop "$name"; fi
  rm -f "$(svc_pidfile "$name")"
}

pick() {
  if [ $# -eq 0 ]; then printf '%s\n' "${ALL_SERVICES[@]}"; return; fi
  local s known
  for s in "$@"; do
    known=
    for k in "${ALL_SERVICES[@]}" "${OPTIONAL_SERVICES[@]}"; do [ "$k" = "$s" ] && known=1; done
    [ -n "$known" ] || die "unknown service '$s' (known: ${ALL_SERVICES[*]} ${OPTIONAL_SERVICES[*]})"
    [ -f "$here/$s.sh" ] || die "deploy/local/$s.sh is missing"
    echo "$s"
  done
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  up)
    mkdir -p "$DIZHTIME_STATE"
    # Long builds (Loki) start in the background first and overlap the other services' setup.
    for s in $(pick "$@"); do if declare -F "${s}_prebuild" >/dev/null && ! svc_pid "$s" >/dev/null; then "${s}_prebuild"; fi; done
    for s in $(pick "$@"); do svc_up "$s"; done
    ;;
  down)
    if [ $# -eq 0 ]; then set -- "${ALL_SERVICES[@]}" "${OPTIONAL_SERVICES[@]}"; fi
    names=$(pick "$@" | tac)
    for s in $names; do svc_down "$s"; done
    ;;
  status)
    for s in "${ALL_SERVICES[@]}" "${OPTIONAL_SERVICES[@]}"; do
      if pid=$(svc_pid "$s"); then echo "$s: running (pid $pid) at $("${s}_addr")"; else echo "$s: stopped"; fi
    done
    ;;
  env)
    for s in "${ALL_SERVICES[@]}" "${OPTIONAL_SERVICES[@]}"; do "${s}_env" | sed 's/^/export /'; done
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
