package domain

import (
	"errors"
	"fmt"
)

// InputError is a value the caller supplied that a rule refuses. Field names the input
// field at fault in the GraphQL input's terms, e.g. "menu.categories[0].items[2].price".
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

func invalid(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// prefixed returns err with its field path under prefix (a nested constructor reports
// "price"; its caller knows it is "items[3].price").
func prefixed(prefix string, err error) error {
	var ie *InputError
	if prefix == "" || !errors.As(err, &ie) {
		return err
	}
	f := prefix
	if ie.Field != "" {
		if ie.Field[0] == '[' {
			f += ie.Field
		} else {
			f += "." + ie.Field
		}
	}
	return &InputError{Field: f, Message: ie.Message}
}

var (
	// ErrNotFound: no restaurant or menu item with that id.
	ErrNotFound = errors.New("not found")
	// ErrStaleVersion: the caller edited a version that is no longer current.
	ErrStaleVersion = errors.New("stale version")
)

// StaleVersionError says which version the caller expected and which one is current.
type StaleVersionError struct {
	What              string
	Expected, Current int64
}

func (e *StaleVersionError) Error() string {
	return fmt.Sprintf("%s was edited meanwhile: expected version %d, current is %d", e.What, e.Expected, e.Current)
}

func (e *StaleVersionError) Unwrap() error { return ErrStaleVersion }
