package sagasim

import (
	"context"
	"fmt"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// The wallet's top-up intents in memory (the topup_intents table of migration 0003): one
// intent per user and idempotency key, the reason column holding the decline or failure
// reason.

func (s *LedgerStore) TopUpIntent(_ context.Context, id string) (app.PaymentIntent, error) {
	in, ok := s.intents[id]
	if !ok {
		return app.PaymentIntent{}, fmt.Errorf("top-up intent: %w", domain.ErrNotFound)
	}
	return in, nil
}

func (s *LedgerStore) ExpireTopUpIntents(_ context.Context, now time.Time) (int, error) {
	n := 0
	for _, id := range s.intentIDs {
		in := s.intents[id]
		if in.Status == app.IntentPending && !in.ExpiresAt.After(now) {
			in.Status, in.FailureReason = app.IntentExpired, "the gateway did not confirm the top-up before it expired"
			s.intents[id] = in
			n++
		}
	}
	return n, nil
}

// LockUser: steps are atomic in the simulation, so the advisory lock is implied.
func (t ledgerTx) LockUser(context.Context, string) error { return t.j.aborted }

func (t ledgerTx) TopUpIntentByKey(_ context.Context, userID, key string) (app.PaymentIntent, bool, error) {
	id, ok := t.s.intentByKey[userID+"\x00"+key]
	if !ok {
		return app.PaymentIntent{}, false, nil
	}
	return t.s.intents[id], true, nil
}

func (t ledgerTx) TopUpsSince(_ context.Context, userID string, currency domain.Currency, since time.Time) (int64, error) {
	var sum int64
	for _, id := range t.s.intentIDs {
		in := t.s.intents[id]
		if in.UserID == userID && in.Amount.Currency() == currency && !in.CreatedAt.Before(since) &&
			(in.Status == app.IntentPending || in.Status == app.IntentSucceeded) {
			sum += in.Amount.Minor()
		}
	}
	return sum, nil
}

func (t ledgerTx) InsertTopUpIntent(_ context.Context, in app.PaymentIntent) error {
	key := in.UserID + "\x00" + in.Key
	if _, dup := t.s.intentByKey[key]; dup {
		t.j.aborted = fmt.Errorf("insert top-up intent: duplicate key (user_id, idempotency_key)")
		return t.j.aborted
	}
	if _, dup := t.s.intents[in.ID]; dup || in.Amount.Minor() <= 0 {
		t.j.aborted = fmt.Errorf("insert top-up intent %s: violates a constraint", in.ID)
		return t.j.aborted
	}
	setKey(t.j, t.s.intents, in.ID, in)
	setKey(t.j, t.s.intentByKey, key, in.ID)
	appendTo(t.j, &t.s.intentIDs, in.ID)
	return nil
}

func (t ledgerTx) LockTopUpIntent(ctx context.Context, id string) (app.PaymentIntent, error) {
	return t.s.TopUpIntent(ctx, id)
}

func (t ledgerTx) SetTopUpIntentStatus(_ context.Context, id string, status app.IntentStatus, reason string) error {
	in, ok := t.s.intents[id]
	if !ok {
		return nil // UPDATE of no row
	}
	in.Status, in.DeclineReason, in.FailureReason = status, "", ""
	switch status {
	case app.IntentDeclined:
		in.DeclineReason = reason
	case app.IntentFailed, app.IntentExpired:
		in.FailureReason = reason
	}
	setKey(t.j, t.s.intents, id, in)
	return nil
}

func (t ledgerTx) OrderRefunds(_ context.Context, orderID string) ([]app.RefundEntry, error) {
	var out []app.RefundEntry
	for _, ti := range t.s.byOrder[orderID] {
		tx := t.s.Transactions[ti]
		if tx.Kind != string(domain.KindRefund) {
			continue
		}
		m, err := domain.NewMoney(tx.Amount, tx.Currency)
		if err != nil {
			return nil, err
		}
		at := time.Time{}
		if ps := t.s.postingsOf(ti); len(ps) > 0 {
			at = ps[0].At
		}
		out = append(out, app.RefundEntry{TxID: tx.ID, Amount: m, Reason: tx.Reason, CreatedAt: at})
	}
	return out, nil
}
