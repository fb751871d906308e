# Shared helpers for deploy/local/*.sh. Sourced, never run.
# Layout: every service keeps its state under $DIZHTIME_STATE/<name>/ (data/, log, pid);
# downloads and built binaries live under $DIZHTIME_STATE/cache and $DIZHTIME_STATE/bin.

DIZHTIME_ROOT=${DIZHTIME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DIZHTIME_STATE=${DIZHTIME_STATE:-$DIZHTIME_ROOT/.dizhtime}
DIZHTIME_CACHE=$DIZHTIME_STATE/cache
DIZHTIME_BIN=$DIZHTIME_STATE/bin
# Services that refuse to run as root (PostgreSQL, Elasticsearch) run as this user.
DIZHTIME_SERVICE_USER=${DIZHTIME_SERVICE_USER:-dizhtime}

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

svc_dir() {
  case $1 in
    postgres|elasticsearch) service_user_dir "$1" ;;
    *) echo "$DIZHTIME_STATE/$1" ;;
  esac
}

# service_user_dir NAME: the folder of a service that runs as the service user. Under
# $DIZHTIME_STATE when that user can enter it; run as root from a folder it cannot (a clone
# under a 0700 home or temp folder), under $DIZHTIME_SERVICE_STATE (default /var/lib/dizhtime),
# one folder per checkout, where it can.
service_user_dir() {
  if ! is_root || service_user_can_enter "$DIZHTIME_STATE"; then
    echo "$DIZHTIME_STATE/$1"
    return
  fi
  echo "${DIZHTIME_SERVICE_STATE:-/var/lib/dizhtime}/$(printf %s "$DIZHTIME_STATE" | sha256sum | cut -c1-12)/$1"
}

# service_user_can_enter DIR: whether the service user can enter DIR (or, while DIR does not
# exist, its nearest existing parent). Without that user yet, it will be created: ask as
# "nobody", which has no more rights than a fresh system user.
service_user_can_enter() {
  local d=$1 who=$DIZHTIME_SERVICE_USER
  while [ ! -e "$d" ]; do d=$(dirname "$d"); done
  id "$who" >/dev/null 2>&1 || who=nobody
  runuser -u "$who" -- test -x "$d" -a -r "$d" 2>/dev/null
}
svc_log() { echo "$(svc_dir "$1")/log"; }
svc_pidfile() { echo "$(svc_dir "$1")/pid"; }

# svc_pid NAME: the pid we recorded for NAME, if that process still lives.
svc_pid() {
  local f; f=$(svc_pidfile "$1")
  [ -s "$f" ] || return 1
  local pid; pid=$(head -n1 "$f" | tr -d '[:space:]')
  # A stale pid file can name a thread of another process (kill -0 accepts thread ids);
  # only a process whose thread-group id is that pid counts.
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/status" ]; then
    [ "$(awk '/^Tgid:/ {print $2}' "/proc/$pid/status")" = "$pid" ] || return 1
  fi
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_until SECONDS NAME CMD...: polls CMD every half second.
wait_until() {
  local secs=$1 name=$2; shift 2
  local deadline=$((SECONDS + secs))
  while [ $SECONDS -lt $deadline ]; do
    "$@" >/dev/null 2>&1 && return 0
    if ! svc_pid "$name" >/dev/null; then
      log "$name exited while starting"
      return 1
    fi
    sleep 0.5
  done
  log "$name did not become ready within ${secs}s"
  return 1
}

fail_with_log() {
  local name=$1
  log "last lines of $(svc_log "$name"):"
  tail -n 40 "$(svc_log "$name")" >&2 2>/dev/null || true
  die "$name failed to start"
}

is_root() { [ "$(id -u)" = 0 ]; }

# ensure_service_user: PostgreSQL and Elasticsearch refuse root; create a system user for them.
ensure_service_user() {
  is_root || return 0
  id "$DIZHTIME_SERVICE_USER" >/dev/null 2>&1 && return 0
  log "creating system user $DIZHTIME_SERVICE_USER for services that refuse root"
  useradd --system --no-create-home --shell /usr/sbin/nologin "$DIZHTIME_SERVICE_USER"
}

# own_by_service_user DIR...: hand directories to the service user (no-op when not root).
own_by_service_user() {
  is_root || return 0
  chown -R "$DIZHTIME_SERVICE_USER:" "$@"
}

# as_service_user CMD...: run CMD as the service user when we are root.
as_service_user() {
  if is_root; then runuser -u "$DIZHTIME_SERVICE_USER" -- "$@"; else "$@"; fi
}

# apt_install PKG...: installs Debian packages (root or sudo); apt-get update once per run.
APT_UPDATED=
apt_install() {
  local sudo=
  is_root || sudo=sudo
  if [ -z "$APT_UPDATED" ]; then
    log "apt-get update"
    $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# start_background NAME CMD...: runs CMD detached, output to NAME's log, records its pid.
start_background() {
  local name=$1; shift
  mkdir -p "$(svc_dir "$name")"
  : >"$(svc_log "$name")"
  setsid "$@" >>"$(svc_log "$name")" 2>&1 </dev/null &
  echo $! >"$(svc_pidfile "$name")"
}

# mvn_fetch G:A:V[:type[:classifier]] DEST: copies one Maven Central artifact into DEST.
mvn_fetch() {
  mkdir -p "$2"
  mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$1" -DoutputDirectory="$2" -Dmdep.overWriteReleases=false \
    || die "could not fetch $1 from Maven Central"
}
