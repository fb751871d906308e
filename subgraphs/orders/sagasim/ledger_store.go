package sagasim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// LedgerStore is the wallet's ledger in memory. It implements app.Store and app.Tx with
// the rules that the PostgreSQL adapter keeps in SQL (wallet_post and the unique
// indexes of migration 0001): postings balance per currency, an idempotency key
// replays its first outcome (or is a conflict with another request), accounts that may
// not go negative refuse a posting with insufficient_funds (recorded under the key),
// one payment and one settlement per order, postings and transactions are append-only;
// and OrderPayment sums an order's postings the way its SQL does.
type LedgerStore struct {
	clock        *Clock
	accounts     map[string]*ledgerAccount
	Transactions []LedgerTx
	Postings     []LedgerPosting
	keys         map[string]ledgerOutcome
	byOrder      map[string][]int
	paymentOf    map[string]int
	settledOf    map[string]int
	drivers      map[string]string
	endings      map[string]app.OrderEnding
	intents      map[string]app.PaymentIntent
	intentByKey  map[string]string
	intentIDs    []string
	processed    map[string]bool
	outbox       *Outbox
	// plant is the planted bug of the run (Config.Plant), "" for none.
	plant string
}

type ledgerAccount struct {
	id      domain.AccountID
	balance int64
}

// LedgerTx is one stored transaction.
type LedgerTx struct {
	ID, Kind, OrderID, RefTxID, Counterparty, Key, Actor, Reason string
	Amount                                                       int64
	Currency                                                     string
}

// LedgerPosting is one stored posting.
type LedgerPosting struct {
	Tx       int
	Account  domain.AccountID
	Amount   int64
	Currency string
	At       time.Time
}

type ledgerOutcome struct {
	hash   []byte
	status app.Status
	txID   string
}

// NewLedgerStore is an empty ledger publishing through ob.
func NewLedgerStore(clock *Clock, ob *Outbox) *LedgerStore {
	return &LedgerStore{clock: clock, accounts: map[string]*ledgerAccount{}, keys: map[string]ledgerOutcome{},
		byOrder: map[string][]int{}, paymentOf: map[string]int{}, settledOf: map[string]int{},
		drivers: map[string]string{}, endings: map[string]app.OrderEnding{},
		intents: map[string]app.PaymentIntent{}, intentByKey: map[string]string{}, processed: map[string]bool{}, outbox: ob}
}

// Balance of one account (0 when it was never used).
func (s *LedgerStore) Balance(id domain.AccountID) int64 {
	if a, ok := s.accounts[id.String()]; ok {
		return a.balance
	}
	return 0
}

// ledgerTx is the ledger inside one transaction.
type ledgerTx struct {
	s *LedgerStore
	j *journal
}

// Bound is the ledger inside a consumer's transaction.
func (s *LedgerStore) Bound(j *journal) app.Tx { return ledgerTx{s: s, j: j} }

func (s *LedgerStore) Post(ctx context.Context, req app.PostRequest) (app.PostResult, error) {
	j := &journal{}
	r, err := ledgerTx{s: s, j: j}.Post(ctx, req)
	if err != nil {
		j.rollback()
	}
	return r, err
}

func (s *LedgerStore) InTx(ctx context.Context, fn func(ctx context.Context, tx app.Tx) error) error {
	j := &journal{}
	err := fn(ctx, ledgerTx{s: s, j: j})
	if err == nil {
		err = j.aborted
	}
	if err != nil {
		j.rollback()
	}
	return err
}

func (s *LedgerStore) Balances(_ context.Context, ownerID string) ([]app.AccountBalance, error) {
	var out []app.AccountBalance
	for _, a := range s.accounts {
		if a.id.Owner == ownerID && (a.id.Kind == domain.CustomerWallet || a.id.Kind == domain.LoyaltyPoints) {
			out = append(out, app.AccountBalance{Account: a.id, Balance: a.balance})
		}
	}
	slices.SortFunc(out, func(a, b app.AccountBalance) int { return cmpString(a.Account.String(), b.Account.String()) })
	return out, nil
}

func (s *LedgerStore) History(_ context.Context, ownerID string, before int64, limit int) ([]app.HistoryEntry, error) {
	var out []app.HistoryEntry
	for i := len(s.Postings) - 1; i >= 0 && len(out) < limit; i-- {
		p := s.Postings[i]
		if int64(i+1) >= before && before > 0 {
			continue
		}
		if p.Account.Owner != ownerID || (p.Account.Kind != domain.CustomerWallet && p.Account.Kind != domain.LoyaltyPoints) {
			continue
		}
		t := s.Transactions[p.Tx]
		out = append(out, app.HistoryEntry{Seq: int64(i + 1), TxID: t.ID, Kind: domain.TxKind(t.Kind), OrderID: t.OrderID,
			Account: p.Account, Amount: p.Amount, Reason: t.Reason, CreatedAt: p.At})
	}
	return out, nil
}

func (s *LedgerStore) PointsHolders(_ context.Context, cutoff time.Time) ([]string, error) {
	var out []string
	for _, a := range s.accounts {
		if a.id.Kind != domain.LoyaltyPoints || a.balance <= 0 {
			continue
		}
		earned, consumed := s.pointsUsage(a.id, cutoff)
		if earned-consumed > 0 {
			out = append(out, a.id.Owner)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *LedgerStore) pointsUsage(id domain.AccountID, cutoff time.Time) (earnedBefore, consumed int64) {
	for _, p := range s.Postings {
		if p.Account != id {
			continue
		}
		refund := s.Transactions[p.Tx].Kind == string(domain.KindRefund)
		if p.Amount > 0 && !refund && p.At.Before(cutoff) {
			earnedBefore += p.Amount
		}
		if p.Amount < 0 || refund {
			consumed -= p.Amount
		}
	}
	return earnedBefore, consumed
}

// Post is wallet_post.
func (t ledgerTx) Post(_ context.Context, req app.PostRequest) (app.PostResult, error) {
	s, j := t.s, t.j
	if j.aborted != nil {
		return app.PostResult{}, j.aborted
	}
	ps := req.Tx.Postings()
	sums := map[domain.Currency]int64{}
	for _, p := range ps {
		sums[p.Account.Currency] += p.Amount
		if p.Amount == 0 {
			return t.abort(fmt.Errorf("post %s: a posting of zero violates postings.amount <> 0", req.Tx.Kind()))
		}
	}
	for c, sum := range sums {
		if sum != 0 {
			return t.abort(fmt.Errorf("post %s: postings do not sum to zero in %s", req.Tx.Kind(), c))
		}
	}
	if req.IdempotencyKey != "" {
		if o, ok := s.keys[req.IdempotencyKey]; ok {
			if !bytes.Equal(o.hash, req.RequestHash) {
				return app.PostResult{}, fmt.Errorf("idempotency key reused with a different request: %w", domain.ErrConflict)
			}
			return app.PostResult{Status: o.status, TxID: o.txID, Replayed: true}, nil
		}
	}
	for _, p := range ps {
		if !p.Account.Kind.MayGoNegative() && s.Balance(p.Account)+p.Amount < 0 {
			if req.IdempotencyKey != "" {
				setKey(j, s.keys, req.IdempotencyKey, ledgerOutcome{hash: req.RequestHash, status: app.StatusInsufficientFunds})
			}
			return app.PostResult{Status: app.StatusInsufficientFunds}, nil
		}
	}
	kind, order := string(req.Tx.Kind()), req.Tx.OrderID
	if order != "" {
		if _, dup := s.paymentOf[order]; dup && kind == string(domain.KindOrderPayment) {
			return t.abort(fmt.Errorf("transactions_one_payment_per_order: %w", domain.ErrConflict))
		}
		if _, dup := s.settledOf[order]; dup && kind == string(domain.KindSettlement) {
			return t.abort(fmt.Errorf("transactions_one_settlement_per_order: %w", domain.ErrConflict))
		}
	}
	idx := len(s.Transactions)
	appendTo(j, &s.Transactions, LedgerTx{ID: req.TxID, Kind: kind, OrderID: order, RefTxID: req.RefTxID,
		Counterparty: req.Counterparty, Key: req.IdempotencyKey, Actor: req.Actor, Reason: req.Tx.Reason,
		Amount: req.Tx.Amount.Minor(), Currency: string(req.Tx.Amount.Currency())})
	if order != "" {
		setKey(j, s.byOrder, order, append(slices.Clone(s.byOrder[order]), idx))
		switch kind {
		case string(domain.KindOrderPayment):
			setKey(j, s.paymentOf, order, idx)
		case string(domain.KindSettlement):
			setKey(j, s.settledOf, order, idx)
		}
	}
	for _, p := range ps {
		a, ok := s.accounts[p.Account.String()]
		if !ok {
			a = &ledgerAccount{id: p.Account}
			setKey(j, s.accounts, p.Account.String(), a)
		}
		old := *a
		a.balance += p.Amount
		j.record(func() { *a = old })
		appendTo(j, &s.Postings, LedgerPosting{Tx: idx, Account: p.Account, Amount: p.Amount,
			Currency: string(p.Account.Currency), At: s.clock.Now()})
	}
	if req.IdempotencyKey != "" {
		setKey(j, s.keys, req.IdempotencyKey, ledgerOutcome{hash: req.RequestHash, status: app.StatusOK, txID: req.TxID})
	}
	return app.PostResult{Status: app.StatusOK, TxID: req.TxID}, nil
}

// abort fails the statement and, as PostgreSQL does, the whole transaction: a caller that
// swallows the error still cannot commit.
func (t ledgerTx) abort(err error) (app.PostResult, error) {
	t.j.aborted = err
	return app.PostResult{}, err
}

func (t ledgerTx) Outcome(_ context.Context, key string, hash []byte) (app.PostResult, bool, error) {
	o, ok := t.s.keys[key]
	if !ok {
		return app.PostResult{}, false, nil
	}
	if !bytes.Equal(o.hash, hash) {
		return app.PostResult{TxID: o.txID, Replayed: true}, true, fmt.Errorf("idempotency key reused with a different request: %w", domain.ErrConflict)
	}
	return app.PostResult{Status: o.status, TxID: o.txID, Replayed: true}, true, nil
}

// OrderPayment is the adapter's three queries over the order's transactions.
func (t ledgerTx) OrderPayment(_ context.Context, orderID string) (domain.OrderPayment, string, error) {
	s := t.s
	pi, ok := s.paymentOf[orderID]
	if !ok {
		return domain.OrderPayment{}, "", fmt.Errorf("payment of order %s: %w", orderID, domain.ErrNotFound)
	}
	pay := s.Transactions[pi]
	op := domain.OrderPayment{OrderID: orderID, PaymentTxID: pay.ID}
	customer := ""
	for _, ti := range s.byOrder[orderID] {
		tx := s.Transactions[ti]
		switch tx.Kind {
		case string(domain.KindRefund):
			op.Refunded += tx.Amount
		case string(domain.KindSettlement):
			op.Settled = true
		}
		if tx.Kind != string(domain.KindOrderPayment) && tx.Kind != string(domain.KindRefund) {
			continue
		}
		for _, p := range s.postingsOf(ti) {
			k := p.Account.Kind
			switch {
			case tx.Kind == string(domain.KindOrderPayment) && (k == domain.CustomerWallet || k == domain.LoyaltyPoints):
				if customer == "" || p.Account.Owner < customer {
					customer = p.Account.Owner
				}
				if k == domain.LoyaltyPoints {
					op.PaidPoints -= p.Amount
				}
			case tx.Kind == string(domain.KindOrderPayment) && k == domain.LoyaltyFunding:
				op.PointsCovered -= p.Amount
			case tx.Kind == string(domain.KindRefund) && k == domain.LoyaltyPoints:
				op.RefundedPoints += p.Amount
			case tx.Kind == string(domain.KindRefund) && k == domain.CustomerWallet:
				op.RefundedCash += p.Amount
			}
		}
	}
	if s.plant == "refund-forgets-refunds" {
		op.Refunded, op.RefundedCash, op.RefundedPoints = 0, 0, 0 // planted bug
	}
	op.CustomerID = customer
	paid, err := domain.NewMoney(pay.Amount, pay.Currency)
	if err != nil {
		return op, "", err
	}
	op.Paid = paid
	return op, pay.Counterparty, nil
}

// postingsOf finds transaction ti's postings (they are contiguous and in order).
func (s *LedgerStore) postingsOf(ti int) []LedgerPosting {
	i, _ := slices.BinarySearchFunc(s.Postings, ti, func(p LedgerPosting, t int) int { return p.Tx - t })
	j := i
	for j < len(s.Postings) && s.Postings[j].Tx == ti {
		j++
	}
	return s.Postings[i:j]
}

// LockOrder: steps are atomic in the simulation, so the advisory lock is implied; it
// reads the recorded ending.
func (t ledgerTx) LockOrder(_ context.Context, orderID string) (app.OrderEnding, bool, error) {
	if t.j.aborted != nil {
		return app.OrderEnding{}, false, t.j.aborted
	}
	e, ok := t.s.endings[orderID]
	if !ok || strings.HasPrefix(t.s.plant, "skip-ending-check") {
		return app.OrderEnding{OrderID: orderID}, false, nil
	}
	return e, true, nil
}

// LockOrders is LockOrder for each order (wallet_post_batch's saga path).
func (t ledgerTx) LockOrders(ctx context.Context, orderIDs []string) (map[string]app.OrderEnding, error) {
	out := map[string]app.OrderEnding{}
	for _, id := range orderIDs {
		e, ended, err := t.LockOrder(ctx, id)
		if err != nil {
			return nil, err
		}
		if ended {
			out[id] = e
		}
	}
	return out, nil
}

// PostBatch is wallet_post_batch: each request a Post in its own subtransaction, a
// failing one undone alone (its error in errs) while the transaction goes on.
func (t ledgerTx) PostBatch(ctx context.Context, reqs []app.PostRequest) ([]app.PostResult, []error, error) {
	if t.j.aborted != nil {
		return nil, nil, t.j.aborted
	}
	res, errs := make([]app.PostResult, len(reqs)), make([]error, len(reqs))
	for i, req := range reqs {
		sub := &journal{}
		res[i], errs[i] = ledgerTx{s: t.s, j: sub}.Post(ctx, req)
		if sub.aborted != nil {
			sub.rollback()
			continue
		}
		t.j.undo = append(t.j.undo, sub.undo...)
	}
	return res, errs, nil
}

// RecordOrderEnded keeps the first ending (ON CONFLICT DO NOTHING).
func (t ledgerTx) RecordOrderEnded(_ context.Context, e app.OrderEnding) error {
	if _, ok := t.s.endings[e.OrderID]; !ok {
		setKey(t.j, t.s.endings, e.OrderID, e)
	}
	return nil
}

func (t ledgerTx) DriverOf(_ context.Context, orderID string) (string, error) {
	return t.s.drivers[orderID], nil
}

func (t ledgerTx) SetDriver(_ context.Context, orderID, driverID string) error {
	setKey(t.j, t.s.drivers, orderID, driverID)
	return nil
}

func (t ledgerTx) PointsUsage(_ context.Context, userID string, cutoff time.Time) (int64, int64, error) {
	id, err := domain.PointsOf(userID)
	if err != nil {
		return 0, 0, err
	}
	e, c := t.s.pointsUsage(id, cutoff)
	return e, c, nil
}

func (t ledgerTx) Publish(_ context.Context, evs ...events.Envelope) error {
	if t.j.aborted != nil {
		return t.j.aborted
	}
	t.s.outbox.add(t.j, evs...)
	return nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var errNotSimulated = errors.New("not simulated")
