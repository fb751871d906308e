package service

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// Config is the wallet process's configuration (YAML, then DIZHTIME_* env).
type Config struct {
	config.Base `yaml:",inline"`
	PostgresURL string   `yaml:"postgres_url" env:"POSTGRES_URL"`
	Kafka       []string `yaml:"kafka_brokers" env:"KAFKA_BROKERS" envSeparator:","`
	// SandboxSecret signs the sandbox gateway's webhooks.
	SandboxSecret string `yaml:"sandbox_secret" env:"WALLET_SANDBOX_SECRET"`
	// PublicURL is where the payment gateway sends webhooks; empty: the address the
	// server listens on (right for the in-process sandbox gateway).
	PublicURL         string        `yaml:"public_url" env:"WALLET_PUBLIC_URL"`
	PlatformFeeBps    int64         `yaml:"platform_fee_bps" env:"WALLET_PLATFORM_FEE_BPS"`
	DriverBps         int64         `yaml:"driver_bps" env:"WALLET_DRIVER_BPS"`
	PointsPerMinor    int64         `yaml:"points_earn_per_minor_units" env:"WALLET_POINTS_EARN_PER_MINOR_UNITS"`
	PointValueMinor   int64         `yaml:"point_value_minor" env:"WALLET_POINT_VALUE_MINOR"`
	MaxRedeemBps      int64         `yaml:"max_redeem_bps" env:"WALLET_MAX_REDEEM_BPS"`
	PointsExpireAfter time.Duration `yaml:"points_expire_after" env:"WALLET_POINTS_EXPIRE_AFTER"`
	// PointsExpiryInterval is how often serve runs the points expiry.
	PointsExpiryInterval time.Duration `yaml:"points_expiry_interval" env:"WALLET_POINTS_EXPIRY_INTERVAL"`
	// AuditKey keys the audit chain (HMAC-SHA256). Keep it outside the wallet's database
	// (a secret store, the deployment's environment): whoever holds it and the database
	// could rewrite history unnoticed. The laptop default is not a secret.
	AuditKey string `yaml:"audit_key" env:"WALLET_AUDIT_KEY"`
	// AuditHeadsDir is where serve writes the audit chain's heads every
	// AuditHeadsInterval (a signed JSON file each time), for verify-audit -heads.
	AuditHeadsDir      string        `yaml:"audit_heads_dir" env:"WALLET_AUDIT_HEADS_DIR"`
	AuditHeadsInterval time.Duration `yaml:"audit_heads_interval" env:"WALLET_AUDIT_HEADS_INTERVAL"`
	// TopUpMaxMinor bounds one top-up and TopUpDailyMaxMinor a user's top-ups in 24 hours
	// (pending and succeeded), in minor units; TopUpIntentTTL is how long an intent waits
	// for the gateway before it expires, TopUpExpiryInterval how often serve sweeps them.
	TopUpMaxMinor       int64         `yaml:"topup_max_minor" env:"WALLET_TOPUP_MAX_MINOR"`
	TopUpDailyMaxMinor  int64         `yaml:"topup_daily_max_minor" env:"WALLET_TOPUP_DAILY_MAX_MINOR"`
	TopUpIntentTTL      time.Duration `yaml:"topup_intent_ttl" env:"WALLET_TOPUP_INTENT_TTL"`
	TopUpExpiryInterval time.Duration `yaml:"topup_expiry_interval" env:"WALLET_TOPUP_EXPIRY_INTERVAL"`
	// ConsumerGroupPrefix names the Kafka consumer groups (prefix + "." + topic) and their
	// keys in processed_events. Changing it makes the wallet re-read its topics (the
	// ledger's idempotency keys keep that harmless, but slow).
	ConsumerGroupPrefix string `yaml:"consumer_group_prefix" env:"WALLET_CONSUMER_GROUP_PREFIX"`
	// ConsumeFromLatest makes new consumer groups start at the topics' ends instead of their
	// beginnings: for throwaway instances (tests) on a shared Kafka, never for production,
	// where it would skip orders placed before the first start.
	ConsumeFromLatest bool `yaml:"consume_from_latest" env:"WALLET_CONSUME_FROM_LATEST"`
	// ConsumerBatchSize is how many events of one partition the saga consumers apply in
	// one transaction (events/consumer's batch mode; 1 turns batching off).
	ConsumerBatchSize int `yaml:"consumer_batch_size" env:"WALLET_CONSUMER_BATCH_SIZE"`
}

// Defaults run on a laptop.
func Defaults() Config {
	b := config.DefaultBase("wallet")
	b.HTTPAddr = "127.0.0.1:4104"
	return Config{Base: b, PostgresURL: endpoints.Postgres(), Kafka: endpoints.Kafka(),
		SandboxSecret:  "sandbox-dev-secret",
		PlatformFeeBps: 1500, DriverBps: 1000,
		PointsPerMinor: domain.DefaultLoyalty.EarnPerMinorUnits, PointValueMinor: domain.DefaultLoyalty.PointValueMinor,
		MaxRedeemBps: domain.DefaultLoyalty.MaxRedeemBps, PointsExpireAfter: domain.DefaultLoyalty.ExpireAfter,
		PointsExpiryInterval: time.Hour, ConsumerGroupPrefix: "wallet", ConsumerBatchSize: 128,
		TopUpMaxMinor: app.DefaultTopUpLimits.PerOperation, TopUpDailyMaxMinor: app.DefaultTopUpLimits.PerDay,
		TopUpIntentTTL: app.DefaultTopUpLimits.IntentTTL, TopUpExpiryInterval: time.Minute,
		AuditKey: adapters.DefaultAuditKey, AuditHeadsInterval: 5 * time.Minute,
		AuditHeadsDir: filepath.Join(os.TempDir(), "dizhtime-wallet-audit-heads")}
}

// Validate checks the wallet's own keys and Base.
func (c Config) Validate() error {
	errs := []error{c.Base.Validate()}
	if c.PostgresURL == "" {
		errs = append(errs, config.Invalid("postgres_url", "must not be empty"))
	}
	if len(c.SandboxSecret) < 16 {
		errs = append(errs, config.Invalid("sandbox_secret", "must be at least 16 characters"))
	}
	if err := c.split().Validate(); err != nil {
		errs = append(errs, config.Invalid("platform_fee_bps", "%v", err))
	}
	if err := c.loyalty().Validate(); err != nil {
		errs = append(errs, config.Invalid("points_earn_per_minor_units", "%v", err))
	}
	if c.PointsExpiryInterval <= 0 {
		errs = append(errs, config.Invalid("points_expiry_interval", "must be positive, got %s", c.PointsExpiryInterval))
	}
	if err := c.topUp().Validate(); err != nil {
		errs = append(errs, config.Invalid("topup_max_minor", "topup_max_minor must be positive, topup_daily_max_minor at least that, topup_intent_ttl positive"))
	}
	if len(c.AuditKey) < 16 {
		errs = append(errs, config.Invalid("audit_key", "must be at least 16 characters"))
	}
	if c.AuditHeadsDir == "" {
		errs = append(errs, config.Invalid("audit_heads_dir", "must not be empty"))
	}
	if c.AuditHeadsInterval <= 0 {
		errs = append(errs, config.Invalid("audit_heads_interval", "must be positive, got %s", c.AuditHeadsInterval))
	}
	if c.TopUpExpiryInterval <= 0 {
		errs = append(errs, config.Invalid("topup_expiry_interval", "must be positive, got %s", c.TopUpExpiryInterval))
	}
	if c.ConsumerBatchSize < 1 || c.ConsumerBatchSize > 10000 {
		errs = append(errs, config.Invalid("consumer_batch_size", "must be within 1..10000, got %d", c.ConsumerBatchSize))
	}
	if c.ConsumerGroupPrefix == "" {
		errs = append(errs, config.Invalid("consumer_group_prefix", "must not be empty"))
	}
	return errors.Join(errs...)
}

func (c Config) topUp() app.TopUpLimits {
	return app.TopUpLimits{PerOperation: c.TopUpMaxMinor, PerDay: c.TopUpDailyMaxMinor, IntentTTL: c.TopUpIntentTTL}
}

func (c Config) split() domain.Split {
	return domain.Split{PlatformFeeBps: c.PlatformFeeBps, DriverBps: c.DriverBps}
}

func (c Config) loyalty() domain.LoyaltyRules {
	return domain.LoyaltyRules{EarnPerMinorUnits: c.PointsPerMinor, PointValueMinor: c.PointValueMinor,
		MaxRedeemBps: c.MaxRedeemBps, ExpireAfter: c.PointsExpireAfter}
}

// Load reads the configuration (path may be "").
func Load(path string) (Config, error) {
	cfg := Defaults()
	return cfg, config.Load("wallet", path, &cfg)
}
