package city

import (
	"context"
	"encoding/json"
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
	"github.com/dizhtime/dizhtime/platform/mongodb"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/platform/searchindex"
	"github.com/dizhtime/dizhtime/platform/stack"
)

// theSixSubgraphs must all be in supergraph.yaml: a journey without one of them is a
// failure, never a skip.
var theSixSubgraphs = []string{"identity", "restaurants", "orders", "dispatch", "wallet", "search"}

// realCity is every subgraph and the router on free ports, against the real services
// (endpoints' DIZHTIME_* addresses), named apart from every other run: databases, Kafka
// consumer groups, the search index alias, Redis key prefixes and the MongoDB database.
type realCity struct {
	*stack.Stack
	client *Client
	run    string
}

// extraEnv is added to every subgraph's environment (e.g. seeding the demo city).
func startRealCity(t *testing.T, ctx context.Context, extraEnv ...string) *realCity {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	requireServices(t)
	run := fmt.Sprintf("e2e%d", time.Now().UnixNano()%1_000_000_000_000)
	// The run's topics are its own (DIZHTIME_KAFKA_TOPIC_PREFIX): a consumer reading from
	// the first offset, such as search's projection, sees only this run's events, never the
	// restaurants earlier runs or the demo city published on the shared broker. Some
	// consumer groups still start at the end of their topics, so every topic must exist
	// before they join: a topic made by its first event would be read from after that event.
	topicPrefix := run + "."
	if err := ensureContractTopics(ctx, topicPrefix); err != nil {
		t.Fatal(err)
	}
	subgraphs, err := stack.ReadSupergraph(filepath.Join(root, "supergraph.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, s := range subgraphs {
		have[s.Name] = true
	}
	for _, name := range theSixSubgraphs {
		if !have[name] {
			t.Fatalf("supergraph.yaml does not list subgraph %s: the journey needs all of %v", name, theSixSubgraphs)
		}
	}
	addrs, err := stack.FreeAddrs(len(subgraphs) + 1)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	identityAddr := ""
	for i, s := range subgraphs {
		byName[s.Name] = addrs[i]
		if s.Name == "identity" {
			identityAddr = addrs[i]
		}
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
	if err := os.WriteFile(routerYAML, []byte(fmt.Sprintf("listen_addr: %s\nsupergraph_file: %q\n%s", routerAddr, supergraph,
		routertest.AuthYAML("http://"+identityAddr, "https://identity.dizhtime.local", "dizhtime"))), 0o644); err != nil {
		t.Fatal(err)
	}

	dbPrefix := "dizhtime_" + run + "_"
	s, err := stack.Start(ctx, stack.Options{
		RepoRoot: root, SupergraphFile: supergraph, RouterConfig: routerYAML, RouterAddr: routerAddr,
		WorkDir: dir, PostgresURL: endpoints.Postgres(), DatabasePrefix: dbPrefix, KafkaTopicPrefix: topicPrefix,
		Binary: dizhtimeBinary,
		Env: append([]string{
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
			// Fresh consumer groups on a shared Kafka read only this run's events: the
			// topics hold every earlier run's too, which this run's stores never saw.
			"DIZHTIME_ORDERS_CONSUMER_GROUP_PREFIX=" + run + "-orders",
			"DIZHTIME_ORDERS_CONSUME_FROM_BEGINNING=false",
			"DIZHTIME_WALLET_CONSUMER_GROUP_PREFIX=" + run + "-wallet",
			"DIZHTIME_WALLET_CONSUME_FROM_LATEST=true",
			"DIZHTIME_DISPATCH_CONSUMER_GROUP=" + run + "-dispatch",
			"DIZHTIME_DISPATCH_CONSUME_FROM_START=false",
			"DIZHTIME_NOTIFICATIONS_CONSUMER_GROUP_PREFIX=" + run + "-notifications",
			"DIZHTIME_NOTIFICATIONS_CONSUME_FROM_BEGINNING=false",
			"DIZHTIME_ANALYTICS_CONSUMER_GROUP=" + run + "-analytics",
			"DIZHTIME_ANALYTICS_CONSUME_FROM_LATEST=true",
			"DIZHTIME_LOG_LEVEL=info",
		}, extraEnv...),
		ReadyTimeout: 2 * time.Minute,
	})
	logTails := func() {
		for _, name := range append(append([]string{}, theSixSubgraphs...), "router") {
			if tail := stack.Tail(filepath.Join(dir, "logs", name+".log"), 15); tail != "" {
				t.Logf("--- %s log (last lines):\n%s", name, tail)
			}
		}
	}
	t.Cleanup(func() {
		if s != nil {
			s.Stop()
		}
		if t.Failed() {
			logTails()
		}
		dropDatabases(t, dbPrefix)
		dropRunStores(t, run)
		dropRunTopics(t, topicPrefix)
	})
	if err != nil {
		t.Fatalf("start the city: %v", err)
	}
	return &realCity{Stack: s, client: NewClient(s.RouterURL), run: run}
}

// requireServices fails at once, naming the service, when a real service is not listening.
func requireServices(t *testing.T) {
	t.Helper()
	pg, _ := url.Parse(endpoints.Postgres())
	mongo, _ := url.Parse(endpoints.Mongo())
	es, _ := url.Parse(endpoints.Elasticsearch())
	for name, addr := range map[string]string{
		"PostgreSQL (" + endpoints.PostgresEnv + ")":         pg.Host,
		"Redis (" + endpoints.RedisEnv + ")":                 endpoints.Redis(),
		"Kafka (" + endpoints.KafkaEnv + ")":                 endpoints.Kafka()[0],
		"MongoDB/FerretDB (" + endpoints.MongoEnv + ")":      mongo.Host,
		"Elasticsearch (" + endpoints.ElasticsearchEnv + ")": es.Host,
	} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("%s is not reachable at %s (start the services: make services): %v", name, addr, err)
		}
		_ = c.Close()
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
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, prefix)
	if err != nil {
		t.Logf("drop test databases: %v", err)
		return
	}
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

// dropRunStores drops what the run made outside PostgreSQL: the search index behind its
// alias and its MongoDB database (Redis keys and Kafka groups are left to expire).
func dropRunStores(t *testing.T, run string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if c, err := mongodb.Connect(ctx, endpoints.Mongo()); err != nil {
		t.Logf("drop the run's MongoDB database: %v", err)
	} else {
		if err := c.Database(run + "_restaurants").Drop(ctx); err != nil {
			t.Logf("drop the run's MongoDB database: %v", err)
		}
		_ = c.Disconnect(ctx)
	}
	es, err := searchindex.ConnectElasticsearch(ctx, endpoints.Elasticsearch())
	if err != nil {
		t.Logf("drop the run's search index: %v", err)
		return
	}
	res, err := es.Indices.GetAlias(es.Indices.GetAlias.WithContext(ctx), es.Indices.GetAlias.WithName(run+"-restaurants"))
	if err != nil {
		t.Logf("drop the run's search index: %v", err)
		return
	}
	defer res.Body.Close()
	var indexes map[string]any
	if res.IsError() || json.NewDecoder(res.Body).Decode(&indexes) != nil {
		return // no alias: the search subgraph never created its index
	}
	for name := range indexes {
		if del, err := es.Indices.Delete([]string{name}, es.Indices.Delete.WithContext(ctx)); err != nil {
			t.Logf("drop search index %s: %v", name, err)
		} else {
			del.Body.Close()
		}
	}
}

// dropRunTopics deletes the run's Kafka topics, so the shared broker does not keep every
// run's.
func dropRunTopics(t *testing.T, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := kafka.DeleteTopicsWithPrefix(ctx, endpoints.Kafka(), prefix); err != nil {
		t.Logf("drop the run's Kafka topics: %v", err)
	}
}

// ensureContractTopics creates a topic for every event type of events/contracts, named
// with prefix (the run's DIZHTIME_KAFKA_TOPIC_PREFIX; this process has none of its own).
func ensureContractTopics(ctx context.Context, prefix string) error {
	versions, err := contracts.SchemaVersions()
	if err != nil {
		return err
	}
	specs := make([]kafka.TopicSpec, 0, len(versions))
	for eventType := range versions {
		specs = append(specs, kafka.TopicSpec{Name: prefix + eventType})
	}
	if err := kafka.EnsureTopics(ctx, endpoints.Kafka(), specs...); err != nil {
		return fmt.Errorf("create the event topics: %w", err)
	}
	return nil
}
