// Package service wires the orders subgraph: configuration, stores, the application, the
// HTTP handler (GraphQL at /query) and the background components (outbox relay, saga
// consumers, live feed, acceptance deadlines).
package service

import (
	"time"

	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
)

// Config is orders' configuration (YAML, then DIZHTIME_* env).
type Config struct {
	config.Base  `yaml:",inline"`
	PostgresURL  string   `yaml:"postgres_url" env:"POSTGRES_URL"`
	KafkaBrokers []string `yaml:"kafka_brokers" env:"KAFKA_BROKERS" envSeparator:","`
	// RestaurantsURL is the restaurants subgraph's GraphQL endpoint (price quotes), asked
	// directly, not through the router. DIZHTIME_RESTAURANTS_URL.
	RestaurantsURL string        `yaml:"restaurants_url" env:"RESTAURANTS_URL"`
	QuoteTimeout   time.Duration `yaml:"quote_timeout" env:"ORDERS_QUOTE_TIMEOUT"`
	// IdentityURL is the identity subgraph's base URL, serving the relation check API
	// (restaurant staff). DIZHTIME_IDENTITY_URL, the name restaurants uses too.
	IdentityURL string `yaml:"identity_url" env:"IDENTITY_URL"`
	// AcceptanceTimeout: a PAID order the restaurant does not accept in time is rejected.
	AcceptanceTimeout time.Duration `yaml:"acceptance_timeout" env:"ORDERS_ACCEPTANCE_TIMEOUT"`
	// PaymentTimeout: a PLACED order the wallet does not answer in time fails with reason
	// payment_timeout (a payment arriving later is refunded).
	PaymentTimeout time.Duration `yaml:"payment_timeout" env:"ORDERS_PAYMENT_TIMEOUT"`
	// DeadlineScanInterval is how often due payment and acceptance deadlines are looked for.
	DeadlineScanInterval time.Duration `yaml:"deadline_scan_interval" env:"ORDERS_DEADLINE_SCAN_INTERVAL"`
	DeliveryFeeMinor     int64         `yaml:"delivery_fee_minor" env:"ORDERS_DELIVERY_FEE_MINOR"`
	// LivePollInterval is how often each live subscription (orderUpdated,
	// restaurantOrders) re-reads the database without a doorbell from the Kafka live feed:
	// the longest a lost doorbell delays an update.
	LivePollInterval time.Duration `yaml:"live_poll_interval" env:"ORDERS_LIVE_POLL_INTERVAL"`
	// ConsumerGroupPrefix names the saga's consumer groups (<prefix>.<topic>).
	ConsumerGroupPrefix string `yaml:"consumer_group_prefix" env:"ORDERS_CONSUMER_GROUP_PREFIX"`
	// ConsumeFromBeginning makes new consumer groups read their topics from the start.
	ConsumeFromBeginning bool `yaml:"consume_from_beginning" env:"ORDERS_CONSUME_FROM_BEGINNING"`
}

// DefaultConfig runs on a laptop.
func DefaultConfig() Config {
	base := config.DefaultBase("orders")
	base.HTTPAddr = "127.0.0.1:4003"
	return Config{
		Base: base, PostgresURL: endpoints.Postgres(), KafkaBrokers: endpoints.Kafka(),
		RestaurantsURL: "http://127.0.0.1:4002/query", QuoteTimeout: 3 * time.Second,
		IdentityURL:       "http://127.0.0.1:4001",
		AcceptanceTimeout: 5 * time.Minute, PaymentTimeout: app.DefaultPaymentTimeout, DeadlineScanInterval: time.Second, DeliveryFeeMinor: 0,
		LivePollInterval:    app.DefaultLivePollInterval,
		ConsumerGroupPrefix: "orders", ConsumeFromBeginning: true,
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
	case len(c.KafkaBrokers) == 0:
		return config.Invalid("kafka_brokers", "is required")
	case c.RestaurantsURL == "":
		return config.Invalid("restaurants_url", "is required")
	case c.IdentityURL == "":
		return config.Invalid("identity_url", "is required")
	case c.QuoteTimeout <= 0:
		return config.Invalid("quote_timeout", "must be positive")
	case c.AcceptanceTimeout <= 0:
		return config.Invalid("acceptance_timeout", "must be positive, got %s", c.AcceptanceTimeout)
	case c.PaymentTimeout <= 0:
		return config.Invalid("payment_timeout", "must be positive, got %s", c.PaymentTimeout)
	case c.DeadlineScanInterval <= 0:
		return config.Invalid("deadline_scan_interval", "must be positive")
	case c.LivePollInterval <= 0:
		return config.Invalid("live_poll_interval", "must be positive, got %s", c.LivePollInterval)
	case c.DeliveryFeeMinor < 0:
		return config.Invalid("delivery_fee_minor", "must not be negative")
	case c.ConsumerGroupPrefix == "":
		return config.Invalid("consumer_group_prefix", "is required")
	}
	return nil
}
