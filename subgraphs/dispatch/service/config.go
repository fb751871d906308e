// Package service wires dispatch: configuration, stores, the application, the GraphQL
// handler, the event consumers, the outbox relay, the dispatcher and the index sweeper.
package service

import (
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/endpoints"
)

// Config is dispatch's configuration (YAML, then DIZHTIME_* env).
type Config struct {
	config.Base  `yaml:",inline"`
	PostgresURL  string   `yaml:"postgres_url" env:"POSTGRES_URL"`
	RedisAddr    string   `yaml:"redis_addr" env:"REDIS_ADDR"`
	KafkaBrokers []string `yaml:"kafka_brokers" env:"KAFKA_BROKERS" envSeparator:","`
	// RedisKeyPrefix keeps deployments (and tests) sharing one Redis apart.
	RedisKeyPrefix string `yaml:"redis_key_prefix" env:"DISPATCH_REDIS_KEY_PREFIX"`
	// OfferTimeout is how long a courier has to accept before the next one is asked.
	OfferTimeout time.Duration `yaml:"offer_timeout" env:"DISPATCH_OFFER_TIMEOUT"`
	// RoundBackoff is the pause after a delivery's first fruitless matching round,
	// doubling up to MaxRoundBackoff; a delivery that has waited MatchPatience for a
	// driver is escalated to operations (and the order's delivery fails).
	RoundBackoff    time.Duration `yaml:"round_backoff" env:"DISPATCH_ROUND_BACKOFF"`
	MaxRoundBackoff time.Duration `yaml:"max_round_backoff" env:"DISPATCH_MAX_ROUND_BACKOFF"`
	MatchPatience   time.Duration `yaml:"match_patience" env:"DISPATCH_MATCH_PATIENCE"`
	// StaleAfter drops an available courier from matching after this long without a ping.
	StaleAfter time.Duration `yaml:"stale_after" env:"DISPATCH_STALE_AFTER"`
	// DispatchInterval is how often due deliveries are claimed for matching.
	DispatchInterval time.Duration `yaml:"dispatch_interval" env:"DISPATCH_INTERVAL"`
	// ConsumerGroup names dispatch's Kafka consumer groups; ConsumeFromStart makes a new
	// group read the topics from their first event (a fresh deployment catches up).
	ConsumerGroup    string `yaml:"consumer_group" env:"DISPATCH_CONSUMER_GROUP"`
	ConsumeFromStart bool   `yaml:"consume_from_start" env:"DISPATCH_CONSUME_FROM_START"`
	// LocationTopic carries the couriers' position fixes (driver.location; a test run
	// names its own). LocationReplay is how far back a starting replica reads it to
	// rebuild its in-memory index: longer than StaleAfter, so every courier still online
	// is found.
	LocationTopic  string        `yaml:"location_topic" env:"DISPATCH_LOCATION_TOPIC"`
	LocationReplay time.Duration `yaml:"location_replay" env:"DISPATCH_LOCATION_REPLAY"`
	// StatesResync is how often a replica reloads every driver's state from Redis, to
	// recover announcements lost while its subscription was reconnecting.
	StatesResync time.Duration `yaml:"states_resync" env:"DISPATCH_STATES_RESYNC"`
}

// DefaultConfig runs on a laptop.
func DefaultConfig() Config {
	base := config.DefaultBase("dispatch")
	base.HTTPAddr = "127.0.0.1:4005"
	return Config{
		Base: base, PostgresURL: endpoints.Postgres(), RedisAddr: endpoints.Redis(), KafkaBrokers: endpoints.Kafka(),
		RedisKeyPrefix: "dispatch:", OfferTimeout: 30 * time.Second, RoundBackoff: 5 * time.Second,
		MaxRoundBackoff: 30 * time.Second, MatchPatience: 10 * time.Minute,
		StaleAfter: 30 * time.Second, DispatchInterval: time.Second, ConsumerGroup: "dispatch", ConsumeFromStart: true,
		LocationTopic: contracts.TypeDriverLocation, LocationReplay: time.Minute, StatesResync: 30 * time.Second,
	}
}

// Validate reports the first bad value.
func (c Config) Validate() error {
	if err := c.Base.Validate(); err != nil {
		return err
	}
	switch {
	case c.PostgresURL == "":
		return config.Invalid("postgres_url", "is required")
	case c.RedisAddr == "":
		return config.Invalid("redis_addr", "is required")
	case len(c.KafkaBrokers) == 0:
		return config.Invalid("kafka_brokers", "is required")
	case c.OfferTimeout < time.Second || c.OfferTimeout > 5*time.Minute:
		return config.Invalid("offer_timeout", "must be between 1s and 5m, got %s", c.OfferTimeout)
	case c.RoundBackoff < 0:
		return config.Invalid("round_backoff", "must not be negative")
	case c.MaxRoundBackoff < c.RoundBackoff:
		return config.Invalid("max_round_backoff", "must be at least round_backoff (%s), got %s", c.RoundBackoff, c.MaxRoundBackoff)
	case c.MatchPatience < time.Second:
		return config.Invalid("match_patience", "must be at least 1s, got %s", c.MatchPatience)
	case c.StaleAfter < 5*time.Second:
		return config.Invalid("stale_after", "must be at least 5s, got %s", c.StaleAfter)
	case c.DispatchInterval <= 0:
		return config.Invalid("dispatch_interval", "must be positive")
	case c.ConsumerGroup == "":
		return config.Invalid("consumer_group", "is required")
	case c.LocationTopic == "":
		return config.Invalid("location_topic", "is required")
	case c.LocationReplay < c.StaleAfter:
		return config.Invalid("location_replay", "must be at least stale_after (%s), got %s", c.StaleAfter, c.LocationReplay)
	case c.StatesResync < time.Second:
		return config.Invalid("states_resync", "must be at least 1s, got %s", c.StatesResync)
	}
	return nil
}
