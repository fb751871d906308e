package domain

import (
	"fmt"
	"math/big"
	"strings"
)

// TopUp moves money that arrived through a payment gateway into a customer's wallet.
func TopUp(userID, gateway string, amount Money) (Transaction, error) {
	if err := requirePositive("amount", amount); err != nil {
		return Transaction{}, err
	}
	if amount.currency.IsPoints() {
		return Transaction{}, invalid("amount", "points cannot be topped up")
	}
	wallet, err := WalletOf(userID, amount.currency)
	if err != nil {
		return Transaction{}, err
	}
	clearing, err := NewAccountID(GatewayClearing, gateway, amount.currency)
	if err != nil {
		return Transaction{}, err
	}
	return NewTransaction(KindTopUp, amount,
		Posting{Account: clearing, Amount: -amount.minor},
		Posting{Account: wallet, Amount: amount.minor})
}

// PayOrder describes charging a customer for an order.
type PayOrder struct {
	OrderID    string
	CustomerID string
	Total      Money
	// RedeemPoints are loyalty points the customer spends on this order (0 for none).
	RedeemPoints int64
}

// Pay builds the payment: the customer's wallet pays Total minus the value of the
// redeemed points into the order's escrow; the points go back to the pool and the
// platform's loyalty funding pays their value into escrow. Escrow always holds Total.
func Pay(p PayOrder, loyalty LoyaltyRules) (Transaction, error) {
	if p.OrderID == "" {
		return Transaction{}, invalid("orderId", "is required")
	}
	if err := requirePositive("total", p.Total); err != nil {
		return Transaction{}, err
	}
	if p.Total.currency.IsPoints() {
		return Transaction{}, invalid("total", "an order is priced in money, not points")
	}
	wallet, err := WalletOf(p.CustomerID, p.Total.currency)
	if err != nil {
		return Transaction{}, err
	}
	escrow, err := EscrowOf(p.OrderID, p.Total.currency)
	if err != nil {
		return Transaction{}, err
	}
	covered, err := loyalty.RedeemValue(p.RedeemPoints, p.Total)
	if err != nil {
		return Transaction{}, err
	}
	postings := []Posting{
		{Account: wallet, Amount: -(p.Total.minor - covered)},
		{Account: escrow, Amount: p.Total.minor},
	}
	if p.RedeemPoints > 0 {
		points, _ := PointsOf(p.CustomerID)
		postings = append(postings,
			Posting{Account: points, Amount: -p.RedeemPoints},
			Posting{Account: mustAccount(LoyaltyPool, PlatformOwner, Points), Amount: p.RedeemPoints},
			Posting{Account: mustAccount(LoyaltyFunding, PlatformOwner, p.Total.currency), Amount: -covered})
	}
	t, err := NewTransaction(KindOrderPayment, p.Total, postings...)
	t.OrderID = p.OrderID
	return t, err
}

// OrderPayment is what the ledger knows about one order's payment: the state Refund and
// Settle decide on.
type OrderPayment struct {
	OrderID     string
	CustomerID  string
	PaymentTxID string
	// Paid is the order's total, what escrow received: the wallet's part plus the value
	// of the redeemed points.
	Paid Money
	// PaidPoints are the loyalty points redeemed on the order and PointsCovered the money
	// the loyalty funding paid for them (PaidPoints × the point value at checkout).
	PaidPoints    int64
	PointsCovered int64
	// Refunded is the order value of every refund so far (money and points together, as
	// escrow sees it); RefundedPoints the points given back so far, RefundedCash the
	// money given back to the wallet so far.
	Refunded       int64
	RefundedPoints int64
	RefundedCash   int64
	Settled        bool
}

// Refundable is what may still be refunded, in order value.
func (op OrderPayment) Refundable() int64 { return op.Paid.minor - op.Refunded }

// PaidCash is the part of the order the customer's wallet paid.
func (op OrderPayment) PaidCash() int64 { return op.Paid.minor - op.PointsCovered }

// RefundSplit divides a refund of amount (order value) between money back to the wallet
// and points back to the loyalty account, in proportion to how the order was paid.
//
// The rounding rule is cumulative, so no minor unit or point is created or lost however
// a refund is cut into parts: after this refund the points given back in total are
// floor(PaidPoints × R / Paid), R being every refund so far plus this one, and the
// money is the rest of the amount (amount − points × point value). The full refund thus
// returns exactly the points and the money that were paid, and each partial refund
// leans towards money by less than one point. When the point value is more than one
// minor unit, the split is clamped so that neither currency goes past what was paid;
// an amount that cannot be split without that (less than one point's value of money
// left to give) is refused.
func (op OrderPayment) RefundSplit(amount int64) (cash, points int64, err error) {
	if amount <= 0 || amount > op.Refundable() {
		return 0, 0, invalid("amount", "refund of %d is outside 1..%d, what is still refundable on order %s", amount, op.Refundable(), op.OrderID)
	}
	if op.PaidPoints == 0 {
		if op.RefundedCash+amount > op.PaidCash() {
			return 0, 0, invalid("amount", "refund of %d would return more money than the %d paid on order %s", amount, op.PaidCash(), op.OrderID)
		}
		return amount, 0, nil
	}
	if op.PointsCovered%op.PaidPoints != 0 {
		return 0, 0, fmt.Errorf("order %s: %d points paid %d, not a whole value per point", op.OrderID, op.PaidPoints, op.PointsCovered)
	}
	value := op.PointsCovered / op.PaidPoints
	target := mulDiv(op.PaidPoints, op.Refunded+amount, op.Paid.minor)
	points = target - op.RefundedPoints
	// Clamp: money back must stay within what the wallet paid, points within what was
	// redeemed, and neither may be negative.
	cashLeft, pointsLeft := op.PaidCash()-op.RefundedCash, op.PaidPoints-op.RefundedPoints
	lo := max(0, ceilDiv(amount-cashLeft, value))
	hi := min(pointsLeft, amount/value)
	if lo > hi {
		return 0, 0, invalid("amount", "refund of %d on order %s cannot be split into money (%d left) and points worth %d each (%d left)", amount, op.OrderID, cashLeft, value, pointsLeft)
	}
	points = min(max(points, lo), hi)
	return amount - points*value, points, nil
}

// mulDiv is floor(a*b/c) for non-negative operands, without int64 overflow.
func mulDiv(a, b, c int64) int64 {
	x := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	return x.Quo(x, big.NewInt(c)).Int64()
}

// ceilDiv is ceil(a/b) for b > 0 and any a.
func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a > 0 {
		q++
	}
	return q
}

// Refund returns amount (nil: everything still refundable) of the order's value to the
// customer in the currencies it was paid in: the wallet's part as money to the wallet,
// the redeemed points as points to the loyalty account (their money value goes back to
// the loyalty funding that paid it), split by RefundSplit. It comes out of escrow while
// the order is unsettled, and out of the restaurant's payable after settlement (the
// restaurant then owes it). Neither the money nor the points refunded ever exceed what
// was paid, across all refunds.
func (op OrderPayment) Refund(amount *Money, restaurantID, reason string) (Transaction, error) {
	a := MustMoneyOf(op.Refundable(), op.Paid.currency)
	if amount != nil {
		a = *amount
	}
	if err := requirePositive("amount", a); err != nil {
		if amount == nil {
			return Transaction{}, fmt.Errorf("order %s is fully refunded already: %w", op.OrderID, ErrConflict)
		}
		return Transaction{}, err
	}
	if a.currency != op.Paid.currency {
		return Transaction{}, invalid("amount", "order %s was paid in %s, not %s", op.OrderID, op.Paid.currency, a.currency)
	}
	if a.minor > op.Refundable() {
		return Transaction{}, invalid("amount", "refund of %d exceeds the %d still refundable on order %s", a.minor, op.Refundable(), op.OrderID)
	}
	if reason == "" {
		return Transaction{}, invalid("reason", "a refund needs a reason")
	}
	cash, points, err := op.RefundSplit(a.minor)
	if err != nil {
		return Transaction{}, err
	}
	wallet, err := WalletOf(op.CustomerID, a.currency)
	if err != nil {
		return Transaction{}, err
	}
	source, err := EscrowOf(op.OrderID, a.currency)
	if op.Settled {
		source, err = NewAccountID(RestaurantPayable, restaurantID, a.currency)
	}
	if err != nil {
		return Transaction{}, err
	}
	postings := []Posting{
		{Account: source, Amount: -a.minor},
		{Account: wallet, Amount: cash},
	}
	if points > 0 {
		pointsAcct, err := PointsOf(op.CustomerID)
		if err != nil {
			return Transaction{}, err
		}
		postings = append(postings,
			Posting{Account: mustAccount(LoyaltyFunding, PlatformOwner, a.currency), Amount: a.minor - cash},
			Posting{Account: mustAccount(LoyaltyPool, PlatformOwner, Points), Amount: -points},
			Posting{Account: pointsAcct, Amount: points})
	}
	t, err := NewTransaction(KindRefund, a, postings...)
	t.OrderID, t.Reason = op.OrderID, reason
	return t, err
}

// Split is the settlement rule, in basis points (1/100 of a percent) of the escrow.
type Split struct {
	PlatformFeeBps int64
	DriverBps      int64
}

// Validate: shares are within 0..10000 and leave the restaurant something.
func (s Split) Validate() error {
	if s.PlatformFeeBps < 0 || s.DriverBps < 0 || s.PlatformFeeBps+s.DriverBps > 10000 {
		return fmt.Errorf("settlement split: platform %d bps + driver %d bps must be within 0..10000", s.PlatformFeeBps, s.DriverBps)
	}
	return nil
}

// Shares divides amount: the platform fee and the driver's share are each rounded down,
// and the restaurant receives the remainder, so the three always add up to amount and no
// minor unit is lost to rounding.
func (s Split) Shares(amount int64) (restaurant, driver, platform int64) {
	platform = bpsOf(amount, s.PlatformFeeBps)
	driver = bpsOf(amount, s.DriverBps)
	return amount - platform - driver, driver, platform
}

// bpsOf is floor(amount*bps/10000) without int64 overflow.
func bpsOf(amount, bps int64) int64 {
	x := new(big.Int).Mul(big.NewInt(amount), big.NewInt(bps))
	return x.Quo(x, big.NewInt(10000)).Int64()
}

// UnassignedDriver holds drivers' shares of orders settled before a driver was known.
const UnassignedDriver = "unassigned"

// Settle pays out what escrow still holds (paid minus refunded) when the order is
// delivered.
func (op OrderPayment) Settle(restaurantID, driverID string, split Split) (Transaction, error) {
	if op.Settled {
		return Transaction{}, fmt.Errorf("order %s is settled already: %w", op.OrderID, ErrConflict)
	}
	if err := split.Validate(); err != nil {
		return Transaction{}, err
	}
	held := op.Refundable()
	c := op.Paid.currency
	escrow, err := EscrowOf(op.OrderID, c)
	if err != nil {
		return Transaction{}, err
	}
	if held == 0 { // fully refunded: a zero settlement marks the order settled
		return Transaction{}, fmt.Errorf("order %s has nothing left in escrow: %w", op.OrderID, ErrConflict)
	}
	if restaurantID == "" {
		return Transaction{}, invalid("restaurantId", "is required")
	}
	restaurantShare, driverShare, platformShare := split.Shares(held)
	if driverID == "" { // no driver known yet: the share waits in an "unassigned" earnings account for ops to pay out
		driverID = UnassignedDriver
	}
	restaurant, err := NewAccountID(RestaurantPayable, restaurantID, c)
	if err != nil {
		return Transaction{}, err
	}
	driver, err := NewAccountID(DriverEarnings, driverID, c)
	if err != nil {
		return Transaction{}, err
	}
	t, err := NewTransaction(KindSettlement, MustMoneyOf(held, c),
		Posting{Account: escrow, Amount: -held},
		Posting{Account: restaurant, Amount: restaurantShare},
		Posting{Account: driver, Amount: driverShare},
		Posting{Account: mustAccount(PlatformFee, PlatformOwner, c), Amount: platformShare})
	t.OrderID = op.OrderID
	return t, err
}

// Adjust is an admin correction of a customer wallet, against the adjustments account.
func Adjust(userID string, delta Money, reason string) (Transaction, error) {
	if delta.minor == 0 {
		return Transaction{}, invalid("amount", "an adjustment must not be zero")
	}
	if strings.TrimSpace(reason) == "" {
		return Transaction{}, invalid("reason", "an adjustment needs a reason")
	}
	if len(reason) > 500 {
		return Transaction{}, invalid("reason", "must be at most 500 bytes")
	}
	var (
		wallet AccountID
		err    error
	)
	if delta.currency.IsPoints() {
		wallet, err = PointsOf(userID)
	} else {
		wallet, err = WalletOf(userID, delta.currency)
	}
	if err != nil {
		return Transaction{}, err
	}
	// Points come from (and go back to) the pool: an adjustments account holds money only.
	var counter AccountID
	if delta.currency.IsPoints() {
		counter = mustAccount(LoyaltyPool, PlatformOwner, Points)
	} else {
		counter = mustAccount(Adjustments, PlatformOwner, delta.currency)
	}
	abs := delta.minor
	if abs < 0 {
		abs = -abs
	}
	t, err := NewTransaction(KindAdjustment, MustMoneyOf(abs, delta.currency),
		Posting{Account: counter, Amount: -delta.minor},
		Posting{Account: wallet, Amount: delta.minor})
	t.Reason = reason
	return t, err
}
