#!/usr/bin/env bash
# Runs DizhTime's load tools one after another against the running services
# (deploy/local/services.sh up) and prints ONE table at the end: each figure with the command
# behind it, so any figure can be rerun alone (after `eval "$(deploy/local/services.sh env)"`).
# Every tool's full output lands in .dizhtime/bench/<time>/<tool>.log; a figure that cannot be
# read from its log says "see log" with the path instead of a number.
#
# Knobs (environment): ROUTER_BENCH_DURATION (15s), ORDERS_BENCH_CLIENTS (1,16),
# ORDERS_BENCH_DURATION (10s), DISPATCH_BENCH_DRIVERS (10000,100000), SEARCH_BENCH_RESTAURANTS
# (50000), SEARCH_BENCH_DURATION (10s), WALLET_BENCH_DURATION (3s; 5s in the pgledger comparison),
# WALLET_BENCH_COMPARE (1), PGLEDGER_SQL (path of pgledger.sql), BENCH_STEP_TIMEOUT (600s, per
# tool), BENCH_ONLY (comma-separated subset of: router,subscription,orders,dispatch,search,wallet,
# notifications, web, tracking).
# OUTBOX_BENCH_BACKLOG (100000), OUTBOX_BENCH_DURATION (15s): outbox-bench (BENCH_ONLY: outbox).
# CONSUMER_BENCH_EVENTS (50000): consumer-bench, events per batch mode (BENCH_ONLY: consumer).
# ANALYTICS_BENCH_EVENTS (1000000; the goal is stated at 10000000, which needs a larger
# BENCH_STEP_TIMEOUT on this machine): synthetic events for analytics-bench (BENCH_ONLY: analytics).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
eval "$(deploy/local/services.sh env)"

router_duration=${ROUTER_BENCH_DURATION:-15s}
orders_clients=${ORDERS_BENCH_CLIENTS:-1,16}
orders_duration=${ORDERS_BENCH_DURATION:-10s}
dispatch_drivers=${DISPATCH_BENCH_DRIVERS:-10000,100000}
search_restaurants=${SEARCH_BENCH_RESTAURANTS:-50000}
search_duration=${SEARCH_BENCH_DURATION:-10s}
wallet_duration=${WALLET_BENCH_DURATION:-3s}
analytics_events=${ANALYTICS_BENCH_EVENTS:-1000000}
step_timeout=${BENCH_STEP_TIMEOUT:-600s}
outbox_backlog=${OUTBOX_BENCH_BACKLOG:-100000}
outbox_duration=${OUTBOX_BENCH_DURATION:-15s}
consumer_events=${CONSUMER_BENCH_EVENTS:-50000}
only=${BENCH_ONLY:-router,subscription,orders,dispatch,search,wallet,analytics,outbox,consumer}

logs=.dizhtime/bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$logs"
rows=$logs/rows.tsv
: >"$rows"

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
say() { echo "[bench] $*" >&2; }
wanted() { [[ ",$only," == *",$1,"* ]]; }

declare -A rc_of cmd_of
# step NAME DIR COMMAND: runs COMMAND in DIR (relative to the repo), output to $logs/NAME.log.
step() {
  local name=$1 dir=$2 cmd=$3 start rc
  cmd_of[$name]="cd $dir && $cmd"
  say "$name: ${cmd_of[$name]}  (log: $logs/$name.log)"
  start=$SECONDS
  # timeout (not --foreground) signals its whole process group, so `go run`'s child goes too.
  (cd "$dir" && timeout -k 20s "$step_timeout" bash -c "$cmd") >"$logs/$name.log" 2>&1
  rc=$?
  rc_of[$name]=$rc
  say "$name: exit $rc after $((SECONDS - start))s"
}

# row FIGURE RESULT NAME: one table row; an empty RESULT (not parsed) or a failed step points
# at the log.
row() {
  local figure=$1 result=$2 name=$3 rc=${rc_of[$3]:-}
  if [ -z "$result" ]; then
    result="see log $logs/$name.log"
    if [ "$rc" = 124 ]; then result="TIMED OUT after $step_timeout; $result"
    elif [ "$rc" != 0 ]; then result="FAILED (exit $rc); $result"; fi
  elif [ "$rc" != 0 ]; then
    result="$result (exit $rc; see $logs/$name.log)"
  fi
  printf '%s\t%s\t%s\n' "$figure" "$result" "${cmd_of[$name]}" >>"$rows"
}

load_start=$(loadavg)
started=$(date '+%Y-%m-%d %H:%M:%S %Z')

# --- router: federated query, closed loop -------------------------------------------------
if wanted router; then
  step router router "go run ./bench -clients 50,500 -duration $router_duration -dedup on,off"
  for mode in on off; do
    for n in 50 500; do
      row "router req/s, $n clients, dedup $mode (gateways-benchmark query, 4 subgraphs)" "$(awk -v n="$n" -v m="$mode" '
        $1 == m && $2 == n && NF >= 9 && $3 ~ /^[0-9.]+$/ {
          r = sprintf("%s req/s; p50 %s, p99 %s; %s failed, %s differing; router %s CPU-ms/req, max RSS %s; load %s %s %s", $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
          if ((getline nxt) > 0 && nxt ~ /^ *vs README/) { sub(/^ +/, "", nxt); r = r "; " nxt }
          printf "%s", r }
        ' "$logs/router.log")" router
    done
  done
fi

# --- subscription events through the router ----------------------------------------------
if wanted subscription; then
  step subscription router "go test -run '^\$' -bench Subscription_eventsThroughTheRouter -benchtime 3s ./core"
  row "subscription events/s through the router (1 subscription, 3 subgraphs)" "$(awk '
      /^BenchmarkSubscription_eventsThroughTheRouter/ {
        for (i = 1; i < NF; i++) if ($(i+1) == "events/s") { printf "%s events/s", $i; exit } }
      ' "$logs/subscription.log")" subscription
fi

# --- placeOrder -> PAID ------------------------------------------------------------------
if wanted orders; then
  step orders subgraphs/orders "go run ./cmd/orders-bench -clients $orders_clients -duration $orders_duration"
  IFS=, read -ra levels <<<"$orders_clients"
  for n in "${levels[@]}"; do
    row "placeOrder -> PAID, $n client(s), closed loop" "$(awk -F'|' -v n="$n" '
      /^placeOrder -> PAID/ { table = 1; next }
      table && NF >= 8 {
        split($1, a, " ")
        if (a[1] != n || a[3] !~ /^[0-9.]+$/) next
        gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); gsub(/^ +| +$/, "", $6)
        printf "%s orders/s; client p50/p99 %s ms; via router %s ms; failed/errors %s", a[3], $2, $3, $6
        exit }
      ' "$logs/orders.log" | tr -s ' ')" orders
  done
fi

# --- dispatch: matching and location updates vs Redis GEO, side by side; fan-out --------
if wanted dispatch; then
  step dispatch subgraphs/dispatch "go run ./cmd/dispatch-bench -drivers $dispatch_drivers -phase 3s -clients 8"
  IFS=, read -ra counts <<<"$dispatch_drivers"
  # figure LABEL-REGEX: "N/s, p50 X p99 Y, Redis CPU Z/op" of the first line matching it in
  # the block of N drivers; ratio: the ratio line after the comparison.
  for n in "${counts[@]}"; do
    for cmp in "matching \\(in-memory:GEOSEARCH:matching (in-memory H3 index, 10 nearest, ranked) vs GEOSEARCH 3 km COUNT 10" \
               "matching \\+ reservation:GEOSEARCH:matching + atomic Redis reservation vs GEOSEARCH 3 km COUNT 10" \
               "location updates:GEOADD:location updates (updateLocation -> driver.location -> another replica's index) vs GEOADD"; do
      IFS=: read -r ours base label <<<"$cmp"
      row "$label, $n online drivers, 8 clients" "$(awk -v n="$n" -v ours="^$ours" -v base="^baseline $base" '
        function fig(line,   r, l, c) {
          r = ""; if (match(line, /: [0-9.]+ ops\/s/)) r = substr(line, RSTART + 2, RLENGTH - 2)
          if (match(line, /p50 [^ ]+ p99 [^ ]+/)) l = substr(line, RSTART, RLENGTH)
          if (match(line, /CPU per op: Redis [^,]+/)) c = substr(line, RSTART + 12, RLENGTH - 12)
          return r ", " l ", " c " CPU/op"
        }
        /^== [0-9]+ online drivers/ { cur = $2; state = 0 }
        cur != n { next }
        state == 0 && $0 ~ ours { a = fig($0); state = 1; next }
        state == 1 && $0 ~ base { b = fig($0); state = 2; next }
        state == 2 && /^  ratio:/ { match($0, /[0-9.]+x/); r = substr($0, RSTART, RLENGTH); state = 3; next }
        state == 3 && !/^  / { state = 4 }
        state == 3 && /^  reaching/ && match($0, /[0-9]+ updates\/s/) { reach = "; reaching the index " substr($0, RSTART, RLENGTH) }
        state == 3 && /^  reaching/ && match($0, /dropped at a full queue [0-9]+, failed to publish [0-9]+/) { reach = reach " (" substr($0, RSTART, RLENGTH) ")" }
        state == 3 && /^  path:/ && match($0, /Kafka broker [0-9.]+ µs net/) { reach = reach "; CPU per update: " substr($0, RSTART, RLENGTH) }
        state == 3 && /^  path:/ && match($0, /all processes [0-9.]+ µs per update/) { reach = reach ", " substr($0, RSTART, RLENGTH) }
        END { if (a != "") printf "ours %s | baseline %s | ratio %s%s", a, b, r, reach }
        ' "$logs/dispatch.log")" dispatch
    done
  done
  row "fan-out: updateLocation (HTTP) -> driver.location -> deliveryTracking (WebSocket), 100 orders" "$(awk '
      /^updateLocation \(HTTP\) -> / && match($0, /p50 [^ ]+ p99 [^ ]+ \(n=[0-9]+\)/) {
        print substr($0, RSTART, RLENGTH); exit }
      ' "$logs/dispatch.log")" dispatch
fi

# --- search p99, both backends -----------------------------------------------------------
if wanted search; then
  step search subgraphs/search "go run ./cmd/search-bench -restaurants $search_restaurants -dishes 12 -clients 50 -duration $search_duration"
  for backend in elasticsearch bleve; do
    row "search p99, $backend ($search_restaurants restaurants x 12 dishes, 50 clients)" "$(awk -v b="$backend" '
      $1 == b && $2 == "indexing:" && match($0, /[0-9.]+ docs\/s/) { idx = substr($0, RSTART, RLENGTH) }
      $1 == b && $2 == "search:" {
        for (i = 3; i <= NF; i++) {
          if ($i == "p99") p99 = $(i+1); if ($i == "p50") p50 = $(i+1)
          if ($i ~ /^\([0-9.]+\/s\),$/) rate = $i; if ($(i+1) == "errors") errs = $i }
        gsub(/,$/, "", p99); gsub(/,$/, "", p50); gsub(/^\(|\/s\),$/, "", rate) }
      END { if (p99 != "") printf "p99 %s (p50 %s, %s searches/s, %s errors)%s", p99, p50, rate, errs, (idx != "" ? "; indexing " idx : "") }
      ' "$logs/search.log")" search
  done
  row "search: Elasticsearch adapter (subgraph side) vs the raw query it sends (answer read, not decoded)" "$(awk '
      /^elasticsearch +adapter vs raw:/ { sub(/^elasticsearch +adapter vs raw: /, ""); print; exit }
      ' "$logs/search.log")" search
fi

# --- outbox relay: backlog drain and sustained produce-and-relay, beside a naive relay -------
if wanted outbox; then
  step outbox events "go run ./cmd/outbox-bench -backlog $outbox_backlog -subjects 1000 -duration $outbox_duration"
  for phase in drain sustained; do
    for sys in "naive SKIP LOCKED" "DizhTime before (head claim)" "DizhTime x1, delete sent" "DizhTime x2, delete sent"; do
      row "outbox relay, $phase ($( [ "$phase" = drain ] && echo "$outbox_backlog backlog" || echo "producers committing for $outbox_duration"), 1000 subjects), $sys" "$(awk -F' [|] ' -v p="$phase" -v s="$sys" '
        $1 == p && $2 == s { printf "%s events/s; %s, %s; relay PG CPU %s/event (%s events per PG CPU-s); bench process %s/event; %s naive (rate; PG CPU); load %s", $3, $4, $5, $6, $7, $8, $9, $10; exit }
        ' "$logs/outbox.log")" outbox
    done
  done
fi

# --- consumers: per message vs batch mode (per-event handler, batch handler), dedupe kept ---
if wanted consumer; then
  step consumer events "go run ./cmd/consumer-bench -events $consumer_events -baseline-events $((consumer_events / 10)) -batch 512"
  for mode in per-message batch-per-event batch; do
    row "consumer, $mode (events/consumer, 1 group, 3 partitions, event-id dedupe, one effect row per event)" "$(awk -F' [|] ' -v m="$mode" '
      $1 == m { printf "%s events/s; transaction %s; %s events/tx; PG %s/event (%s events per PG CPU-s); client %s/event (%s per client CPU-s); %s per message; load %s", $2, $11, $3, $5, $6, $7, $8, $9, $10; exit }
      ' "$logs/consumer.log")" consumer
  done
fi

# --- wallet tx/s -------------------------------------------------------------------------
# WALLET_BENCH_COMPARE (1): the side-by-side run against pgledger (PGLEDGER_SQL: a path to
# pgledger.sql, loaded into a separate database; without it a minimal equivalent transfer
# function stands in and the log says so), the saga drained from Kafka. Both ledgers run
# 2,000 warm-up operations and are ANALYZEd before the measured rounds. The bare consumer is
# consumer-bench's (BENCH_ONLY: consumer).
if wanted wallet; then
  if [ "${WALLET_BENCH_COMPARE:-1}" = 1 ]; then
    pgledger_flag=""
    [ -n "${PGLEDGER_SQL:-}" ] && pgledger_flag="-pgledger-sql $(cd "$(dirname "$PGLEDGER_SQL")" && pwd)/$(basename "$PGLEDGER_SQL")"
    step wallet subgraphs/wallet "go run ./cmd/wallet-bench -compare -duration ${WALLET_BENCH_DURATION:-5s} -workers 20 -accounts 50,10 -rounds 2 -saga-events 10000 $pgledger_flag"
    for n in 50 10; do
      row "wallet PayOrder vs pgledger, 20 workers over $n accounts (tx/s, p99, Postgres CPU/tx, saga)" "$(awk -v n="$n" '
        $1 == "ratio" && $2 == n { sub(/^ratio [0-9]+ accounts: /, ""); print; exit }
        ' "$logs/wallet.log")" wallet
    done
    row "wallet comparison: scans during the measured rounds (a seq scan on a growing table = a stale plan)" "$(awk '
      index($0, "scans during the measured rounds") == 1 { sub(/^[^:]*: /, ""); print; exit }
      ' "$logs/wallet.log")" wallet
  else
    step wallet subgraphs/wallet "go run ./cmd/wallet-bench -duration $wallet_duration -conns 8"
    for mode in ledger saga; do
      row "wallet tx/s, $mode (best over 1/16/64 clients; 8 pooled conns)" "$(awk -v m="$mode" '
        $1 == m && NF == 5 && $4 ~ /^[0-9.]+$/ {
          split($2, a, "/"); k = a[1]
          if (!(k in best) || $4 + 0 > best[k] + 0) { best[k] = $4; at[k] = $3; p50[k] = $5 } }
        END { if ("spread" in best) printf "spread/1000 accts %s tx/s @%s clients (p50 %s ms)", best["spread"], at["spread"], p50["spread"]
              if ("hot" in best) printf "; hot/10 accts %s tx/s @%s clients (p50 %s ms)", best["hot"], at["hot"], p50["hot"] }
        ' "$logs/wallet.log")" wallet
    done
  fi
fi

# --- analytics: ingestion and dashboard queries, ClickHouse and DuckDB -------------------
if wanted analytics; then
  step analytics subgraphs/analytics "go run ./cmd/analytics-bench -events $analytics_events -backends clickhouse,duckdb"
  for backend in clickhouse duckdb; do
    row "analytics ingest events/s, $backend ($analytics_events synthetic events, batched)" "$(awk -F' [|] ' -v b="$backend" '
      /^figure/ { for (i = 2; i <= NF; i++) { gsub(/ +$/, "", $i); if ($i == b) col = i } }
      col && /^ingest events/ { v = $col; gsub(/ +$/, "", v); print v; exit }
      ' "$logs/analytics.log")" analytics
    row "analytics ingest events per CPU-second and load, $backend" "$(awk -F' [|] ' -v b="$backend" '
      /^figure/ { for (i = 2; i <= NF; i++) { gsub(/ +$/, "", $i); if ($i == b) col = i } }
      col && /^(ingest events per CPU|load average during ingest)/ { v = $col; gsub(/ +$/, "", v); out = out (out ? "; load " : "") v }
      END { print out }
      ' "$logs/analytics.log")" analytics
    row "analytics dashboard queries p50/p99, $backend (each query)" "$(awk -F' [|] ' -v b="$backend" '
      /^figure/ { for (i = 2; i <= NF; i++) { gsub(/ +$/, "", $i); if ($i == b) col = i } }
      col && /^query / { v = $col; gsub(/ +$/, "", v); q = $1; sub(/^query /, "", q); sub(/ p50\/p99 *$/, "", q); out = out (out ? "; " : "") q " " v }
      END { print out }
      ' "$logs/analytics.log")" analytics
  done
fi

# --- notifications: event -> inbox + live event + push, and transition -> myNotifications ---
# NOTIFICATIONS_BENCH_SUBSCRIBERS (10000), NOTIFICATIONS_BENCH_ROUTERS (2), NOTIFICATIONS_BENCH_EVENTS
# (3000); in BENCH_ONLY as notifications.
if [ -z "${BENCH_ONLY:-}" ] || wanted notifications; then
  # Each subscriber holds two sockets in its router (client, upstream): 10,000 need two router
  # replicas under this machine's 20,000 open files per process; the load tool is a process
  # of its own. The bench prints each process's fd budget and peak.
  notifications_subscribers=${NOTIFICATIONS_BENCH_SUBSCRIBERS:-10000}
  step notifications subgraphs/notifications "go run ./cmd/notifications-bench -subscribers $notifications_subscribers -routers ${NOTIFICATIONS_BENCH_ROUTERS:-2} -events ${NOTIFICATIONS_BENCH_EVENTS:-3000} -rate 20 -duration 10s"
  row "notifications: subscribers connected through the routers, setup time" "$(awk '
      /^subscribers connected/ && match($0, /[0-9]+ in [^ ]+/) { print substr($0, RSTART, RLENGTH); exit }
      ' "$logs/notifications.log")" notifications
  row "notifications/s end to end (Kafka -> inbox row + myNotifications via router + push)" "$(awk '
      /^throughput \(event/ && match($0, /[0-9.]+ notifications\/s/) { print substr($0, RSTART, RLENGTH); exit }
      ' "$logs/notifications.log")" notifications
  row "transition -> myNotifications via router, $notifications_subscribers subscribers" "$(awk '
      /^transition -> myNotifications/ && match($0, /p50 [^ ]+ p99 [^ ]+/) { print substr($0, RSTART, RLENGTH); exit }
      ' "$logs/notifications.log")" notifications
  row "notifications: events missed (must be 0)" "$(awk '
      /^events missed/ && match($0, /[0-9]+ of [0-9]+ published/) { print substr($0, RSTART, RLENGTH); exit }
      ' "$logs/notifications.log")" notifications
fi

# --- web: the customer app's first load and transition -> screen, in headless Chromium ----
# The browser journey of platform/city (a real stack through the router) prints these as
# METRIC/figure lines; in BENCH_ONLY as web (it builds the stack's binary first: minutes cold).
if [ -z "${BENCH_ONLY:-}" ] || wanted web; then
  step web platform "go test -count=1 -run TestWebCustomer -v ./city"
  first_js=$(ls web/apps/customer/dist/assets/index-*.js 2>/dev/null | head -1)
  row "customer app: first-screen JS gzip -9 / uncompressed (goal < 200 KB gzipped)" \
    "$([ -n "$first_js" ] && echo "$(gzip -9c "$first_js" | wc -c) B / $(wc -c <"$first_js") B")" web
  row "customer app: first screen interactive in headless Chromium" "$(awk '
      /METRIC first_screen_interactive_ms/ { print $NF " ms"; exit }
      ' "$logs/web.log")" web
  row "customer app: order transition -> order page shows it, per step (goal < 500 ms)" "$(awk '
      /figure: .* shown by the order page/ && match($0, /[0-9]+ ms/) { v = substr($0, RSTART, RLENGTH - 3) + 0; n++; if (v > mx) mx = v; if (!mn || v < mn) mn = v }
      END { if (n) print n " steps, " mn "-" mx " ms" }
      ' "$logs/web.log")" web
fi

# --- tracking: deliveryTracking fan-out through one router under `make run` (issue 27) ----
# TRACKING_BENCH_SUBSCRIBERS (1000,9000; the router takes one file per subscriber, so up to ~19,000 fit
# its 20,000 here: router/README.md "subscription fan-out"), TRACKING_BENCH_STREAMS (1,10), TRACKING_BENCH_DURATION
# (20s), TRACKING_BENCH_ROUTER (http://127.0.0.1:4000/graphql), TRACKING_BENCH_TIMEOUT (1800s);
# in BENCH_ONLY as tracking. The load tool (platform/cmd/trackload) is a process of its own
# against a running DizhTime: the one answering at TRACKING_BENCH_ROUTER (`make run`), or else
# `dizhtime dev` started here as make run starts it (and stopped after; its router with pprof on,
# so the tool can force a GC before reading heap in use: `DIZHTIME_ROUTER_PPROF=true make run`
# does the same for a make run of your own). Open files: the tool
# and the router need one per subscriber each (see platform/cmd/trackload/fds.go); the tool
# refuses an N over either's limit (ErrOpenFileLimit) and says the largest that fits.
if [ -z "${BENCH_ONLY:-}" ] || wanted tracking; then
  tracking_router=${TRACKING_BENCH_ROUTER:-http://127.0.0.1:4000/graphql}
  tracking_levels=${TRACKING_BENCH_SUBSCRIBERS:-1000,9000}
  tracking_dev_pid=
  if ! curl -fsS -o /dev/null "${tracking_router%/graphql}/healthz" 2>/dev/null; then
    say "tracking: no router at $tracking_router; starting dizhtime dev (log: $logs/tracking-dev.log)"
    mkdir -p .dizhtime/bin
    if go build -ldflags="-s -w" -o .dizhtime/bin/dizhtime ./platform/cmd/dizhtime >"$logs/tracking-dev.log" 2>&1; then
      DIZHTIME_ROUTER_PPROF=true DIZHTIME_DEV_ROUTER_ADDR=$(echo "$tracking_router" | sed -E 's#^https?://([^/]+).*#\1#') \
        .dizhtime/bin/dizhtime dev >>"$logs/tracking-dev.log" 2>&1 &
      tracking_dev_pid=$!
      for _ in $(seq 1 600); do
        grep -q 'demo logins ready' "$logs/tracking-dev.log" && break
        kill -0 "$tracking_dev_pid" 2>/dev/null || break
        sleep 1
      done
    fi
  fi
  saved_timeout=$step_timeout
  step_timeout=${TRACKING_BENCH_TIMEOUT:-1800s}
  step tracking platform "go run ./cmd/trackload -router $tracking_router -subscribers $tracking_levels -streams ${TRACKING_BENCH_STREAMS:-1,10} -duration ${TRACKING_BENCH_DURATION:-20s}"
  step_timeout=$saved_timeout
  if [ -n "$tracking_dev_pid" ]; then
    kill -TERM "$tracking_dev_pid" 2>/dev/null
    wait "$tracking_dev_pid" 2>/dev/null
  fi
  awk -F' [|] ' '$1 == "tracking" && $2 ~ /^[0-9]+$/ && NF >= 10 { print }' "$logs/tracking.log" >"$logs/tracking.rows"
  if [ -s "$logs/tracking.rows" ]; then
    while IFS= read -r line; do
      # The tool's fields, " | "-separated: tracking, N, streams, setup, memory, fan-out,
      # events, CPU, load, placeOrder p99 idle / during.
      IFS=$'\t' read -r _ n s setup mem fan events cpu load probe <<<"${line// | /$'\t'}"
      row "tracking: $n subscribers on $s stream(s), updateLocation 2/s" \
        "setup $setup; memory/sub $mem; fan-out $fan; events $events; CPU tool/router $cpu; load $load; placeOrder p99 idle/during $probe" tracking
    done <"$logs/tracking.rows"
  else
    row "tracking: deliveryTracking fan-out (subscribers, setup, memory/sub, p50/p99/max, missed)" "" tracking
  fi
fi

# --- the table ---------------------------------------------------------------------------
load_end=$(loadavg)
{
  echo
  echo "DizhTime bench, $started -> $(date '+%H:%M:%S'); $(nproc) CPUs; $(go env GOVERSION); commit $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "load average (1m 5m 15m): start $load_start, end $load_end; services: deploy/local/services.sh env; logs: $logs/"
  echo "rerun a figure alone: eval \"\$(deploy/local/services.sh env)\", then its command from the repo root"
  echo
  # Widths in characters, not bytes (mawk counts bytes; the tools print "µs").
  LC_ALL=C awk -F'\t' '
    function width(s) { return length(s) - gsub(/\302\265/, "&", s) }
    function pad(s, n) { n -= width(s); while (n-- > 0) s = s " "; return s }
    function dash(n,   s) { s = ""; while (n-- > 0) s = s "-"; return s }
    { for (i = 1; i <= 3; i++) { c[NR, i] = $i; if (width($i) > w[i]) w[i] = width($i) } }
    END {
      h[1] = "figure"; h[2] = "result"; h[3] = "command"
      for (i = 1; i <= 3; i++) if (length(h[i]) > w[i]) w[i] = length(h[i])
      printf "| %s | %s | %s |\n", pad(h[1], w[1]), pad(h[2], w[2]), pad(h[3], w[3])
      printf "|%s|%s|%s|\n", dash(w[1] + 2), dash(w[2] + 2), dash(w[3] + 2)
      for (r = 1; r <= NR; r++) printf "| %s | %s | %s |\n", pad(c[r, 1], w[1]), pad(c[r, 2], w[2]), pad(c[r, 3], w[3])
    }
  ' "$rows"
} | tee "$logs/table.txt"

failed=0
for name in "${!rc_of[@]}"; do [ "${rc_of[$name]}" = 0 ] || failed=1; done
exit $failed
