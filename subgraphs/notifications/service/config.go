// Package service wires the notifications subgraph: configuration, stores, the workflows,
// the providers, the HTTP handler (GraphQL at /query, the provider sandbox at /sandbox/
// when configured) and the background components (event consumers, inbox doorbell,
// delivery dispatcher).
package service

import (
	"time"

	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
)

// Sandbox as a provider URL means the provider sandbox this process serves at /sandbox/.
const Sandbox = "sandbox"

// Config is notifications' configuration (YAML, then DIZHTIME_* env).
type Config struct {
	config.Base  `yaml:",inline"`
	PostgresURL  string   `yaml:"postgres_url" env:"POSTGRES_URL"`
	KafkaBrokers []string `yaml:"kafka_brokers" env:"KAFKA_BROKERS" envSeparator:","`
	// IdentityURL serves the relation API (who is staff of a restaurant).
	IdentityURL string `yaml:"identity_url" env:"IDENTITY_URL"`
	// ConsumerGroupPrefix names the consumer groups (<prefix>.<topic>).
	ConsumerGroupPrefix  string `yaml:"consumer_group_prefix" env:"NOTIFICATIONS_CONSUMER_GROUP_PREFIX"`
	ConsumeFromBeginning bool   `yaml:"consume_from_beginning" env:"NOTIFICATIONS_CONSUME_FROM_BEGINNING"`
	// ConsumersPerTopic: group members per topic in this replica (parallel up to the
	// topic's partition count).
	ConsumersPerTopic int `yaml:"consumers_per_topic" env:"NOTIFICATIONS_CONSUMERS_PER_TOPIC"`

	// Email: SMTP, with an optional fallback server.
	SMTPAddr         string `yaml:"smtp_addr" env:"NOTIFICATIONS_SMTP_ADDR"`
	SMTPFallbackAddr string `yaml:"smtp_fallback_addr" env:"NOTIFICATIONS_SMTP_FALLBACK_ADDR"`
	SMTPFrom         string `yaml:"smtp_from" env:"NOTIFICATIONS_SMTP_FROM"`
	SMTPUsername     string `yaml:"smtp_username" env:"NOTIFICATIONS_SMTP_USERNAME"`
	SMTPPassword     string `yaml:"smtp_password" env:"NOTIFICATIONS_SMTP_PASSWORD"`
	SMTPStartTLS     bool   `yaml:"smtp_starttls" env:"NOTIFICATIONS_SMTP_STARTTLS"`
	// SMS: a Twilio-style API (base URL, or "sandbox"), with an optional fallback.
	SMSURL         string `yaml:"sms_url" env:"NOTIFICATIONS_SMS_URL"`
	SMSFallbackURL string `yaml:"sms_fallback_url" env:"NOTIFICATIONS_SMS_FALLBACK_URL"`
	SMSAccount     string `yaml:"sms_account" env:"NOTIFICATIONS_SMS_ACCOUNT"`
	SMSToken       string `yaml:"sms_token" env:"NOTIFICATIONS_SMS_TOKEN"`
	SMSFrom        string `yaml:"sms_from" env:"NOTIFICATIONS_SMS_FROM"`
	// Push: an FCM-style API (base URL, or "sandbox"), with an optional fallback.
	PushURL         string `yaml:"push_url" env:"NOTIFICATIONS_PUSH_URL"`
	PushFallbackURL string `yaml:"push_fallback_url" env:"NOTIFICATIONS_PUSH_FALLBACK_URL"`
	PushProject     string `yaml:"push_project" env:"NOTIFICATIONS_PUSH_PROJECT"`
	PushToken       string `yaml:"push_token" env:"NOTIFICATIONS_PUSH_TOKEN"`
	// Rate limits per channel, messages per second per replica (0: none).
	EmailPerSec float64 `yaml:"email_per_sec" env:"NOTIFICATIONS_EMAIL_PER_SEC"`
	SMSPerSec   float64 `yaml:"sms_per_sec" env:"NOTIFICATIONS_SMS_PER_SEC"`
	PushPerSec  float64 `yaml:"push_per_sec" env:"NOTIFICATIONS_PUSH_PER_SEC"`

	// DigestWindow: a restaurant's new-order pushes to each staff member within one
	// window go out as one summary (0: one push per order).
	DigestWindow time.Duration `yaml:"digest_window" env:"NOTIFICATIONS_DIGEST_WINDOW"`
	// LivePollInterval is the live inbox's backstop re-read without a doorbell.
	LivePollInterval time.Duration `yaml:"live_poll_interval" env:"NOTIFICATIONS_LIVE_POLL_INTERVAL"`
	// Dispatcher: poll interval, lease, attempts before a dead letter, backoff bounds.
	DispatchPollInterval time.Duration `yaml:"dispatch_poll_interval" env:"NOTIFICATIONS_DISPATCH_POLL_INTERVAL"`
	DispatchLease        time.Duration `yaml:"dispatch_lease" env:"NOTIFICATIONS_DISPATCH_LEASE"`
	MaxAttempts          int           `yaml:"max_attempts" env:"NOTIFICATIONS_MAX_ATTEMPTS"`
	InitialBackoff       time.Duration `yaml:"initial_backoff" env:"NOTIFICATIONS_INITIAL_BACKOFF"`
	MaxBackoff           time.Duration `yaml:"max_backoff" env:"NOTIFICATIONS_MAX_BACKOFF"`
}

// DefaultConfig runs on a laptop: Mailpit's SMTP port, SMS and push to the sandbox.
func DefaultConfig() Config {
	base := config.DefaultBase("notifications")
	base.HTTPAddr = "127.0.0.1:4007"
	d := app.DefaultDispatcherConfig()
	return Config{
		Base: base, PostgresURL: endpoints.Postgres(), KafkaBrokers: endpoints.Kafka(),
		IdentityURL:         "http://127.0.0.1:4001",
		ConsumerGroupPrefix: "notifications", ConsumeFromBeginning: true, ConsumersPerTopic: 1,
		SMTPAddr: "127.0.0.1:1025", SMTPFrom: "DizhTime <no-reply@dizhtime.local>",
		SMSURL: Sandbox, SMSAccount: "ACsandbox", SMSToken: "sandbox", SMSFrom: "+15005550006",
		PushURL: Sandbox, PushProject: "dizhtime-sandbox",
		EmailPerSec: 50, SMSPerSec: 20, PushPerSec: 200,
		DigestWindow: time.Minute, LivePollInterval: app.DefaultLivePollInterval,
		DispatchPollInterval: d.PollInterval, DispatchLease: d.Lease, MaxAttempts: d.MaxAttempts,
		InitialBackoff: d.InitialBackoff, MaxBackoff: d.MaxBackoff,
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
	case c.IdentityURL == "":
		return config.Invalid("identity_url", "is required")
	case c.ConsumerGroupPrefix == "":
		return config.Invalid("consumer_group_prefix", "is required")
	case c.ConsumersPerTopic < 1 || c.ConsumersPerTopic > 32:
		return config.Invalid("consumers_per_topic", "must be between 1 and 32")
	case c.SMTPAddr == "":
		return config.Invalid("smtp_addr", "is required")
	case c.SMTPFrom == "":
		return config.Invalid("smtp_from", "is required")
	case c.SMSURL == "":
		return config.Invalid("sms_url", "is required (a Twilio-style base URL, or %q)", Sandbox)
	case c.PushURL == "":
		return config.Invalid("push_url", "is required (an FCM-style base URL, or %q)", Sandbox)
	case c.EmailPerSec < 0 || c.SMSPerSec < 0 || c.PushPerSec < 0:
		return config.Invalid("email_per_sec", "rate limits must not be negative")
	case c.DigestWindow < 0:
		return config.Invalid("digest_window", "must not be negative")
	case c.LivePollInterval <= 0:
		return config.Invalid("live_poll_interval", "must be positive")
	case c.DispatchPollInterval <= 0 || c.DispatchLease <= 0:
		return config.Invalid("dispatch_lease", "poll interval and lease must be positive")
	case c.MaxAttempts <= 0:
		return config.Invalid("max_attempts", "must be positive")
	case c.InitialBackoff <= 0 || c.MaxBackoff < c.InitialBackoff:
		return config.Invalid("initial_backoff", "must be positive and at most max_backoff")
	}
	return nil
}
