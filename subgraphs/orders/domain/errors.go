package domain

import (
	"errors"
	"fmt"
)

// ErrCurrencyMismatch: two amounts in different currencies were combined.
var ErrCurrencyMismatch = errors.New("currency mismatch")

// ErrNotFound: no such order.
var ErrNotFound = errors.New("order not found")

// InputError is a request the domain refuses as invalid; Field names the input at fault.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// TransitionError is a transition the table does not allow from the order's status.
type TransitionError struct {
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("an order that is %s cannot become %s", e.From, e.To)
}

// IsIllegalTransition reports whether err is (or wraps) a *TransitionError.
func IsIllegalTransition(err error) bool {
	var te *TransitionError
	return errors.As(err, &te)
}
