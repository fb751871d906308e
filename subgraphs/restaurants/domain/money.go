package domain

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/text/currency"
)

// Money is an amount in minor units (tiyin, cents) of an ISO 4217 currency. Never a float.
type Money struct {
	AmountMinor int64
	Currency    string
}

// NewMoney checks that currency is an ISO 4217 code and amount is not negative (prices
// and deltas on a menu are never negative: a discount is a different feature).
func NewMoney(amountMinor int64, cur string) (Money, error) {
	c, err := ParseCurrency(cur)
	if err != nil {
		return Money{}, err
	}
	if amountMinor < 0 {
		return Money{}, invalid("amountMinor", "must not be negative, got %d", amountMinor)
	}
	if amountMinor > MaxAmountMinor {
		return Money{}, invalid("amountMinor", "must be at most %d, got %d", int64(MaxAmountMinor), amountMinor)
	}
	return Money{AmountMinor: amountMinor, Currency: c}, nil
}

// MaxAmountMinor bounds one price so that quantity x (price + deltas) sums of a whole
// quote can never overflow int64.
const MaxAmountMinor = 1_000_000_000_000 // 10^12 minor units: 10 billion of a 2-decimal currency

// ParseCurrency returns the upper-case ISO 4217 code or an InputError on "currency".
func ParseCurrency(code string) (string, error) {
	code = strings.TrimSpace(code)
	if len(code) != 3 || strings.ToUpper(code) != code {
		return "", invalid("currency", "must be a three-letter upper-case ISO 4217 code, got %q", code)
	}
	u, err := currency.ParseISO(code)
	if err != nil || u.String() != code {
		return "", invalid("currency", "%q is not an ISO 4217 currency", code)
	}
	return code, nil
}

// Add returns m + o; both must be in the same currency.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("add %s to %s: currencies differ", o.Currency, m.Currency)
	}
	if o.AmountMinor > 0 && m.AmountMinor > math.MaxInt64-o.AmountMinor {
		return Money{}, fmt.Errorf("add money: overflow")
	}
	return Money{AmountMinor: m.AmountMinor + o.AmountMinor, Currency: m.Currency}, nil
}

// Times returns m multiplied by n (n >= 0).
func (m Money) Times(n int64) (Money, error) {
	if n < 0 || (n > 0 && m.AmountMinor > math.MaxInt64/n) {
		return Money{}, fmt.Errorf("multiply money by %d: overflow", n)
	}
	return Money{AmountMinor: m.AmountMinor * n, Currency: m.Currency}, nil
}

func (m Money) String() string { return fmt.Sprintf("%d %s (minor units)", m.AmountMinor, m.Currency) }
