# ClickHouse from Debian's packages (clickhouse-server 18.16, the only server the registries
# serve), in a private data directory under .dizhtime/clickhouse. Sourced by services.sh.
# The server refuses nothing as root, but we run it as the service user like PostgreSQL:
# a database server has no business holding root. Loopback only; the default user has no
# password: this server is for tests and laptops.
CLICKHOUSE_PORT=${DIZHTIME_CLICKHOUSE_PORT:-9000}
CLICKHOUSE_HTTP_PORT=${DIZHTIME_CLICKHOUSE_HTTP_PORT:-8123}

clickhouse_port() { echo "$CLICKHOUSE_PORT"; }
clickhouse_timeout() { echo 60; }
clickhouse_addr() { echo "tcp://127.0.0.1:$CLICKHOUSE_PORT"; }
clickhouse_env() { echo "DIZHTIME_CLICKHOUSE_URL=tcp://127.0.0.1:$CLICKHOUSE_PORT"; }

clickhouse_install() {
  command -v clickhouse-server >/dev/null || apt_install clickhouse-server clickhouse-client
  command -v clickhouse-server >/dev/null || die "clickhouse-server not found after install"
  ensure_service_user
  local dir; dir=$(svc_dir clickhouse)
  mkdir -p "$dir/data" "$dir/tmp" "$dir/format_schemas"
  cat >"$dir/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$CLICKHOUSE_HTTP_PORT</http_port>
  <tcp_port>$CLICKHOUSE_PORT</tcp_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
XML
  own_by_service_user "$dir"
}

clickhouse_start() {
  local dir; dir=$(svc_dir clickhouse)
  : >"$dir/log"; own_by_service_user "$dir/log"
  # As root: setsid runuser -> clickhouse-server. Debian's 18.16 writes no pid file when it
  # runs in the foreground, so the server's pid (runuser's child) goes into our pidfile and
  # `down` signals the server itself; runuser then exits with it.
  if ! is_root; then
    start_background clickhouse clickhouse-server --config-file="$dir/config.xml"
    return 0
  fi
  start_background clickhouse runuser -u "$DIZHTIME_SERVICE_USER" -- clickhouse-server --config-file="$dir/config.xml"
  local launcher; launcher=$(svc_pid clickhouse) || return 1
  local deadline=$((SECONDS + 30)) pid
  while [ $SECONDS -lt $deadline ]; do
    pid=$(pgrep -P "$launcher" | head -n1) || true
    if [ -n "$pid" ]; then
      echo "$pid" >"$(svc_pidfile clickhouse)"
      return 0
    fi
    kill -0 "$launcher" 2>/dev/null || { log "clickhouse-server exited at once"; return 1; }
    sleep 0.2
  done
  log "clickhouse-server did not start within 30s"
  return 1
}

clickhouse_ready() {
  clickhouse-client --host 127.0.0.1 --port "$CLICKHOUSE_PORT" --query 'SELECT 1' | grep -q 1
}
