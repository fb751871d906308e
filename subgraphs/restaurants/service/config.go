// Package service wires the restaurants subgraph: configuration, MongoDB, the outbox
// relay, identity's relation API, the application and the HTTP handler (GraphQL at
// /query, the internal quote API, ops endpoints).
package service

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/endpoints"
)

// Config is the restaurants process's configuration (YAML, then DIZHTIME_* env).
type Config struct {
	config.Base   `yaml:",inline"`
	MongoURI      string   `yaml:"mongo_uri" env:"MONGO_URI"`
	MongoDatabase string   `yaml:"mongo_database" env:"RESTAURANTS_MONGO_DATABASE"`
	KafkaBrokers  []string `yaml:"kafka_brokers" env:"KAFKA_BROKERS" envSeparator:","`
	// IdentityURL is the identity subgraph's base URL, for relation checks and writes.
	IdentityURL string `yaml:"identity_url" env:"IDENTITY_URL"`
	// RelationCacheTTL is how long a relation check answer is reused: it bounds how long
	// a removed staff member keeps access.
	RelationCacheTTL time.Duration `yaml:"relation_cache_ttl" env:"RESTAURANTS_RELATION_CACHE_TTL"`
	// OutboxPollInterval is how often the relay looks for unpublished events written by
	// other replicas or left by a crash (its own writes wake it at once). Each look is a
	// scan of the collection on FerretDB (the pending filter is not pushed down to
	// SQLite): at 500ms it kept a core half busy decoding the demo city's menus.
	OutboxPollInterval time.Duration `yaml:"outbox_poll_interval" env:"RESTAURANTS_OUTBOX_POLL_INTERVAL"`
	// SeedDemoCity seeds the default demo city (restaurants seed's defaults) before
	// serving; idempotent. For the laptop run only.
	SeedDemoCity bool `yaml:"seed_demo_city" env:"RESTAURANTS_SEED_DEMO_CITY"`
}

// DefaultConfig runs on a laptop against deploy/local/services.sh.
func DefaultConfig() Config {
	base := config.DefaultBase("restaurants")
	base.HTTPAddr = "127.0.0.1:4002"
	return Config{
		Base:               base,
		MongoURI:           endpoints.Mongo(),
		MongoDatabase:      "restaurants",
		KafkaBrokers:       endpoints.Kafka(),
		IdentityURL:        "http://127.0.0.1:4001",
		RelationCacheTTL:   5 * time.Second,
		OutboxPollInterval: 5 * time.Second,
	}
}

// Validate reports every bad value.
func (c Config) Validate() error {
	var errs []error
	if err := c.Base.Validate(); err != nil {
		errs = append(errs, err)
	}
	if !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		errs = append(errs, config.Invalid("mongo_uri", "must be a mongodb:// URI, got %q", c.MongoURI))
	}
	if strings.TrimSpace(c.MongoDatabase) == "" || strings.ContainsAny(c.MongoDatabase, "/\\. \"$") {
		errs = append(errs, config.Invalid("mongo_database", "must be a database name, got %q", c.MongoDatabase))
	}
	if len(c.KafkaBrokers) == 0 {
		errs = append(errs, config.Invalid("kafka_brokers", "list at least one broker"))
	}
	if u, err := url.Parse(c.IdentityURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, config.Invalid("identity_url", "must be an http(s) URL, got %q", c.IdentityURL))
	}
	if c.RelationCacheTTL < 0 || c.RelationCacheTTL > time.Minute {
		errs = append(errs, config.Invalid("relation_cache_ttl", "must be 0 to 1m, got %s", c.RelationCacheTTL))
	}
	if c.OutboxPollInterval <= 0 {
		errs = append(errs, config.Invalid("outbox_poll_interval", "must be positive, got %s", c.OutboxPollInterval))
	}
	return errors.Join(errs...)
}
