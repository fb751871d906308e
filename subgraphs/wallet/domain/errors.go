package domain

import (
	"errors"
	"fmt"
)

// Sentinel errors the application maps onto GraphQL codes and event outcomes.
var (
	// ErrInsufficientFunds: an account that may not go negative would.
	ErrInsufficientFunds = errors.New("insufficient funds")
	// ErrConflict: an idempotency key was reused with a different request, or the
	// operation clashes with what already happened (an order paid twice, settled twice).
	ErrConflict = errors.New("conflict")
	// ErrNotFound: the order payment or account does not exist.
	ErrNotFound = errors.New("not found")
)

// InputError is a value the caller must change; Field names it.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// IsInputError reports whether err is (or wraps) an *InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
