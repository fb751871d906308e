package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// ErrLedgerRefused wraps an error the ledger's database gave for an operation that can
// never succeed as asked (a value out of range, a broken constraint): retrying is
// pointless, so a webhook that hits it marks its intent FAILED instead.
var ErrLedgerRefused = errors.New("the ledger refused the operation")

// StartTopUp records a top-up intent keyed by the client's idempotency key and asks the
// gateway to collect it; the wallet is credited when the gateway's webhook confirms it.
// The same key with the same amount returns the same intent (also after a restart, on
// any replica); with another amount it is domain.ErrConflict. Amounts beyond the
// per-operation or per-day bound are input errors.
func (a *Application) StartTopUp(ctx context.Context, userID string, amount domain.Money, key string) (PaymentIntent, error) {
	if err := checkKey(key); err != nil {
		return PaymentIntent{}, err
	}
	if _, err := domain.TopUp(userID, a.gateway.Name(), amount); err != nil {
		return PaymentIntent{}, err
	}
	if amount.Minor() > a.topUp.PerOperation {
		return PaymentIntent{}, &domain.InputError{Field: "amount",
			Reason: fmt.Sprintf("a top-up is at most %d minor units", a.topUp.PerOperation)}
	}
	now := a.now().UTC()
	var in PaymentIntent
	err := a.store.InTx(ctx, func(ctx context.Context, tx Tx) error {
		// One user's top-ups queue here, so two at once cannot both squeeze under the
		// daily bound.
		if err := tx.LockUser(ctx, userID); err != nil {
			return err
		}
		existing, found, err := tx.TopUpIntentByKey(ctx, userID, key)
		if err != nil {
			return err
		}
		if found {
			if existing.Amount != amount {
				return fmt.Errorf("top-up key %s was used for %s: %w", key, existing.Amount, domain.ErrConflict)
			}
			in = existing
			return nil
		}
		started, err := tx.TopUpsSince(ctx, userID, amount.Currency(), now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		if amount.Minor() > a.topUp.PerDay-started {
			return &domain.InputError{Field: "amount", Reason: fmt.Sprintf(
				"top-ups are at most %d minor units in 24 hours; %d already started", a.topUp.PerDay, started)}
		}
		in = PaymentIntent{ID: "pi_" + uuid.Must(uuid.NewV7()).String(), UserID: userID, Key: key,
			Gateway: a.gateway.Name(), Amount: amount, Status: IntentPending, CreatedAt: now,
			ExpiresAt: now.Add(a.topUp.IntentTTL)}
		return tx.InsertTopUpIntent(ctx, in)
	})
	if err != nil {
		return PaymentIntent{}, err
	}
	if in.Status == IntentPending {
		// Also on a retry: the first attempt may have stopped between the row and the call.
		if err := a.gateway.CreateIntent(ctx, in); err != nil {
			return in, fmt.Errorf("gateway %s: start intent %s: %w", in.Gateway, in.ID, err)
		}
	}
	return in, nil
}

// TopUpIntent returns an intent (EXPIRED once its time is up, even if no sweep ran yet).
func (a *Application) TopUpIntent(ctx context.Context, id string) (PaymentIntent, error) {
	in, err := a.store.TopUpIntent(ctx, id)
	if err != nil || in.Status != IntentPending || a.now().Before(in.ExpiresAt) {
		return in, err
	}
	if _, err := a.store.ExpireTopUpIntents(ctx, a.now()); err != nil {
		return in, err
	}
	return a.store.TopUpIntent(ctx, id)
}

// ExpireTopUpIntents expires PENDING intents past their time; any replica may run it.
func (a *Application) ExpireTopUpIntents(ctx context.Context) (int, error) {
	return a.store.ExpireTopUpIntents(ctx, a.now())
}

// GatewayResult is what a verified gateway webhook says about an intent.
type GatewayResult struct {
	Gateway     string
	IntentID    string
	UserID      string
	AmountMinor int64
	Currency    string
	Status      IntentStatus
	// Reason is the gateway's decline reason.
	Reason string
}

// ApplyGatewayResult applies a webhook to its intent, exactly once whatever the number
// and order of deliveries: a success credits the wallet (the intent id is the credit's
// idempotency key) and marks the intent SUCCEEDED, a decline marks it DECLINED, and
// anything arriving for an intent already settled changes nothing. A late success for
// an EXPIRED intent is still credited: the gateway has the customer's money. A result
// that cannot be applied (it names another user or amount, or the ledger refuses the
// credit) marks the intent FAILED with the reason, so it does not stay PENDING forever.
// domain.ErrNotFound: no such intent.
func (a *Application) ApplyGatewayResult(ctx context.Context, res GatewayResult) (PaymentIntent, error) {
	var (
		in     PaymentIntent
		failed string
	)
	err := a.store.InTx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		failed = ""
		if in, err = tx.LockTopUpIntent(ctx, res.IntentID); err != nil {
			return err
		}
		if in.Status.Terminal() || res.Status == IntentPending {
			return nil
		}
		switch res.Status {
		case IntentDeclined:
			in.Status, in.DeclineReason = IntentDeclined, res.Reason
			return tx.SetTopUpIntentStatus(ctx, in.ID, IntentDeclined, res.Reason)
		case IntentSucceeded:
		default:
			failed = fmt.Sprintf("the gateway answered an unknown status %q", res.Status)
			return nil
		}
		if res.UserID != in.UserID || res.AmountMinor != in.Amount.Minor() || res.Currency != string(in.Amount.Currency()) || res.Gateway != in.Gateway {
			failed = fmt.Sprintf("the gateway confirmed %d %s for %s via %s, the intent is for %s via %s",
				res.AmountMinor, res.Currency, res.UserID, res.Gateway, in.Amount, in.Gateway)
			return nil
		}
		t, err := domain.TopUp(in.UserID, in.Gateway, in.Amount)
		if err != nil {
			failed = err.Error()
			return nil
		}
		req := newRequest(ctx, t, "topup:"+in.Gateway+":"+in.ID, "gateway:"+in.Gateway)
		req.Tx.Reason = "top-up " + in.ID
		if _, err := tx.Post(ctx, req); err != nil {
			return err
		}
		in.Status = IntentSucceeded
		return tx.SetTopUpIntentStatus(ctx, in.ID, IntentSucceeded, "")
	})
	if errors.Is(err, ErrLedgerRefused) {
		failed, err = "the ledger refused the credit: "+err.Error(), nil
	}
	if err != nil || failed == "" {
		return in, err
	}
	err = a.store.InTx(ctx, func(ctx context.Context, tx Tx) error {
		if in, err = tx.LockTopUpIntent(ctx, res.IntentID); err != nil || in.Status.Terminal() {
			return err
		}
		in.Status, in.FailureReason = IntentFailed, failed
		return tx.SetTopUpIntentStatus(ctx, in.ID, IntentFailed, failed)
	})
	return in, err
}
