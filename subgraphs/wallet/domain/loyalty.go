package domain

import (
	"fmt"
	"time"
)

// LoyaltyRules say how points are earned, what they are worth and when they expire.
type LoyaltyRules struct {
	// EarnPerMinorUnits: one point per this many minor units paid (e.g. 100: 1 point per
	// 1.00 of a two-decimal currency). Rounded down.
	EarnPerMinorUnits int64
	// PointValueMinor is what one point pays at checkout, in minor units.
	PointValueMinor int64
	// MaxRedeemBps caps the share of an order points may pay (e.g. 5000 = half).
	MaxRedeemBps int64
	// ExpireAfter: points not spent within this long after being earned expire.
	ExpireAfter time.Duration
}

// DefaultLoyalty: 1 point per 100 minor units, a point pays 1 minor unit, up to half
// an order, and points last a year.
var DefaultLoyalty = LoyaltyRules{EarnPerMinorUnits: 100, PointValueMinor: 1, MaxRedeemBps: 5000, ExpireAfter: 365 * 24 * time.Hour}

// Validate checks the rules are usable.
func (r LoyaltyRules) Validate() error {
	if r.EarnPerMinorUnits <= 0 || r.PointValueMinor <= 0 || r.MaxRedeemBps < 0 || r.MaxRedeemBps > 10000 || r.ExpireAfter <= 0 {
		return fmt.Errorf("loyalty rules %+v: earn rate and point value must be positive, max redeem within 0..10000 bps, expiry positive", r)
	}
	return nil
}

// Earned is the points a settled order of amount earns.
func (r LoyaltyRules) Earned(amount Money) int64 {
	if amount.minor <= 0 || amount.currency.IsPoints() {
		return 0
	}
	return amount.minor / r.EarnPerMinorUnits
}

// MaxRedeemable is how many points may pay for an order of total.
func (r LoyaltyRules) MaxRedeemable(total Money) int64 {
	return bpsOf(total.minor, r.MaxRedeemBps) / r.PointValueMinor
}

// RedeemValue is what points pay on an order of total, refusing more than allowed.
func (r LoyaltyRules) RedeemValue(points int64, total Money) (int64, error) {
	if points < 0 {
		return 0, invalid("redeemPoints", "must not be negative")
	}
	if points == 0 {
		return 0, nil
	}
	if max := r.MaxRedeemable(total); points > max {
		return 0, invalid("redeemPoints", "at most %d points may pay for an order of %s", max, total)
	}
	return points * r.PointValueMinor, nil
}

// RedeemPreview is what redeeming would do at checkout.
type RedeemPreview struct {
	Points    int64
	Covered   Money
	Remaining Money
}

// Preview caps the wish at the balance and the rules and says what the customer would
// still pay.
func (r LoyaltyRules) Preview(balance, wish int64, total Money) (RedeemPreview, error) {
	if err := requirePositive("total", total); err != nil {
		return RedeemPreview{}, err
	}
	pts := min(max(wish, 0), balance, r.MaxRedeemable(total))
	v, err := r.RedeemValue(pts, total)
	if err != nil {
		return RedeemPreview{}, err
	}
	return RedeemPreview{Points: pts, Covered: MustMoneyOf(v, total.currency), Remaining: MustMoneyOf(total.minor-v, total.currency)}, nil
}

// Earn credits points for a delivered order from the pool.
func Earn(userID, orderID string, points int64) (Transaction, error) {
	if points <= 0 {
		return Transaction{}, invalid("points", "must be positive")
	}
	acct, err := PointsOf(userID)
	if err != nil {
		return Transaction{}, err
	}
	t, err := NewTransaction(KindPointsEarn, MustMoneyOf(points, Points),
		Posting{Account: mustAccount(LoyaltyPool, PlatformOwner, Points), Amount: -points},
		Posting{Account: acct, Amount: points})
	t.OrderID = orderID
	return t, err
}

// Expiring is how many points expire now, spending oldest first: everything earned
// before the cutoff that has not been consumed (redeemed or expired, less what refunds
// gave back) by now. Points a refund gives back are thus restored with their original
// expiry, never a fresh one: a fresh one would let a customer keep points alive forever
// by paying with them and cancelling.
func Expiring(earnedBeforeCutoff, consumedSoFar int64) int64 {
	return max(0, earnedBeforeCutoff-consumedSoFar)
}

// Expire returns expiring points to the pool.
func Expire(userID string, points int64) (Transaction, error) {
	if points <= 0 {
		return Transaction{}, invalid("points", "nothing to expire")
	}
	acct, err := PointsOf(userID)
	if err != nil {
		return Transaction{}, err
	}
	t, err := NewTransaction(KindPointsExpire, MustMoneyOf(points, Points),
		Posting{Account: acct, Amount: -points},
		Posting{Account: mustAccount(LoyaltyPool, PlatformOwner, Points), Amount: points})
	t.Reason = "points expired"
	return t, err
}
