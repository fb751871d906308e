package service

import (
	"os"
	"slices"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/endpoints"
)

// Store backends.
const (
	BackendClickHouse = "clickhouse"
	BackendDuckDB     = "duckdb"
)

// Config is analytics' configuration (YAML, then DIZHTIME_* env).
type Config struct {
	config.Base `yaml:",inline"`
	// StoreBackend is clickhouse (tests, production) or duckdb (embedded; the laptop run).
	StoreBackend       string `yaml:"store_backend" env:"ANALYTICS_STORE_BACKEND"`
	ClickHouseURL      string `yaml:"clickhouse_url" env:"CLICKHOUSE_URL"`
	ClickHouseDatabase string `yaml:"clickhouse_database" env:"ANALYTICS_CLICKHOUSE_DATABASE"`
	// DuckDBPath is the embedded database's file; empty keeps it in memory (lost on exit).
	DuckDBPath string `yaml:"duckdb_path" env:"ANALYTICS_DUCKDB_PATH"`
	// DuckDBThreads is the embedded database's threads (0: DuckDB's default, one per core).
	// The laptop run takes 1: ingesting the live trickle then costs a fifth less CPU (no
	// worker woken per small statement, analytics-bench -trickle), and a dashboard read of
	// a laptop's data takes a few milliseconds either way.
	DuckDBThreads int      `yaml:"duckdb_threads" env:"ANALYTICS_DUCKDB_THREADS"`
	KafkaBrokers  []string `yaml:"kafka_brokers" env:"KAFKA_BROKERS" envSeparator:","`
	ConsumerGroup string   `yaml:"consumer_group" env:"ANALYTICS_CONSUMER_GROUP"`
	// ConsumeFromLatest starts a new consumer group at the end of the topics.
	ConsumeFromLatest bool `yaml:"consume_from_latest" env:"ANALYTICS_CONSUME_FROM_LATEST"`
	// Topics default to every event type of events/contracts.
	Topics    []string      `yaml:"topics" env:"ANALYTICS_TOPICS" envSeparator:","`
	BatchSize int           `yaml:"batch_size" env:"ANALYTICS_BATCH_SIZE"`
	BatchWait time.Duration `yaml:"batch_wait" env:"ANALYTICS_BATCH_WAIT"`
	// DriverShareBps is the drivers' share of an order's total in basis points: the wallet's
	// driver_bps (DIZHTIME_WALLET_DRIVER_BPS), which no event carries.
	DriverShareBps int64 `yaml:"driver_share_bps" env:"ANALYTICS_DRIVER_SHARE_BPS"`
	// IdentityURL serves the relation check API (restaurant ownership).
	IdentityURL string `yaml:"identity_url" env:"IDENTITY_URL"`
}

// DefaultClickHouseURL is the local server deploy/local/services.sh runs.
func DefaultClickHouseURL() string {
	if u := os.Getenv("DIZHTIME_CLICKHOUSE_URL"); u != "" {
		return u
	}
	return "tcp://127.0.0.1:9000"
}

// DomainTopics are every event type of events/contracts, sorted.
func DomainTopics() []string {
	versions, err := contracts.SchemaVersions()
	if err != nil {
		panic("events/contracts schemas: " + err.Error()) // embedded files: a build defect
	}
	var out []string
	for t := range versions {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// DefaultConfig runs on a laptop: the embedded engine in memory, local Kafka.
func DefaultConfig() Config {
	base := config.DefaultBase("analytics")
	base.HTTPAddr = "127.0.0.1:4008"
	return Config{
		Base:               base,
		StoreBackend:       BackendDuckDB,
		ClickHouseURL:      DefaultClickHouseURL(),
		ClickHouseDatabase: "analytics",
		KafkaBrokers:       endpoints.Kafka(),
		ConsumerGroup:      "analytics",
		Topics:             DomainTopics(),
		BatchSize:          50000,
		BatchWait:          200 * time.Millisecond,
		DuckDBThreads:      1,
		IdentityURL:        "http://127.0.0.1:4001",
		DriverShareBps:     1000,
	}
}

// Validate reports the first bad value.
func (c Config) Validate() error {
	if err := c.Base.Validate(); err != nil {
		return err
	}
	switch {
	case c.StoreBackend != BackendClickHouse && c.StoreBackend != BackendDuckDB:
		return config.Invalid("store_backend", "must be clickhouse or duckdb, got %q", c.StoreBackend)
	case c.StoreBackend == BackendClickHouse && (c.ClickHouseURL == "" || c.ClickHouseDatabase == ""):
		return config.Invalid("clickhouse_url", "clickhouse_url and clickhouse_database are required with the clickhouse backend")
	case len(c.KafkaBrokers) == 0:
		return config.Invalid("kafka_brokers", "is required")
	case c.ConsumerGroup == "":
		return config.Invalid("consumer_group", "is required")
	case len(c.Topics) == 0:
		return config.Invalid("topics", "at least one topic is required")
	case c.BatchSize < 1 || c.BatchSize > 100_000:
		return config.Invalid("batch_size", "must be 1..100000")
	case c.BatchWait <= 0 || c.BatchWait > time.Minute:
		return config.Invalid("batch_wait", "must be above 0 and at most 1m")
	case c.DuckDBThreads < 0:
		return config.Invalid("duckdb_threads", "must be 0 (DuckDB's default) or more")
	case c.DriverShareBps < 0 || c.DriverShareBps > 10_000:
		return config.Invalid("driver_share_bps", "must be 0..10000")
	case c.IdentityURL == "":
		return config.Invalid("identity_url", "is required")
	}
	return nil
}
