# Elasticsearch 8.x from Maven Central's integ-test distribution
# (org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip): a real, runnable
# Elasticsearch with a reduced module set, no bundled JDK, no ML. Sourced by services.sh.
# Elasticsearch refuses root, so it runs as $DIZHTIME_SERVICE_USER; the unzipped distribution in
# $DIZHTIME_CACHE stays read-only, config/data/logs live under .dizhtime/elasticsearch.
ELASTICSEARCH_VERSION=${DIZHTIME_ELASTICSEARCH_VERSION:-8.19.21}
ELASTICSEARCH_PORT=${DIZHTIME_ELASTICSEARCH_PORT:-9200}
# Transport (node-to-node) port range; only our one node uses it.
ELASTICSEARCH_TRANSPORT_PORT=${DIZHTIME_ELASTICSEARCH_TRANSPORT_PORT:-9300-9399}
ELASTICSEARCH_HEAP=${DIZHTIME_ELASTICSEARCH_HEAP:-512m}

elasticsearch_port() { echo "$ELASTICSEARCH_PORT"; }
elasticsearch_timeout() { echo 120; }
elasticsearch_addr() { echo "http://127.0.0.1:$ELASTICSEARCH_PORT"; }
elasticsearch_env() { echo "DIZHTIME_ELASTICSEARCH_URL=http://127.0.0.1:$ELASTICSEARCH_PORT"; }

elasticsearch_home() { echo "$DIZHTIME_CACHE/elasticsearch-$ELASTICSEARCH_VERSION"; }

# Elasticsearch 8.x runs on Java 17+ (9.x would need 21). Default: the JDK of `java` on PATH.
elasticsearch_java_home() {
  if [ -n "${DIZHTIME_ELASTICSEARCH_JAVA_HOME:-}" ]; then echo "$DIZHTIME_ELASTICSEARCH_JAVA_HOME"; return; fi
  local java; java=$(command -v java) || return 1
  dirname "$(dirname "$(readlink -f "$java")")"
}

elasticsearch_install() {
  command -v java >/dev/null || [ -n "${DIZHTIME_ELASTICSEARCH_JAVA_HOME:-}" ] || apt_install openjdk-17-jre-headless
  command -v unzip >/dev/null || apt_install unzip
  command -v curl >/dev/null || apt_install curl
  command -v mvn >/dev/null || apt_install maven
  ensure_service_user
  local home zip tmp
  home=$(elasticsearch_home)
  # .complete is written only after a full unzip: an interrupted install is redone, a finished one never.
  if [ ! -f "$home/.complete" ]; then
    zip=$DIZHTIME_CACHE/downloads/elasticsearch-$ELASTICSEARCH_VERSION.zip
    if [ ! -s "$zip" ]; then
      log "fetching Elasticsearch $ELASTICSEARCH_VERSION (integ-test-zip) from Maven Central"
      (cd "$DIZHTIME_STATE" && mvn_fetch \
        "org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ELASTICSEARCH_VERSION:zip" \
        "$DIZHTIME_CACHE/downloads")
      [ -s "$zip" ] || die "$zip missing after download"
    fi
    log "unpacking Elasticsearch $ELASTICSEARCH_VERSION into $home"
    tmp=$DIZHTIME_CACHE/elasticsearch-$ELASTICSEARCH_VERSION.tmp
    rm -rf "$tmp" "$home"
    mkdir -p "$tmp"
    unzip -q "$zip" -d "$tmp" || die "could not unzip $zip"
    mv "$tmp/elasticsearch-$ELASTICSEARCH_VERSION" "$home"
    rm -rf "$tmp"
    chmod -R a+rX "$home"
    echo "$ELASTICSEARCH_VERSION" >"$home/.complete"
  fi
}

# elasticsearch_write_config DIR: a private ES_PATH_CONF (copied from the distribution on every start,
# so upgrades and edits here take effect) owned by the service user.
elasticsearch_write_config() {
  local dir=$1 home conf
  home=$(elasticsearch_home); conf=$dir/config
  rm -rf "$conf"
  cp -r "$home/config" "$conf"
  # The distribution's GC log goes to gc.log in the working directory; keep it, small, in logs/.
  sed -i "s#file=gc.log:\(.*\):filecount=[0-9]*,filesize=[0-9a-z]*#file=$dir/logs/gc.log:\1:filecount=4,filesize=16m#" \
    "$conf/jvm.options"
  mkdir -p "$conf/jvm.options.d"
  printf -- '-Xms%s\n-Xmx%s\n' "$ELASTICSEARCH_HEAP" "$ELASTICSEARCH_HEAP" >"$conf/jvm.options.d/dizhtime-heap.options"
  cat >"$conf/elasticsearch.yml" <<EOF
# Written by deploy/local/elasticsearch.sh on every start; edit that file, not this one.
cluster.name: dizhtime-local
node.name: dizhtime-local-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ELASTICSEARCH_PORT
transport.port: $ELASTICSEARCH_TRANSPORT_PORT
path.data: $dir/data
path.logs: $dir/logs
# Test machine: never go read-only because the disk is "nearly full".
cluster.routing.allocation.disk.threshold_enabled: false
# Nor pause merges (a force merge then waits forever: search's compaction hung on a
# machine with 5% of its disk free, the default merge watermark).
indices.merge.disk.watermark.high: 100%
# Plain HTTP without users (the integ-test zip carries x-pack security, which would enable TLS and auth).
xpack.security.enabled: false
# Tests delete indices by wildcard.
action.destructive_requires_name: false
EOF
}

elasticsearch_start() {
  local dir home java_home; dir=$(svc_dir elasticsearch)
  home=$(elasticsearch_home)
  java_home=$(elasticsearch_java_home) || { log "no Java found for Elasticsearch"; return 1; }
  mkdir -p "$dir/data" "$dir/logs" "$dir/tmp" "$dir/run"
  rm -f "$dir/run/elasticsearch.pid"
  elasticsearch_write_config "$dir"
  own_by_service_user "$dir"
  # setsid runuser -> bin/elasticsearch (exec: the CLI launcher JVM) -> the server JVM. The server
  # writes its own pid to run/elasticsearch.pid (-p); that one goes into our pidfile once it exists.
  # (as_service_user is a shell function, which setsid cannot exec: spell out its runuser here.)
  local as_user=()
  is_root && as_user=(runuser -u "$DIZHTIME_SERVICE_USER" --)
  start_background elasticsearch "${as_user[@]}" env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$dir/config" \
    ES_TMPDIR="$dir/tmp" ES_JAVA_OPTS= "$home/bin/elasticsearch" -p "$dir/run/elasticsearch.pid"
  local launcher; launcher=$(svc_pid elasticsearch) || return 1
  echo "$launcher" >"$dir/run/launcher.pid"
  local deadline=$((SECONDS + 60)) pid
  while [ $SECONDS -lt $deadline ]; do
    pid=$(head -n1 "$dir/run/elasticsearch.pid" 2>/dev/null | tr -d '[:space:]') || true
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      echo "$pid" >"$(svc_pidfile elasticsearch)"
      return 0
    fi
    kill -0 "$launcher" 2>/dev/null || { log "elasticsearch launcher exited before the server started"; return 1; }
    sleep 0.5
  done
  log "elasticsearch server wrote no pid file within 60s"
  return 1
}

elasticsearch_ready() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    "http://127.0.0.1:$ELASTICSEARCH_PORT/_cluster/health?wait_for_status=yellow&timeout=1s")" = 200 ]
}

elasticsearch_stop() {
  # SIGTERM to the server JVM (a clean shutdown); its launcher and runuser then exit on their own.
  svc_default_stop elasticsearch
  local f launcher; f=$(svc_dir elasticsearch)/run/launcher.pid
  launcher=$(head -n1 "$f" 2>/dev/null | tr -d '[:space:]') || true
  if [ -n "$launcher" ]; then
    for _ in $(seq 1 20); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.5; done
    kill -TERM "$launcher" 2>/dev/null || true
  fi
  rm -f "$f"
}
