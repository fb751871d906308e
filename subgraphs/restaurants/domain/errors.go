package domain

import (
	"errors"
	"fmt"
	"time"
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

// StaleVersionError says which version the caller expected and which one is current,
// and, when recorded, who made the current one and when.
type StaleVersionError struct {
	What              string
	Expected, Current int64
	EditedBy          string
	EditedAt          time.Time
}

func (e *StaleVersionError) Error() string {
	msg := fmt.Sprintf("%s was edited meanwhile: expected version %d, current is %d", e.What, e.Expected, e.Current)
	if e.EditedBy != "" {
		msg += fmt.Sprintf(" (made by user %s at %s)", e.EditedBy, e.EditedAt.UTC().Format(time.RFC3339))
	}
	return msg
}

func (e *StaleVersionError) Unwrap() error { return ErrStaleVersion }
