package observability

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/platform/stack"
)

// platform is every subgraph and the router on free ports against the real services, each
// process exporting its traces to otlp; its names (databases, consumer groups, index alias,
// key prefixes) are the run's own, as platform/city's journey does.
type platform struct {
	*stack.Stack
	run string
	dir string
	// targets maps each process (the Prometheus job) to its host:port.
	targets map[string]string
}

func startPlatform(t *testing.T, ctx context.Context, otlp string) *platform {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	requireServices(t)
	subgraphs, err := stack.ReadSupergraph(filepath.Join(root, "supergraph.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := stack.FreeAddrs(len(subgraphs) + 1)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for i, s := range subgraphs {
		byName[s.Name] = addrs[i]
	}
	routerAddr := addrs[len(subgraphs)]
	moved, err := stack.Relocate(subgraphs, root, byName)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	supergraph := filepath.Join(dir, "supergraph.yaml")
	if err := stack.WriteSupergraph(supergraph, moved); err != nil {
		t.Fatal(err)
	}
	routerYAML := filepath.Join(dir, "router.yaml")
	// log_level debug: the router logs each operation it served with its trace id.
	if err := os.WriteFile(routerYAML, []byte(fmt.Sprintf("listen_addr: %s\nsupergraph_file: %q\nlog_level: debug\n%s", routerAddr, supergraph,
		routertest.AuthYAML("http://"+byName["identity"], "https://identity.dizhtime.local", "dizhtime"))), 0o644); err != nil {
		t.Fatal(err)
	}
	run := fmt.Sprintf("obs%d", time.Now().UnixNano()%1_000_000_000_000)
	// The run's own Kafka topics (as platform/city's journey): its consumers read only its
	// events; every topic exists before the consumer groups that start at the end join.
	topicPrefix := run + "."
	if err := ensureContractTopics(ctx, topicPrefix); err != nil {
		t.Fatal(err)
	}
	dbPrefix := "dizhtime_" + run + "_"
	s, err := stack.Start(ctx, stack.Options{
		RepoRoot: root, SupergraphFile: supergraph, RouterConfig: routerYAML, RouterAddr: routerAddr,
		WorkDir: dir, PostgresURL: endpoints.Postgres(), DatabasePrefix: dbPrefix, KafkaTopicPrefix: topicPrefix,
		Binary: dizhtimeBinary,
		Env: []string{
			"DIZHTIME_REDIS_ADDR=" + endpoints.Redis(),
			"DIZHTIME_KAFKA_BROKERS=" + strings.Join(endpoints.Kafka(), ","),
			"DIZHTIME_MONGO_URI=" + endpoints.Mongo(),
			"DIZHTIME_ELASTICSEARCH_URL=" + endpoints.Elasticsearch(),
			"DIZHTIME_SEARCH_INDEX_BACKEND=elasticsearch",
			"DIZHTIME_SEARCH_INDEX_ALIAS=" + run + "-restaurants",
			"DIZHTIME_SEARCH_CONSUMER_GROUP=" + run + "-search",
			"DIZHTIME_RESTAURANTS_MONGO_DATABASE=" + run + "_restaurants",
			"DIZHTIME_IDENTITY_REDIS_KEY_PREFIX=" + run + ":identity:",
			"DIZHTIME_DISPATCH_REDIS_KEY_PREFIX=" + run + ":dispatch:",
			"DIZHTIME_ORDERS_CONSUMER_GROUP_PREFIX=" + run + "-orders",
			"DIZHTIME_ORDERS_CONSUME_FROM_BEGINNING=false",
			"DIZHTIME_WALLET_CONSUMER_GROUP_PREFIX=" + run + "-wallet",
			"DIZHTIME_WALLET_CONSUME_FROM_LATEST=true",
			"DIZHTIME_DISPATCH_CONSUMER_GROUP=" + run + "-dispatch",
			"DIZHTIME_DISPATCH_CONSUME_FROM_START=false",
			"DIZHTIME_LOG_LEVEL=debug", // the consumers log each handled event at debug
			"DIZHTIME_TELEMETRY_OTLP_ENDPOINT=" + otlp,
			"DIZHTIME_TELEMETRY_OTLP_TRACES_ONLY=true", // Jaeger takes traces only; Prometheus scrapes the metrics
		},
		RouterEnv: []string{"DIZHTIME_ROUTER_TELEMETRY_OTLP_ENDPOINT=" + otlp,
			"DIZHTIME_ROUTER_TELEMETRY_OTLP_TRACES_ONLY=true"},
		ReadyTimeout: 2 * time.Minute,
	})
	t.Cleanup(func() {
		if s != nil {
			s.Stop()
			if t.Failed() {
				for _, p := range s.Processes {
					t.Logf("--- %s log (last lines):\n%s", p.Name(), stack.Tail(p.LogPath(), 15))
				}
			}
		}
		dropDatabases(t, dbPrefix)
		dropRunTopics(t, topicPrefix)
	})
	if err != nil {
		t.Fatalf("start the platform: %v", err)
	}
	targets := map[string]string{"router": routerAddr}
	for name, addr := range byName {
		targets[name] = addr
	}
	return &platform{Stack: s, run: run, dir: dir, targets: targets}
}

// requireServices fails at once, naming the service, when a real service is not listening.
func requireServices(t *testing.T) {
	t.Helper()
	pg, _ := url.Parse(endpoints.Postgres())
	mongo, _ := url.Parse(endpoints.Mongo())
	es, _ := url.Parse(endpoints.Elasticsearch())
	for name, addr := range map[string]string{
		"PostgreSQL": pg.Host, "Redis": endpoints.Redis(), "Kafka": endpoints.Kafka()[0],
		"MongoDB/FerretDB": mongo.Host, "Elasticsearch": es.Host,
	} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("%s is not reachable at %s (start the services: make services): %v", name, addr, err)
		}
		_ = c.Close()
	}
}

// ensureContractTopics creates every event topic, named with prefix (the run's
// DIZHTIME_KAFKA_TOPIC_PREFIX), before the run's consumer groups join at the topics' ends.
func ensureContractTopics(ctx context.Context, prefix string) error {
	versions, err := contracts.SchemaVersions()
	if err != nil {
		return err
	}
	specs := make([]kafka.TopicSpec, 0, len(versions))
	for eventType := range versions {
		specs = append(specs, kafka.TopicSpec{Name: prefix + eventType})
	}
	return kafka.EnsureTopics(ctx, endpoints.Kafka(), specs...)
}

// dropRunTopics deletes the run's Kafka topics.
func dropRunTopics(t *testing.T, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := kafka.DeleteTopicsWithPrefix(ctx, endpoints.Kafka(), prefix); err != nil {
		t.Logf("drop the run's Kafka topics: %v", err)
	}
}

func dropDatabases(t *testing.T, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, endpoints.Postgres())
	if err != nil {
		t.Logf("drop test databases: %v", err)
		return
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, prefix)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Logf("drop test databases: %v", err)
		return
	}
	for _, n := range names {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("drop %s: %v", n, err)
		}
	}
}
