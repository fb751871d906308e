# PostgreSQL from Debian's packages, in a private cluster under .dizhtime/postgres.
# Sourced by services.sh. Trust auth on loopback only: this cluster is for tests and laptops.
POSTGRES_PORT=${DIZHTIME_POSTGRES_PORT:-5432}

postgres_port() { echo "$POSTGRES_PORT"; }
postgres_timeout() { echo 60; }
postgres_addr() { echo "postgres://dizhtime@127.0.0.1:$POSTGRES_PORT/dizhtime"; }
postgres_env() { echo "DIZHTIME_POSTGRES_URL=postgres://dizhtime:dizhtime@127.0.0.1:$POSTGRES_PORT/dizhtime?sslmode=disable"; }

postgres_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  return 1
}

postgres_install() {
  postgres_bindir >/dev/null || apt_install postgresql
  postgres_bindir >/dev/null || die "PostgreSQL binaries not found after install"
  ensure_service_user
  local dir data bin
  dir=$(svc_dir postgres); data=$dir/data; bin=$(postgres_bindir)
  (umask 022; mkdir -p "$dir/run")
  case $dir in
    "$DIZHTIME_STATE"/*) ;;
    *) log "PostgreSQL's data goes to $dir: its user $DIZHTIME_SERVICE_USER cannot enter $DIZHTIME_STATE (set DIZHTIME_SERVICE_STATE to choose another folder)" ;;
  esac
  service_user_can_enter "$dir" || die "PostgreSQL runs as $DIZHTIME_SERVICE_USER, who cannot enter $dir (a parent folder is closed to it, e.g. a 0700 home): set DIZHTIME_SERVICE_STATE to a folder it can enter (default /var/lib/dizhtime), or chmod o+x every parent of $dir"
  own_by_service_user "$dir"
  if [ ! -s "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $data"
    rm -rf "$data"
    mkdir -p "$data"; own_by_service_user "$data"
    as_service_user "$bin/initdb" -D "$data" -U dizhtime --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { tail -n 20 "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
}

postgres_start() {
  local dir bin
  dir=$(svc_dir postgres); bin=$(postgres_bindir)
  : >"$dir/log"; own_by_service_user "$dir/log"
  # The postmaster records its own pid in data/postmaster.pid; we copy it into our pidfile.
  as_service_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-h 127.0.0.1 -p $POSTGRES_PORT -k $dir/run -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || return 1
  head -n1 "$dir/data/postmaster.pid" >"$(svc_pidfile postgres)"
  # The database the DIZHTIME_POSTGRES_URL names, and one for FerretDB's PostgreSQL backend.
  local db
  for db in dizhtime ferretdb; do
    if ! "$bin/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U dizhtime -d postgres -tAc \
      "select 1 from pg_database where datname='$db'" | grep -q 1; then
      "$bin/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U dizhtime -d postgres -qc "create database $db" || return 1
    fi
  done
}

postgres_ready() { "$(postgres_bindir)/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT"; }

postgres_stop() {
  # Fast shutdown: disconnects clients, checkpoints, exits.
  as_service_user "$(postgres_bindir)/pg_ctl" -D "$(svc_dir postgres)/data" -m fast -w -t 60 stop >/dev/null \
    || svc_default_stop postgres
}
