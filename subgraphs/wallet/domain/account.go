package domain

import (
	"fmt"
	"strings"
)

// AccountKind says what an account is for, and with it whether it may go negative.
type AccountKind string

// The ledger's accounts. Owner is a user id for customer wallets, driver earnings and
// loyalty points, a restaurant id for payables, an order id for escrow, the gateway's name
// for clearing, and "platform" for the platform's own accounts.
const (
	CustomerWallet    AccountKind = "customer_wallet"
	DriverEarnings    AccountKind = "driver_earnings"
	RestaurantPayable AccountKind = "restaurant_payable"
	PlatformFee       AccountKind = "platform_fee"
	OrderEscrow       AccountKind = "order_escrow"
	GatewayClearing   AccountKind = "gateway_clearing"
	LoyaltyPoints     AccountKind = "loyalty_points"
	// LoyaltyPool issues and takes back points: its balance is minus the points held by
	// customers.
	LoyaltyPool AccountKind = "loyalty_pool"
	// LoyaltyFunding pays, in money, the part of an order covered by redeemed points.
	LoyaltyFunding AccountKind = "loyalty_funding"
	// Adjustments is the counterpart of admin corrections.
	Adjustments AccountKind = "adjustments"
)

// PlatformOwner owns the platform's own accounts.
const PlatformOwner = "platform"

// MayGoNegative is the per-account negative-balance rule. It is off by default: money
// held for someone (wallets, earnings, escrow, points) never goes below zero. Accounts
// that mirror the outside world or the platform's books may: gateway clearing (money
// that arrived from the card network), the loyalty pool and funding (issuance and the
// platform's promotion expense), adjustments, and a restaurant payable (a refund after
// settlement is clawed back from the restaurant, which then owes the platform).
func (k AccountKind) MayGoNegative() bool {
	switch k {
	case GatewayClearing, LoyaltyPool, LoyaltyFunding, Adjustments, RestaurantPayable:
		return true
	}
	return false
}

// Valid reports whether k is a known kind.
func (k AccountKind) Valid() bool {
	switch k {
	case CustomerWallet, DriverEarnings, RestaurantPayable, PlatformFee, OrderEscrow,
		GatewayClearing, LoyaltyPoints, LoyaltyPool, LoyaltyFunding, Adjustments:
		return true
	}
	return false
}

// AccountID names one account: a kind, an owner and a currency (one account per
// currency). Its string form "kind:owner:CUR" is the database key.
type AccountID struct {
	Kind     AccountKind
	Owner    string
	Currency Currency
}

// NewAccountID validates the parts: points accounts hold PTS only, money accounts never.
func NewAccountID(kind AccountKind, owner string, currency Currency) (AccountID, error) {
	if !kind.Valid() {
		return AccountID{}, invalid("account", "unknown account kind %q", kind)
	}
	if owner == "" || strings.Contains(owner, ":") {
		return AccountID{}, invalid("account", "owner %q must be non-empty and contain no ':'", owner)
	}
	if _, err := ParseCurrency(string(currency)); err != nil {
		return AccountID{}, err
	}
	pointsKind := kind == LoyaltyPoints || kind == LoyaltyPool
	if pointsKind != currency.IsPoints() {
		return AccountID{}, invalid("currency", "%s accounts cannot hold %s", kind, currency)
	}
	return AccountID{Kind: kind, Owner: owner, Currency: currency}, nil
}

func (a AccountID) String() string {
	return fmt.Sprintf("%s:%s:%s", a.Kind, a.Owner, a.Currency)
}

// ParseAccountID reverses String.
func ParseAccountID(s string) (AccountID, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return AccountID{}, invalid("account", "%q is not kind:owner:currency", s)
	}
	return NewAccountID(AccountKind(parts[0]), parts[1], Currency(parts[2]))
}

func mustAccount(kind AccountKind, owner string, c Currency) AccountID {
	a, err := NewAccountID(kind, owner, c)
	if err != nil {
		panic(err)
	}
	return a
}

// Accounts used by the operations.
func WalletOf(userID string, c Currency) (AccountID, error) {
	return NewAccountID(CustomerWallet, userID, c)
}
func PointsOf(userID string) (AccountID, error) { return NewAccountID(LoyaltyPoints, userID, Points) }
func EscrowOf(orderID string, c Currency) (AccountID, error) {
	return NewAccountID(OrderEscrow, orderID, c)
}
