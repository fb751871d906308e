package domain

import "errors"

// ErrNotFound: no such notification (or not the caller's).
var ErrNotFound = errors.New("not found")

// InvalidInputError names the input that is wrong and why.
type InvalidInputError struct {
	Field, Reason string
}

func (e *InvalidInputError) Error() string { return e.Field + ": " + e.Reason }

func invalid(field, reason string) error { return &InvalidInputError{Field: field, Reason: reason} }
