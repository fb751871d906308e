package sagasim

import (
	"fmt"
	"strings"

	odomain "github.com/dizhtime/dizhtime/subgraphs/orders/domain"
	wapp "github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	wdomain "github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// Violation is a broken invariant.
type Violation struct {
	Invariant string
	Detail    string
}

func (v *Violation) Error() string { return v.Invariant + ": " + v.Detail }

// Checker holds what the invariants remember between steps: a copy of every posting
// and transaction seen (to prove none ever changes) and each order's last checked version.
type Checker struct {
	postings     []LedgerPosting
	transactions []LedgerTx
	versions     map[string]int64
	credits      map[string]int
	steps        int
}

// NewChecker starts with nothing seen.
func NewChecker() *Checker { return &Checker{versions: map[string]int64{}, credits: map[string]int{}} }

func violation(inv, format string, args ...any) *Violation {
	return &Violation{Invariant: inv, Detail: fmt.Sprintf(format, args...)}
}

// Safety runs the invariants that hold after every step.
func (c *Checker) Safety(w *World) *Violation {
	c.steps++
	l := w.Ledger
	// Money is conserved per currency: all accounts sum to zero.
	sums := map[wdomain.Currency]int64{}
	for _, a := range l.accounts {
		sums[a.id.Currency] += a.balance
		if a.balance < 0 && !a.id.Kind.MayGoNegative() {
			return violation("no-negative-balance", "%s holds %d", a.id, a.balance)
		}
	}
	for cur, s := range sums {
		if s != 0 {
			return violation("money-conserved", "accounts in %s sum to %d", cur, s)
		}
	}
	// No posting or transaction is ever changed or removed: compare the new ones' prefix
	// with the copy (in full every 256 steps, and the last 8 otherwise).
	if len(l.Postings) < len(c.postings) || len(l.Transactions) < len(c.transactions) {
		return violation("postings-immutable", "the ledger lost postings or transactions")
	}
	from := 0
	if c.steps%256 != 0 {
		from = max(0, len(c.postings)-8)
	}
	for i := from; i < len(c.postings); i++ {
		if l.Postings[i] != c.postings[i] {
			return violation("postings-immutable", "posting %d changed from %+v to %+v", i, c.postings[i], l.Postings[i])
		}
	}
	for i := from; i < len(c.transactions) && i < len(l.Transactions); i++ {
		if l.Transactions[i] != c.transactions[i] {
			return violation("postings-immutable", "transaction %d changed", i)
		}
	}
	c.postings = append(c.postings, l.Postings[len(c.postings):]...)
	fresh := l.Transactions[len(c.transactions):]
	c.transactions = append(c.transactions, fresh...)

	// Per order touched by this step: at most one charge and one settlement, refunds
	// within what was paid.
	for i, t := range fresh {
		if t.Kind == string(wdomain.KindTopUp) {
			if v := c.topUpCredit(w, t); v != nil {
				return v
			}
		}
		if t.Kind == string(wdomain.KindOrderPayment) {
			if e, ended := l.endings[t.OrderID]; ended {
				return violation("no-charge-after-ending", "the wallet charged %s after it recorded the order %s", w.name(t.OrderID), e.Status)
			}
		}
		if t.OrderID == "" || (i > 0 && fresh[i-1].OrderID == t.OrderID) {
			continue
		}
		if _, known := w.orderNo[t.OrderID]; !known {
			return violation("known-orders", "the ledger moved money for an order nobody placed")
		}
		if v := c.orderMoney(w, t.OrderID); v != nil {
			return v
		}
	}
	// Every timeline is a legal path of the state machine.
	for _, id := range w.orderIDs {
		o := w.OrdersDB.orders[id]
		if c.versions[id] == o.Version {
			continue
		}
		c.versions[id] = o.Version
		if v := legalTimeline(w, o); v != nil {
			return v
		}
	}
	return nil
}

// topUpCredit: a top-up credit belongs to an intent the gateway confirmed, for the
// intent's amount, once.
func (c *Checker) topUpCredit(w *World, t LedgerTx) *Violation {
	id, isIntent := strings.CutPrefix(t.Key, "topup:sandbox:")
	if !isIntent || strings.HasPrefix(id, "opening-") {
		return nil // the opening balances of the simulation
	}
	in, ok := w.Ledger.intents[id]
	switch {
	case !ok:
		return violation("top-up-once", "a credit for the unknown intent %s", id)
	case in.Amount.Minor() != t.Amount || string(in.Amount.Currency()) != t.Currency:
		return violation("top-up-once", "intent %s of %s credited %d %s", id, in.Amount, t.Amount, t.Currency)
	}
	c.credits[id]++
	if c.credits[id] > 1 {
		return violation("top-up-once", "intent %s credited %d times", id, c.credits[id])
	}
	return nil
}

// orderLedger is what the ledger holds about one order.
type orderLedger struct {
	payments, settlements int
	paid, refunded        int64
	// customerNet is the order's net effect on its customer: money and points.
	customerMoney, customerPoints int64
	paidPoints, refundedPoints    int64
	escrow                        int64
}

func ledgerOf(w *World, orderID string) orderLedger {
	l := w.Ledger
	var ol orderLedger
	cust := customerID(w.carts[w.orderNo[orderID]].customer)
	for _, ti := range l.byOrder[orderID] {
		t := l.Transactions[ti]
		switch t.Kind {
		case string(wdomain.KindOrderPayment):
			ol.payments++
			ol.paid += t.Amount
		case string(wdomain.KindSettlement):
			ol.settlements++
		case string(wdomain.KindRefund):
			ol.refunded += t.Amount
		}
		for _, p := range l.postingsOf(ti) {
			switch {
			case p.Account.Owner == cust && p.Account.Kind == wdomain.CustomerWallet:
				ol.customerMoney += p.Amount
			case p.Account.Owner == cust && p.Account.Kind == wdomain.LoyaltyPoints:
				ol.customerPoints += p.Amount
				if t.Kind == string(wdomain.KindOrderPayment) {
					ol.paidPoints -= p.Amount
				} else if t.Kind == string(wdomain.KindRefund) {
					ol.refundedPoints += p.Amount
				}
			case p.Account.Kind == wdomain.OrderEscrow:
				ol.escrow += p.Amount
			}
		}
	}
	return ol
}

func (c *Checker) orderMoney(w *World, id string) *Violation {
	ol := ledgerOf(w, id)
	name := w.name(id)
	switch {
	case ol.payments > 1:
		return violation("no-double-charge", "%s was charged %d times", name, ol.payments)
	case ol.settlements > 1:
		return violation("settled-once", "%s was settled %d times", name, ol.settlements)
	case ol.refunded > ol.paid:
		return violation("no-double-refund", "%s refunded %d of %d paid", name, ol.refunded, ol.paid)
	case ol.customerMoney > 0 || ol.customerPoints > 0 && ol.refundedPoints > ol.paidPoints:
		return violation("no-double-refund", "%s gave its customer more than they paid (money %+d, points %+d)", name, ol.customerMoney, ol.customerPoints)
	case ol.escrow < 0:
		return violation("escrow-non-negative", "%s escrow is %d", name, ol.escrow)
	}
	return nil
}

func legalTimeline(w *World, o *odomain.Order) *Violation {
	name := w.name(o.ID)
	if len(o.Timeline) == 0 || o.Timeline[0].To != odomain.StatusPlaced || o.Timeline[0].From != "" {
		return violation("legal-timeline", "%s does not start PLACED", name)
	}
	for i, t := range o.Timeline {
		if t.Seq != i+1 {
			return violation("legal-timeline", "%s entry %d has seq %d", name, i, t.Seq)
		}
		if i > 0 && t.IsRefundRequest() {
			// A compensation, not a move: only on an order that ended without being paid.
			if t.From != t.To || t.From != o.Timeline[i-1].To || (t.To != odomain.StatusCancelled && t.To != odomain.StatusPaymentFailed) {
				return violation("legal-timeline", "%s records a refund request %s -> %s after %s", name, t.From, t.To, o.Timeline[i-1].To)
			}
			continue
		}
		if i > 0 && (t.From != o.Timeline[i-1].To || !t.From.CanBecome(t.To)) {
			return violation("legal-timeline", "%s moved %s -> %s after %s", name, t.From, t.To, o.Timeline[i-1].To)
		}
	}
	if o.Timeline[len(o.Timeline)-1].To != o.Status {
		return violation("legal-timeline", "%s is %s but its timeline ends %s", name, o.Status, o.Timeline[len(o.Timeline)-1].To)
	}
	return nil
}

// Liveness runs the invariants that hold once faults stopped and the world drained.
func (c *Checker) Liveness(w *World) *Violation {
	if v := c.Safety(w); v != nil {
		return v
	}
	for _, lag := range w.Bus.Lags() {
		return violation("drained", "%s still has events on %s partition %d", lag.Group, lag.Topic, lag.Partition)
	}
	if len(w.Bus.DLQ) > 0 {
		d := w.Bus.DLQ[0]
		return violation("drained", "dead letter %s of %s for %s: %s", d.Event.Type, d.Group, w.name(d.Event.Subject), d.Cause)
	}
	for _, id := range w.Ledger.intentIDs {
		in := w.Ledger.intents[id]
		if in.Status == wapp.IntentPending {
			return violation("every-intent-final", "top-up intent %s is still PENDING", id)
		}
		if credited := c.credits[id] == 1; credited != (in.Status == wapp.IntentSucceeded) {
			return violation("top-up-once", "intent %s is %s and was credited %d times", id, in.Status, c.credits[id])
		}
	}
	for _, id := range w.orderIDs {
		o := w.OrdersDB.orders[id]
		name := w.name(id)
		if !o.Status.Terminal() {
			return violation("every-order-terminal", "%s is still %s", name, o.Status)
		}
		ol := ledgerOf(w, id)
		if ol.escrow != 0 {
			return violation("terminal-escrow-zero", "%s is %s with %d in escrow", name, o.Status, ol.escrow)
		}
		if o.Status == odomain.StatusDelivered {
			if ol.payments != 1 {
				return violation("delivered-paid", "%s is delivered with %d payments", name, ol.payments)
			}
			if ol.payments == 1 && ol.refunded < ol.paid && ol.settlements != 1 {
				return violation("delivered-settled-once", "%s is delivered and settled %d times", name, ol.settlements)
			}
			continue
		}
		if ol.customerMoney != 0 || ol.customerPoints != 0 {
			return violation("customer-made-whole", "%s ended %s and its customer is %+d in money and %+d in points",
				name, o.Status, ol.customerMoney, ol.customerPoints)
		}
	}
	return nil
}
