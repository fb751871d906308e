package domain

import (
	"fmt"
	"math"
)

// Money is an amount in minor units of an ISO 4217 currency. Never floats.
type Money struct {
	Minor    int64
	Currency string
}

// Add returns m+o; both must be in the same currency and the sum must not overflow.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("add %s to %s: %w", o.Currency, m.Currency, ErrCurrencyMismatch)
	}
	if (o.Minor > 0 && m.Minor > math.MaxInt64-o.Minor) || (o.Minor < 0 && m.Minor < math.MinInt64-o.Minor) {
		return Money{}, fmt.Errorf("add %d to %d: overflow", o.Minor, m.Minor)
	}
	return Money{Minor: m.Minor + o.Minor, Currency: m.Currency}, nil
}

// Times returns m*n for a non-negative n, refusing overflow.
func (m Money) Times(n int64) (Money, error) {
	if n < 0 || (n != 0 && (m.Minor > math.MaxInt64/n || m.Minor < math.MinInt64/n)) {
		return Money{}, fmt.Errorf("%d x %d: overflow", m.Minor, n)
	}
	return Money{Minor: m.Minor * n, Currency: m.Currency}, nil
}

func (m Money) String() string { return fmt.Sprintf("%d %s", m.Minor, m.Currency) }
