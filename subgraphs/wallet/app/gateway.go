package app

import (
	"context"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// IntentStatus is where a top-up intent stands.
type IntentStatus string

const (
	IntentPending   IntentStatus = "PENDING"
	IntentSucceeded IntentStatus = "SUCCEEDED"
	IntentDeclined  IntentStatus = "DECLINED"
	// IntentExpired: the gateway did not confirm the intent before it expired.
	IntentExpired IntentStatus = "EXPIRED"
	// IntentFailed: the gateway's answer could not be applied (FailureReason says why).
	IntentFailed IntentStatus = "FAILED"
)

// Terminal reports whether no webhook moves the intent on (an EXPIRED intent still
// takes a late success: the gateway collected the money, so the wallet credits it).
func (s IntentStatus) Terminal() bool {
	return s == IntentSucceeded || s == IntentDeclined || s == IntentFailed
}

// PaymentIntent is a top-up the gateway is collecting: a row in the wallet's database,
// keyed by the client's idempotency key.
type PaymentIntent struct {
	ID     string
	UserID string
	// Key is the client's idempotency key: one intent per user and key.
	Key     string
	Gateway string
	Amount  domain.Money
	Status  IntentStatus
	// DeclineReason says why, when DECLINED; FailureReason, when FAILED or EXPIRED.
	DeclineReason string
	FailureReason string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// PaymentGateway collects money from outside the platform. Results arrive as signed
// webhooks (the gateway's adapter verifies them and calls ApplyGatewayResult).
type PaymentGateway interface {
	Name() string
	// CreateIntent starts collecting in.Amount for in.UserID; in.ID makes it idempotent
	// (it may be called again for an intent still PENDING, after a crash or a retry).
	CreateIntent(ctx context.Context, in PaymentIntent) error
}

// TopUpLimits bound top-ups, in minor units of the top-up's currency.
type TopUpLimits struct {
	// PerOperation is the most one top-up may be.
	PerOperation int64
	// PerDay is the most a user's top-ups started in any 24 hours may add up to
	// (pending and succeeded ones count).
	PerDay int64
	// IntentTTL is how long an intent waits for the gateway before it expires.
	IntentTTL time.Duration
}

// DefaultTopUpLimits run on a laptop: 10^10 minor units a top-up and 5×10^10 a day (the
// demo currency, UZS, counts about 1.2 million minor units to the US dollar: some
// 8,000 and 40,000 dollars), intents expire after 30 minutes.
var DefaultTopUpLimits = TopUpLimits{PerOperation: 10_000_000_000, PerDay: 50_000_000_000, IntentTTL: 30 * time.Minute}

// Validate checks the limits make sense.
func (l TopUpLimits) Validate() error {
	if l.PerOperation <= 0 || l.PerDay < l.PerOperation || l.IntentTTL <= 0 {
		return &domain.InputError{Field: "topup_limits", Reason: "per-operation must be positive, per-day at least per-operation, and the intent TTL positive"}
	}
	return nil
}
