package contracts

import "time"

// Event types of wallet top-ups (subject: the wallet owner's user id, so one user's
// top-ups stay in order).
const (
	TypeTopUpSucceeded = "wallet.topup.succeeded"
	TypeTopUpFailed    = "wallet.topup.failed"
)

// TopUpSucceededV1: a gateway confirmed a top-up intent and the wallet was credited.
// Published once per intent (the credit and the event commit together).
type TopUpSucceededV1 struct {
	IntentID   string    `json:"intent_id"`
	UserID     string    `json:"user_id"`
	Amount     Money     `json:"amount"`
	Gateway    string    `json:"gateway"`
	CreditedAt time.Time `json:"credited_at"`
}

func (TopUpSucceededV1) EventType() string { return TypeTopUpSucceeded }
func (TopUpSucceededV1) EventVersion() int { return 1 }

// Top-up failure outcomes.
const (
	// TopUpDeclined: the gateway declined the payment.
	TopUpDeclined = "declined"
	// TopUpFailed: the gateway's answer could not be applied (it named another user or
	// amount, or the ledger refused the credit).
	TopUpFailed = "failed"
)

// TopUpFailedV1: a top-up intent ended without crediting the wallet; Outcome says how,
// Reason says why. Published once per intent.
type TopUpFailedV1 struct {
	IntentID string    `json:"intent_id"`
	UserID   string    `json:"user_id"`
	Amount   Money     `json:"amount"`
	Gateway  string    `json:"gateway"`
	Outcome  string    `json:"outcome"`
	Reason   string    `json:"reason,omitempty"`
	FailedAt time.Time `json:"failed_at"`
}

func (TopUpFailedV1) EventType() string { return TypeTopUpFailed }
func (TopUpFailedV1) EventVersion() int { return 1 }
