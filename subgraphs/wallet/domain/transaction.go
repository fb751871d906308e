package domain

import (
	"fmt"
	"slices"
	"strings"
)

// TxKind is what a transaction did.
type TxKind string

const (
	KindTopUp        TxKind = "top_up"
	KindOrderPayment TxKind = "order_payment"
	KindRefund       TxKind = "refund"
	KindSettlement   TxKind = "settlement"
	KindPointsEarn   TxKind = "points_earn"
	KindPointsExpire TxKind = "points_expire"
	KindAdjustment   TxKind = "adjustment"
)

// Posting moves Amount minor units of the account's currency into (positive) or out of
// (negative) one account.
type Posting struct {
	Account AccountID
	Amount  int64
}

// Transaction is a balanced set of postings. It can only be built by NewTransaction, so
// every Transaction in the program sums to zero per currency.
type Transaction struct {
	kind     TxKind
	postings []Posting
	// OrderID ties payment, refund and settlement transactions to their order.
	OrderID string
	// Amount is the gross amount the operation moved, for history and events.
	Amount Money
	// Reason is why (mandatory for adjustments and refunds).
	Reason string
}

// NewTransaction merges postings on the same account, drops the ones that net to zero,
// and refuses an empty or unbalanced set.
func NewTransaction(kind TxKind, amount Money, postings ...Posting) (Transaction, error) {
	net := map[AccountID]int64{}
	var order []AccountID
	for _, p := range postings {
		if p.Account.Kind == "" {
			return Transaction{}, fmt.Errorf("%s: posting without an account", kind)
		}
		if _, seen := net[p.Account]; !seen {
			order = append(order, p.Account)
		}
		s, err := MustMoneyOf(net[p.Account], p.Account.Currency).Add(MustMoneyOf(p.Amount, p.Account.Currency))
		if err != nil {
			return Transaction{}, fmt.Errorf("%s: %w", kind, err)
		}
		net[p.Account] = s.minor
	}
	sums := map[Currency]int64{}
	var merged []Posting
	for _, a := range order {
		if net[a] == 0 {
			continue
		}
		merged = append(merged, Posting{Account: a, Amount: net[a]})
		sums[a.Currency] += net[a] // cannot overflow: every |net| fits and we check below
	}
	if len(merged) == 0 {
		return Transaction{}, fmt.Errorf("%s: a transaction needs at least one non-zero posting", kind)
	}
	for c, s := range sums {
		if s != 0 {
			return Transaction{}, fmt.Errorf("%s: postings in %s sum to %d, not zero", kind, c, s)
		}
	}
	// A stable order (by account key) makes the request hash and the lock order
	// deterministic.
	slices.SortFunc(merged, func(a, b Posting) int { return strings.Compare(a.Account.String(), b.Account.String()) })
	return Transaction{kind: kind, postings: merged, Amount: amount}, nil
}

// MustMoneyOf builds Money without validating the currency (already validated in AccountID).
func MustMoneyOf(minor int64, c Currency) Money { return Money{minor: minor, currency: c} }

func (t Transaction) Kind() TxKind { return t.kind }

// Postings returns a copy, sorted by account.
func (t Transaction) Postings() []Posting { return slices.Clone(t.postings) }

// Balance folds postings into per-account totals: what an account's balance must equal
// when it started at zero. Used by invariants checks and tests.
func Balance(postings []Posting) map[AccountID]int64 {
	out := map[AccountID]int64{}
	for _, p := range postings {
		out[p.Account] += p.Amount
	}
	return out
}
