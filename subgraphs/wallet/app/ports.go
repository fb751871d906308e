package app

import (
	"context"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// Status is the ledger's answer to a posting.
type Status string

const (
	StatusOK                Status = "ok"
	StatusInsufficientFunds Status = "insufficient_funds"
)

// PostRequest is one domain transaction plus what the ledger records with it.
type PostRequest struct {
	Tx   domain.Transaction
	TxID string
	// IdempotencyKey (optional) with RequestHash: the same key and hash give back the
	// original outcome; the same key with another hash is domain.ErrConflict.
	IdempotencyKey string
	RequestHash    []byte
	RefTxID        string
	// Counterparty is the restaurant of an order payment.
	Counterparty string
	Actor        string
	TraceID      string
}

// PostResult is what happened. Replayed is set when the outcome is the one stored under
// the idempotency key by an earlier request.
type PostResult struct {
	Status   Status
	TxID     string
	Replayed bool
}

// Store is the ledger as the application needs it.
type Store interface {
	// Post applies one transaction on its own, in one round trip.
	Post(ctx context.Context, req PostRequest) (PostResult, error)
	// InTx runs fn in one database transaction, retried as a whole (boundedly) when the
	// database reports a serialization failure or deadlock.
	InTx(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	Balances(ctx context.Context, ownerID string) ([]AccountBalance, error)
	// History lists the owner's postings newest first, before the cursor (0: from the top).
	History(ctx context.Context, ownerID string, before int64, limit int) ([]HistoryEntry, error)
	// PointsHolders lists the users holding points earned before cutoff that are not yet
	// spent or expired (spending oldest first): the ones an expiry run must visit.
	PointsHolders(ctx context.Context, cutoff time.Time) ([]string, error)
	// TopUpIntent reads one top-up intent; domain.ErrNotFound when there is none.
	TopUpIntent(ctx context.Context, id string) (PaymentIntent, error)
	// ExpireTopUpIntents marks PENDING intents whose ExpiresAt is at or before now
	// EXPIRED and returns how many.
	ExpireTopUpIntents(ctx context.Context, now time.Time) (int, error)
}

// Tx is the ledger inside one transaction: what commands that read before they write and
// saga steps (which must commit together with the consumed event's id) use.
type Tx interface {
	Post(ctx context.Context, req PostRequest) (PostResult, error)
	// Outcome looks an idempotency key up: found, and the result (or ErrConflict).
	Outcome(ctx context.Context, key string, hash []byte) (PostResult, bool, error)
	// OrderPayment locks and returns an order's payment state, domain.ErrNotFound when the
	// order was never paid.
	OrderPayment(ctx context.Context, orderID string) (domain.OrderPayment, string, error)
	// LockOrder serializes the saga steps of one order until the transaction ends (a
	// charge and an ending handled at the same moment by two consumers queue here) and
	// returns how the order ended, if the wallet has seen it end.
	LockOrder(ctx context.Context, orderID string) (ending OrderEnding, ended bool, err error)
	// LockOrders is LockOrder for several orders at once (locked in a fixed order, so two
	// transactions locking overlapping sets queue instead of deadlocking): the endings of
	// the ones the wallet has seen end, by order id.
	LockOrders(ctx context.Context, orderIDs []string) (map[string]OrderEnding, error)
	// PostBatch applies several transactions in one round trip inside this transaction,
	// each with its own outcome (one failing never fails another): results and errors by
	// position, or err when the call as a whole failed.
	PostBatch(ctx context.Context, reqs []PostRequest) (res []PostResult, errs []error, err error)
	// RecordOrderEnded remembers that an order ended; the first ending recorded stays.
	RecordOrderEnded(ctx context.Context, e OrderEnding) error
	// OrderRefunds lists an order's refunds, oldest first.
	OrderRefunds(ctx context.Context, orderID string) ([]RefundEntry, error)
	DriverOf(ctx context.Context, orderID string) (string, error)
	SetDriver(ctx context.Context, orderID, driverID string) error
	// PointsUsage: points earned by userID before cutoff, and points consumed (redeemed or
	// expired) ever, less what refunds gave back (refunded points keep their original
	// expiry: a refund undoes a redemption, it earns nothing new).
	PointsUsage(ctx context.Context, userID string, cutoff time.Time) (earnedBefore, consumed int64, err error)
	// LockUser serializes one user's top-up starts until the transaction ends.
	LockUser(ctx context.Context, userID string) error
	// TopUpIntentByKey finds the user's intent made with the client's idempotency key.
	TopUpIntentByKey(ctx context.Context, userID, key string) (PaymentIntent, bool, error)
	// TopUpsSince sums the user's PENDING and SUCCEEDED intents in currency created at or
	// after since, in minor units.
	TopUpsSince(ctx context.Context, userID string, currency domain.Currency, since time.Time) (int64, error)
	InsertTopUpIntent(ctx context.Context, in PaymentIntent) error
	// LockTopUpIntent reads an intent locked until the transaction ends;
	// domain.ErrNotFound when there is none.
	LockTopUpIntent(ctx context.Context, id string) (PaymentIntent, error)
	// SetTopUpIntentStatus moves an intent to status with its reason (decline or failure).
	SetTopUpIntentStatus(ctx context.Context, id string, status IntentStatus, reason string) error
	// Publish adds events to the transactional outbox: they go out iff the transaction
	// commits.
	Publish(ctx context.Context, evs ...events.Envelope) error
}

// AccountBalance is one account's materialized balance. It carries no version: balances
// are row-locked by their writers (see the adapters package), not optimistically checked.
type AccountBalance struct {
	Account domain.AccountID
	Balance int64
}

// HistoryEntry is one posting on one of the owner's accounts.
type HistoryEntry struct {
	Seq       int64
	TxID      string
	Kind      domain.TxKind
	OrderID   string
	Account   domain.AccountID
	Amount    int64
	Reason    string
	CreatedAt time.Time
}

// OrderEnding is the wallet's durable memory of an order that ended before delivery.
type OrderEnding struct {
	OrderID string
	// Status is the order.status.changed status that ended it ("cancelled", ...).
	Status string
	Reason string
}
