// Package service wires identity: configuration, stores, the application and the HTTP
// handler (GraphQL at /query, the JWKS, the internal relations API, ops endpoints).
package service

import (
	"time"

	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/endpoints"
)

// Config is identity's configuration (YAML, then DIZHTIME_* env).
type Config struct {
	config.Base `yaml:",inline"`
	PostgresURL string `yaml:"postgres_url" env:"POSTGRES_URL"`
	RedisAddr   string `yaml:"redis_addr" env:"REDIS_ADDR"`
	// RedisKeyPrefix keeps deployments (and tests) sharing one Redis apart.
	RedisKeyPrefix string        `yaml:"redis_key_prefix" env:"IDENTITY_REDIS_KEY_PREFIX"`
	Issuer         string        `yaml:"issuer" env:"IDENTITY_ISSUER"`
	Audience       string        `yaml:"audience" env:"IDENTITY_AUDIENCE"`
	AccessTTL      time.Duration `yaml:"access_token_ttl" env:"IDENTITY_ACCESS_TOKEN_TTL"`
	RefreshTTL     time.Duration `yaml:"refresh_token_ttl" env:"IDENTITY_REFRESH_TOKEN_TTL"`
	KeyLifetime    time.Duration `yaml:"signing_key_lifetime" env:"IDENTITY_SIGNING_KEY_LIFETIME"`
	// KeyPublishAhead: the next signing key is in the JWKS this long before it signs
	// (longer than verifiers cache the JWKS; 0: half the lifetime, at most 1 h).
	KeyPublishAhead time.Duration `yaml:"signing_key_publish_ahead" env:"IDENTITY_SIGNING_KEY_PUBLISH_AHEAD"`
	// Login attempts allowed per minute, per account and per client address.
	LoginPerAccountPerMinute int `yaml:"login_per_account_per_minute" env:"IDENTITY_LOGIN_PER_ACCOUNT_PER_MINUTE"`
	LoginPerIPPerMinute      int `yaml:"login_per_ip_per_minute" env:"IDENTITY_LOGIN_PER_IP_PER_MINUTE"`
	// Argon2MemoryKiB and Argon2Time are argon2id's cost (stored in every hash).
	Argon2MemoryKiB uint32 `yaml:"argon2_memory_kib" env:"IDENTITY_ARGON2_MEMORY_KIB"`
	Argon2Time      uint32 `yaml:"argon2_time" env:"IDENTITY_ARGON2_TIME"`
}

// DefaultConfig runs on a laptop.
func DefaultConfig() Config {
	base := config.DefaultBase("identity")
	base.HTTPAddr = "127.0.0.1:4001"
	return Config{
		Base:                     base,
		PostgresURL:              endpoints.Postgres(),
		RedisAddr:                endpoints.Redis(),
		RedisKeyPrefix:           "identity:",
		Issuer:                   "https://identity.dizhtime.local",
		Audience:                 "dizhtime",
		AccessTTL:                15 * time.Minute,
		RefreshTTL:               30 * 24 * time.Hour,
		KeyLifetime:              30 * 24 * time.Hour,
		LoginPerAccountPerMinute: 5,
		LoginPerIPPerMinute:      60,
		Argon2MemoryKiB:          19 * 1024,
		Argon2Time:               2,
	}
}

// Validate reports every bad value.
func (c Config) Validate() error {
	if err := c.Base.Validate(); err != nil {
		return err
	}
	switch {
	case c.PostgresURL == "":
		return config.Invalid("postgres_url", "is required")
	case c.RedisAddr == "":
		return config.Invalid("redis_addr", "is required")
	case c.Issuer == "":
		return config.Invalid("issuer", "is required")
	case c.AccessTTL <= 0 || c.AccessTTL > time.Hour:
		return config.Invalid("access_token_ttl", "must be between 0 and 1h, got %s", c.AccessTTL)
	case c.RefreshTTL <= c.AccessTTL:
		return config.Invalid("refresh_token_ttl", "must be longer than access_token_ttl")
	case c.KeyLifetime <= 0:
		return config.Invalid("signing_key_lifetime", "must be positive")
	case c.KeyPublishAhead < 0 || c.KeyPublishAhead >= c.KeyLifetime:
		return config.Invalid("signing_key_publish_ahead", "must be between 0 and signing_key_lifetime, got %s", c.KeyPublishAhead)
	case c.LoginPerAccountPerMinute <= 0 || c.LoginPerIPPerMinute <= 0:
		return config.Invalid("login_per_account_per_minute", "login limits must be positive")
	case c.Argon2MemoryKiB < 1024 || c.Argon2Time < 1:
		return config.Invalid("argon2_memory_kib", "argon2 needs at least 1024 KiB and time 1")
	}
	return nil
}
