#!/usr/bin/env bash
# `make run`: DizhTime on one machine. Starts the real PostgreSQL (the one store the laptop run
# does not embed), builds and runs `dizhtime dev` (embedded Redis, Kafka, MongoDB-wire and
# search, plus every DizhTime process), and on Ctrl-C stops what it started.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
cd "$DIZHTIME_ROOT"

started_postgres=
if ! svc_pid postgres >/dev/null; then started_postgres=1; fi
"$here/services.sh" up postgres
# Mailpit receives the email the notifications subgraph sends; its web UI shows it.
started_mailpit=
if ! svc_pid mailpit >/dev/null; then started_mailpit=1; fi
"$here/services.sh" up mailpit
cleanup() {
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
# Not exec: the trap must run after dizhtime exits. Ctrl-C reaches both; dizhtime drains and exits.
"$DIZHTIME_BIN/dizhtime" dev "$@" &
child=$!
trap 'kill -INT $child 2>/dev/null || true' INT TERM
set +e
wait $child; rc=$?
# A signal interrupts the first wait while dizhtime is still draining: wait for it to finish.
while kill -0 $child 2>/dev/null; do wait $child; rc=$?; done
exit $rc
