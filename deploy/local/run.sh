#!/usr/bin/env bash
# `make run`: DizhTime on one machine. Starts the real PostgreSQL (the one store the laptop run
# does not embed), builds and runs `dizhtime dev` (embedded Redis, Kafka, MongoDB-wire and
# search, plus every DizhTime process), and on Ctrl-C stops what it started.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
. "$here/prometheus.sh"
cd "$DIZHTIME_ROOT"

. "$here/postgres.sh"
. "$here/mailpit.sh"
# run_t0 and phase: each step of a start says how long since `make run` began ([run +12.3s]).
run_t0=$(date +%s%N)
phase() { local t; t=$(date +%s%N); printf '[run +%d.%ds] %s\n' $(((t - run_t0) / 1000000000)) $(((t - run_t0) / 100000000 % 10)) "$*" >&2; }
export DIZHTIME_RUN_T0=$run_t0

# need_service NAME: PostgreSQL, Mailpit and Prometheus, started unless they answer already:
# started by this checkout's services.sh (stopped again on exit), or answering on their port
# for someone else (another checkout's services.sh): then used as they are, never stopped.
started=
need_service() {
  local name=$1
  if ! svc_pid "$name" >/dev/null && port_open 127.0.0.1 "$("${name}_port")" && "${name}_ready" 2>/dev/null; then
    phase "$name already answers at $("${name}_addr") (not started by this checkout): using it"
    return
  fi
  if ! svc_pid "$name" >/dev/null; then started="$name $started"; fi
  "$here/services.sh" up "$name"
  phase "$name up"
}
need_service postgres
# Mailpit receives the email the notifications subgraph sends; its web UI shows it. On a
# machine's first run it is built from the module proxy first (~1 minute of both cores,
# 108 CPU-s): then it is built and started in the background at the lowest priority, behind
# dizhtime's build, so the router answers that much sooner; email sent before Mailpit
# answers is retried by notifications (5 attempts from 1 s apart, then the delivery shows
# FAILED). Every later run finds it built and starts it first, as the others.
mailpit_bg=
if mailpit_installed || { ! svc_pid mailpit >/dev/null && port_open 127.0.0.1 "$(mailpit_port)"; }; then
  need_service mailpit
else
  started="mailpit $started"
  mkdir -p "$DIZHTIME_STATE"
  phase "mailpit: first build on this machine, in the background at low priority (log: $DIZHTIME_STATE/mailpit-first-start.log); email waits for it"
  ( if nice -n 19 "$here/services.sh" up mailpit >"$DIZHTIME_STATE/mailpit-first-start.log" 2>&1; then
      phase "mailpit up (built in the background)"
    else
      phase "mailpit did not start: see $DIZHTIME_STATE/mailpit-first-start.log (email stays unsent until it does)"
    fi ) &
  mailpit_bg=$!
fi
# Prometheus scrapes every process (deploy/observability/prometheus/prometheus.yml).
need_service prometheus
kill_tree() {
  local child
  for child in $(pgrep -P "$1"); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
cleanup() {
  local s
  if [ -n "$mailpit_bg" ] && kill -0 "$mailpit_bg" 2>/dev/null; then
    kill_tree "$mailpit_bg" # a first build still running (go install and its compilers)
    wait "$mailpit_bg" 2>/dev/null || true
  fi
  for s in $started; do "$here/services.sh" down "$s"; done
}
trap cleanup EXIT

# One binary carries the router and every subgraph (`dizhtime identity serve`, ...): one link,
# not one per process. Built only when what it is made of changed (DIZHTIME_REBUILD=1 forces
# it), with what is compiling and how far printed every few seconds.
# build_progress TOTAL START: reads go build -v; every 5 s says how many packages are compiled
# (of TOTAL in the binary) and which, then when it links; passes error lines through.
build_progress() {
  local total=$1 start=$2 n=0 last=$SECONDS line
  while IFS= read -r line; do
    case $line in
      */platform/cmd/dizhtime) n=$((n + 1)); printf '[run] %d packages compiled (of %d in the binary) in %d s; linking dizhtime\n' "$n" "$total" $((SECONDS - start)) >&2 ;;
      *[[:space:]:\#]*|'') printf '%s\n' "$line" >&2 ;;
      *) n=$((n + 1))
         if [ $((SECONDS - last)) -ge 5 ]; then
           last=$SECONDS
           printf '[run] building: %d packages compiled (of %d in the binary) in %d s, now %s\n' "$n" "$total" $((SECONDS - start)) "$line" >&2
         fi ;;
    esac
  done
}

# The laptop binary leaves out DWARF and the symbol table (-s -w): at load 41 its link took
# 162 s wall / 25 s CPU instead of 214 s / 33 s, and it is 184 MB instead of 241 MB. Panics
# still print their stacks (Go keeps its own line tables); a debugger wants
# DIZHTIME_LDFLAGS= (empty).
# It also leaves out what the laptop run does not use (DIZHTIME_BUILD_TAGS= builds it whole):
# dizhtime_laptop drops the Elasticsearch client (search runs on Bleve here) and
# ferretdb_no_sqlite FerretDB's SQLite backend (modernc.org/sqlite and its libc, 12.5 MB of
# generated Go; the embedded FerretDB keeps its data in PostgreSQL). Tests and the images
# build the whole binary.
# DIZHTIME_GCFLAGS goes to go build's -gcflags; by default 'all=-N -l': compiled without
# optimisation or inlining, a cold first `make run` answers in ~2.2 minutes instead of ~3.1
# (fresh clone, empty build cache, idle 2-core machine: built in 132 s instead of 183 s), for a
# slower binary (goja's composition 4.0 CPU-s instead of 2.1; placeOrder p50 12.8 instead of
# 8.6 ms; the router's CPU for 1,000 tracking subscribers +33%). DIZHTIME_GCFLAGS= (empty)
# builds it optimised: measure with that (make bench builds its own optimised binary).
build_flags=(-tags="${DIZHTIME_BUILD_TAGS-dizhtime_laptop,ferretdb_no_sqlite}" -ldflags="${DIZHTIME_LDFLAGS--s -w}")
gcflags=${DIZHTIME_GCFLAGS-all=-N -l}
if [ -n "$gcflags" ]; then build_flags+=(-gcflags="$gcflags"); fi

# sources_stamp: a hash of what the binary is made of: every file of the workspace's modules
# (go.work's `use` list; tests and testdata aside, Go's embedded SQL, YAML and HTML included),
# go.work, the Go toolchain and the flags. ~0.2 s, where asking `go build` whether anything
# changed costs ~10 s on a 2-core laptop; content, not mtimes, so a checkout or a merge that
# rewrites files without changing them needs no build either.
sources_stamp() {
  local mods
  mods=$(awk '/^use *\(/ {u=1; next} u && /^\)/ {u=0} u && NF {print $1} /^use +[^(]/ {print $2}' go.work)
  {
    go version
    printf '%s\n' "${GOFLAGS:-}" "${CGO_ENABLED:-}" "${build_flags[*]}"
    # shellcheck disable=SC2086
    find $mods go.work go.work.sum -type f ! -name '*_test.go' ! -path '*/testdata/*' ! -path '*/node_modules/*' -print0 2>/dev/null \
      | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
}

build_dizhtime() {
  local bin=$DIZHTIME_BIN/dizhtime stamp=$DIZHTIME_BIN/dizhtime.sources sum
  # Taken before building: a file edited while go build runs makes the next start build again.
  sum=$(sources_stamp)
  if [ -x "$bin" ] && [ -z "${DIZHTIME_REBUILD:-}" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
    phase "dizhtime is up to date ($bin: its sources are unchanged)"
    return
  fi
  local total start=$SECONDS
  phase "building dizhtime: the router and every subgraph in one binary (a first build compiles ~2000 packages: minutes)"
  total=$(go list "${build_flags[0]}" -deps ./platform/cmd/dizhtime 2>/dev/null | wc -l) || total=0
  rm -f "$stamp"
  # go build -v names each package as it compiles it; everything else on stderr is an error.
  go build -v "${build_flags[@]}" -o "$bin" ./platform/cmd/dizhtime 2>&1 | build_progress "$total" "$start"
  echo "$sum" >"$stamp"
  phase "dizhtime built in $((SECONDS - start)) s"
}

mkdir -p "$DIZHTIME_BIN"
build_dizhtime
# postgres.sh and mailpit.sh (sourced above) say where they listen.
while IFS= read -r kv; do export "${kv?}"; done < <(postgres_env; mailpit_env)
export DIZHTIME_DEV_MAILPIT_URL=$DIZHTIME_MAILPIT_URL DIZHTIME_NOTIFICATIONS_SMTP_ADDR=$DIZHTIME_MAILPIT_SMTP_ADDR

# The web apps (web/): the customer app on :4080, the courier app on :4081, the restaurant
# dashboard on :4082, the admin portal on :4083, each served by Vite's static preview server.
# Built (when missing or older than their sources) and served in the background, in a
# process group of their own (set -m), so the router answers without waiting for npm; their
# URLs are printed once they and the router answer. The router allows their origins (CORS).
web_apps() {
  local stamp=web/apps/customer/dist/index.html
  mkdir -p "$DIZHTIME_ROOT/.dizhtime"
  if [ ! -f "$stamp" ] || [ -n "$(find web/apps web/packages web/package-lock.json -newer "$stamp" -not -path '*/node_modules/*' -not -path '*/dist/*' -type f -print -quit)" ]; then
    printf '[run] building the web apps (web/) in the background: log in .dizhtime/web-build.log\n' >&2
    if ! make --no-print-directory web-build >"$DIZHTIME_ROOT/.dizhtime/web-build.log" 2>&1; then
      printf '[run] the web apps did not build (the API runs without them): see .dizhtime/web-build.log\n' >&2
      return
    fi
  fi
  local port=4080 urls=
  for app in customer driver restaurant admin; do
    if [ -f "web/apps/$app/dist/index.html" ]; then
      (cd "web/apps/$app" && exec npx vite preview --host 127.0.0.1 --port $port --strictPort >"$DIZHTIME_ROOT/.dizhtime/web-$app.log" 2>&1) &
      urls="$urls
  $app app$(printf '%*s' $((14 - ${#app})) '')http://127.0.0.1:$port/?router=http://$router_addr/graphql"
    fi
    port=$((port + 1))
  done
  for _ in $(seq 1 600); do curl -fsS -o /dev/null "http://$router_addr/readyz" 2>/dev/null && curl -fsS -o /dev/null http://127.0.0.1:4080/ 2>/dev/null && break; sleep 1; done
  sleep 2
  printf '\nWeb apps (web/):%s\n\n' "$urls"
  wait
}
router_addr=${DIZHTIME_DEV_ROUTER_ADDR:-127.0.0.1:4000}
web_pid=
if command -v npm >/dev/null; then
  set -m; web_apps & web_pid=$!; set +m
  trap 'cleanup; kill -- -$web_pid 2>/dev/null; true' EXIT
fi
dev_origins=
for port in 4080 4081 4082 4083; do dev_origins=$dev_origins,http://127.0.0.1:$port,http://localhost:$port; done
# Browser origins the router allows (CORS): the explorer, the served apps, and the usual
# front-end dev servers (Vite :5173, Next/CRA :3000); add yours with
# DIZHTIME_ROUTER_CORS_ALLOWED_ORIGINS (comma-separated, kept in front of these).
dev_origins=http://$router_addr,http://127.0.0.1:4000,http://localhost:4000$dev_origins
dev_origins=$dev_origins,http://localhost:5173,http://127.0.0.1:5173,http://localhost:3000,http://127.0.0.1:3000
export DIZHTIME_ROUTER_CORS_ALLOWED_ORIGINS="${DIZHTIME_ROUTER_CORS_ALLOWED_ORIGINS:+$DIZHTIME_ROUTER_CORS_ALLOWED_ORIGINS,}$dev_origins"
# Traces go to the OTLP receiver of `make observe` (Jaeger) when it runs.
export DIZHTIME_TELEMETRY_OTLP_ENDPOINT=${DIZHTIME_TELEMETRY_OTLP_ENDPOINT:-http://127.0.0.1:${DIZHTIME_JAEGER_PORT:-4318}}
export DIZHTIME_ROUTER_TELEMETRY_OTLP_ENDPOINT=${DIZHTIME_ROUTER_TELEMETRY_OTLP_ENDPOINT:-$DIZHTIME_TELEMETRY_OTLP_ENDPOINT}
# Jaeger takes traces only (it answers /v1/metrics with 404 every minute): unless the endpoint
# was chosen (an OpenTelemetry Collector takes both), metrics stay on /metrics for Prometheus.
if [ -z "${DIZHTIME_TELEMETRY_OTLP_TRACES_ONLY:-}" ] && [ "$DIZHTIME_TELEMETRY_OTLP_ENDPOINT" = "http://127.0.0.1:${DIZHTIME_JAEGER_PORT:-4318}" ]; then
  export DIZHTIME_TELEMETRY_OTLP_TRACES_ONLY=true
fi
export DIZHTIME_ROUTER_TELEMETRY_OTLP_TRACES_ONLY=${DIZHTIME_ROUTER_TELEMETRY_OTLP_TRACES_ONLY:-${DIZHTIME_TELEMETRY_OTLP_TRACES_ONLY:-false}}
cat >&2 <<URLS
[run] GraphQL (router)  http://$router_addr/graphql   (the processes start now; dizhtime's banner follows when they answer)
[run] web apps          $(if [ -n "$web_pid" ]; then echo "http://127.0.0.1:4080 .. :4083 (URLs printed once served)"; else echo "(not served: npm is not installed)"; fi)
[run] Prometheus        $(prometheus_addr)   (alerts: $(prometheus_addr)/alerts)
[run] traces            after make observe: Jaeger UI http://127.0.0.1:${DIZHTIME_JAEGER_UI_PORT:-16686}
[run] logs              after make observe: Loki http://127.0.0.1:${DIZHTIME_LOKI_PORT:-3100} (query API; logship ships .dizhtime/dev/logs)
URLS
phase "starting dizhtime dev"
# Not exec: the trap must run after dizhtime exits. Ctrl-C reaches both; dizhtime drains and exits.
"$DIZHTIME_BIN/dizhtime" dev "$@" &
child=$!
trap 'kill -INT $child 2>/dev/null || true' INT TERM
set +e
wait $child; rc=$?
# A signal interrupts the first wait while dizhtime is still draining: wait for it to finish.
while kill -0 $child 2>/dev/null; do wait $child; rc=$?; done
exit $rc
