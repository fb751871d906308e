# Redis from Debian's packages. Sourced by services.sh.
REDIS_PORT=${DIZHTIME_REDIS_PORT:-6379}

redis_port() { echo "$REDIS_PORT"; }
redis_timeout() { echo 30; }
redis_addr() { echo "127.0.0.1:$REDIS_PORT"; }
redis_env() { echo "DIZHTIME_REDIS_ADDR=127.0.0.1:$REDIS_PORT"; }

redis_install() {
  command -v redis-server >/dev/null || apt_install redis-server
  command -v redis-server >/dev/null || die "redis-server not found after install"
}

redis_start() {
  local dir; dir=$(svc_dir redis)
  mkdir -p "$dir/data"
  # Foreground under setsid so the recorded pid is redis itself.
  start_background redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir/data" \
    --save "" --appendonly no --protected-mode yes --daemonize no
}

redis_ready() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping | grep -q PONG; }
