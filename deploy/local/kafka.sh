# Apache Kafka 4.x in KRaft mode (one process is both broker and controller), from Maven Central
# jars: deploy/local/kafka/pom.xml lists them, `mvn dependency:copy-dependencies` puts them under
# $DIZHTIME_CACHE/kafka-<version>/libs. No ZooKeeper, no tarball. Sourced by services.sh.
KAFKA_VERSION=${DIZHTIME_KAFKA_VERSION:-4.4.0}
KAFKA_PORT=${DIZHTIME_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${DIZHTIME_KAFKA_CONTROLLER_PORT:-9093}
# Kafka 4 brokers need Java 17 or newer; the default `java` here is 17.
KAFKA_JAVA=${DIZHTIME_KAFKA_JAVA:-java}
KAFKA_HEAP_OPTS=${DIZHTIME_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}

kafka_port() { echo "$KAFKA_PORT"; }
kafka_timeout() { echo 90; }
kafka_addr() { echo "127.0.0.1:$KAFKA_PORT"; }
kafka_env() { echo "DIZHTIME_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"; }

kafka_home() { echo "$DIZHTIME_CACHE/kafka-$KAFKA_VERSION"; }
kafka_conf_dir() { echo "$DIZHTIME_ROOT/deploy/local/kafka"; }

kafka_install() {
  command -v "$KAFKA_JAVA" >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  local home libs tmp
  home=$(kafka_home); libs=$home/libs
  # .complete is written only after a full copy, so an interrupted download is redone, a finished one never.
  if [ ! -f "$home/.complete" ]; then
    log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $libs"
    mkdir -p "$home"
    tmp=$home/libs.tmp
    rm -rf "$tmp"
    # Run from $home so a pom.xml in the caller's working directory cannot interfere.
    if ! (cd "$home" && mvn -q -B -Dstyle.color=never -f "$(kafka_conf_dir)/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$home/mvn.log" 2>&1); then
      tail -n 30 "$home/mvn.log" >&2
      die "could not fetch Kafka $KAFKA_VERSION from Maven Central (see $home/mvn.log)"
    fi
    [ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ] || die "kafka_2.13-$KAFKA_VERSION.jar missing after download"
    rm -rf "$libs"
    mv "$tmp" "$libs"
    echo "$KAFKA_VERSION" >"$home/.complete"
  fi
}

# kafka_java CLASS ARGS...: runs a Kafka tool main class on the cached jars, quietly (warnings to
# stderr), killed after $KAFKA_TOOL_TIMEOUT seconds so a wedged broker cannot hang the caller.
KAFKA_TOOL_TIMEOUT=60
kafka_java() {
  timeout "$KAFKA_TOOL_TIMEOUT" "$KAFKA_JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$(kafka_conf_dir)/log4j2.properties" \
    -Ddizhtime.kafka.loglevel=WARN -Ddizhtime.kafka.logtarget=SYSTEM_ERR -Dlog4j2.shutdownHookEnabled=false \
    -cp "$(kafka_home)/libs/*" "$@"
}

kafka_write_config() {
  local dir=$1
  cat >"$dir/server.properties" <<EOF
# Written by deploy/local/kafka.sh on every start; edit that file, not this one.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=67108864
EOF
}

kafka_start() {
  local dir; dir=$(svc_dir kafka)
  mkdir -p "$dir/data"
  if port_open 127.0.0.1 "$KAFKA_CONTROLLER_PORT"; then
    log "kafka: controller port $KAFKA_CONTROLLER_PORT is in use by another process (set DIZHTIME_KAFKA_CONTROLLER_PORT)"
    return 1
  fi
  kafka_write_config "$dir"
  # Format the KRaft metadata log once. A static voter set (controller.quorum.voters) rather than
  # `format --standalone` (dynamic quorum) keeps the data dir valid if the ports change later.
  if [ ! -s "$dir/data/meta.properties" ]; then
    local cluster_id
    # A Kafka cluster id is 16 random bytes in URL-safe base64. One starting with '-' would be
    # read as an option by the storage tool, so draw again until it does not.
    cluster_id=-
    while [ "${cluster_id#-}" != "$cluster_id" ]; do
      cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    done
    log "formatting Kafka KRaft storage in $dir/data (cluster id $cluster_id)"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
      >"$dir/format.log" 2>&1 || { tail -n 20 "$dir/format.log" >&2; return 1; }
  fi
  # java itself runs under setsid, so the recorded pid is the broker JVM.
  start_background kafka "$KAFKA_JAVA" $KAFKA_HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$(kafka_conf_dir)/log4j2.properties" -Dkafka.logs.dir="$dir" \
    -cp "$(kafka_home)/libs/*" kafka.Kafka "$dir/server.properties"
}

# Cheap port probe first (polled every half second); once the port answers, one real Kafka request
# (ApiVersions via Kafka's own BrokerApiVersionsCommand) proves the broker serves.
kafka_ready() {
  port_open 127.0.0.1 "$KAFKA_PORT" || return 1
  local out
  out=$(KAFKA_TOOL_TIMEOUT=30 kafka_java org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" 2>/dev/null) || return 1
  [[ $out == *"(id: 1 rack"* ]]
}
