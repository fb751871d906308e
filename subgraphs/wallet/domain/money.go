package domain

import (
	"fmt"
	"math"
)

// Currency is an ISO 4217 code, or Points for loyalty points.
type Currency string

// Points is the loyalty currency: a parallel ledger currency that never mixes with money.
const Points Currency = "PTS"

// isoCurrencies are the ISO 4217 codes the platform accepts. Minor units differ per
// currency, but the ledger only ever sees integer minor units, so the exponent does not
// matter here.
var isoCurrencies = map[Currency]bool{
	"UZS": true, "USD": true, "EUR": true, "GBP": true, "RUB": true, "KZT": true,
	"KGS": true, "TJS": true, "TRY": true, "AED": true, "CNY": true, "JPY": true,
	"INR": true, "CHF": true, "CAD": true, "AUD": true, "PLN": true, "GEL": true,
}

// ParseCurrency validates s as an accepted ISO 4217 code or "PTS".
func ParseCurrency(s string) (Currency, error) {
	c := Currency(s)
	if c == Points || isoCurrencies[c] {
		return c, nil
	}
	return "", invalid("currency", "%q is not a supported ISO 4217 currency code", s)
}

// IsPoints reports whether c is the loyalty currency.
func (c Currency) IsPoints() bool { return c == Points }

// Money is an amount in integer minor units of one currency. Never a float.
type Money struct {
	minor    int64
	currency Currency
}

// NewMoney validates the currency; the amount may be any int64 (negative for debits).
func NewMoney(minor int64, currency string) (Money, error) {
	c, err := ParseCurrency(currency)
	if err != nil {
		return Money{}, err
	}
	return Money{minor: minor, currency: c}, nil
}

// MustMoney is NewMoney for constants in tests and defaults; it panics on a bad currency.
func MustMoney(minor int64, currency string) Money {
	m, err := NewMoney(minor, currency)
	if err != nil {
		panic(err)
	}
	return m
}

func (m Money) Minor() int64       { return m.minor }
func (m Money) Currency() Currency { return m.currency }
func (m Money) IsZero() bool       { return m.minor == 0 }
func (m Money) IsPositive() bool   { return m.minor > 0 }
func (m Money) String() string     { return fmt.Sprintf("%d %s", m.minor, m.currency) }

// Add returns m+o; it refuses mixed currencies and int64 overflow.
func (m Money) Add(o Money) (Money, error) {
	if m.currency != o.currency {
		return Money{}, fmt.Errorf("add %s to %s: currencies differ", o, m)
	}
	if (o.minor > 0 && m.minor > math.MaxInt64-o.minor) || (o.minor < 0 && m.minor < math.MinInt64-o.minor) {
		return Money{}, fmt.Errorf("add %s to %s: overflow", o, m)
	}
	return Money{minor: m.minor + o.minor, currency: m.currency}, nil
}

// Sub returns m-o with the same rules as Add.
func (m Money) Sub(o Money) (Money, error) {
	if o.minor == math.MinInt64 {
		return Money{}, fmt.Errorf("subtract %s: overflow", o)
	}
	return m.Add(Money{minor: -o.minor, currency: o.currency})
}

// requirePositive is the check every operation amount passes.
func requirePositive(field string, m Money) error {
	if m.currency == "" {
		return invalid(field, "currency is required")
	}
	if m.minor <= 0 {
		return invalid(field, "must be positive, got %d", m.minor)
	}
	return nil
}
