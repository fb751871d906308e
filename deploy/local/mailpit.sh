# Mailpit (SMTP server + web UI + HTTP API that keeps what it receives) from the Go module
# proxy, github.com/axllent/mailpit. The notifications subgraph sends email to it; tests read
# what arrived through its HTTP API (/api/v1/messages). It drops a message whose Message-ID it
# already has (--ignore-duplicate-ids), the way a provider drops a repeated idempotency key:
# notifications derives the Message-ID from the key. Sourced by services.sh.
MAILPIT_VERSION=v1.33.1
MAILPIT_PORT=${DIZHTIME_MAILPIT_PORT:-8025}
MAILPIT_SMTP_PORT=${DIZHTIME_MAILPIT_SMTP_PORT:-1025}

mailpit_port() { echo "$MAILPIT_PORT"; }
mailpit_timeout() { echo 30; }
mailpit_addr() { echo "http://127.0.0.1:$MAILPIT_PORT (SMTP 127.0.0.1:$MAILPIT_SMTP_PORT)"; }
mailpit_env() {
  echo "DIZHTIME_MAILPIT_URL=http://127.0.0.1:$MAILPIT_PORT"
  echo "DIZHTIME_MAILPIT_SMTP_ADDR=127.0.0.1:$MAILPIT_SMTP_PORT"
}

# mailpit_installed: built already (run.sh builds a first one in the background).
mailpit_installed() { [ -x "$DIZHTIME_BIN/mailpit-$MAILPIT_VERSION" ]; }

mailpit_install() {
  mailpit_installed && return 0
  command -v go >/dev/null || die "go is needed to build Mailpit"
  log "building mailpit $MAILPIT_VERSION (Go module proxy)"
  mkdir -p "$DIZHTIME_BIN"
  (cd "$DIZHTIME_STATE" && GOWORK=off GOBIN="$DIZHTIME_BIN" go install "github.com/axllent/mailpit@$MAILPIT_VERSION") \
    || die "go install github.com/axllent/mailpit@$MAILPIT_VERSION failed"
  mv "$DIZHTIME_BIN/mailpit" "$DIZHTIME_BIN/mailpit-$MAILPIT_VERSION"
}

mailpit_start() {
  local dir; dir=$(svc_dir mailpit)
  mkdir -p "$dir/data"
  start_background mailpit "$DIZHTIME_BIN/mailpit-$MAILPIT_VERSION" \
    --listen "127.0.0.1:$MAILPIT_PORT" --smtp "127.0.0.1:$MAILPIT_SMTP_PORT" \
    --database "$dir/data/mailpit.db" --max 50000 \
    --smtp-auth-accept-any --smtp-auth-allow-insecure --disable-version-check --ignore-duplicate-ids
}

mailpit_ready() { curl -fsS "http://127.0.0.1:$MAILPIT_PORT/readyz" >/dev/null; }
