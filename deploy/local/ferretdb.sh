# FerretDB (MongoDB wire protocol) from the Go module proxy, built through platform/cmd/ferretdb
# (upstream's own command panics when built from the proxy: its version file is generated).
# Stores into the PostgreSQL service's `ferretdb` database. Sourced by services.sh; needs
# postgres up first.
FERRETDB_PORT=${DIZHTIME_FERRETDB_PORT:-27017}

ferretdb_port() { echo "$FERRETDB_PORT"; }
ferretdb_timeout() { echo 30; }
ferretdb_addr() { echo "mongodb://127.0.0.1:$FERRETDB_PORT/"; }
ferretdb_env() { echo "DIZHTIME_MONGO_URI=mongodb://127.0.0.1:$FERRETDB_PORT/"; }

ferretdb_install() {
  command -v go >/dev/null || die "go is needed to build FerretDB"
  # Always rebuilt: the Go build cache makes this a no-op when nothing changed.
  (cd "$DIZHTIME_ROOT/platform" && go build -o "$DIZHTIME_BIN/ferretdb" ./cmd/ferretdb) \
    || die "building platform/cmd/ferretdb failed"
}

ferretdb_start() {
  start_background ferretdb "$DIZHTIME_BIN/ferretdb" \
    -listen "127.0.0.1:$FERRETDB_PORT" \
    -postgresql-url "postgres://dizhtime@127.0.0.1:$POSTGRES_PORT/ferretdb?sslmode=disable"
}

ferretdb_ready() { port_open 127.0.0.1 "$FERRETDB_PORT"; }
