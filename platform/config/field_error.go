package config

import "fmt"

// FieldError is a problem with one configuration key. Key is relative to the struct
// whose Validate returned it; Load prefixes the path down to that struct.
type FieldError struct {
	Key     string
	Problem string
}

// Invalid reports that key holds a bad value.
func Invalid(key, format string, args ...any) error {
	return &FieldError{Key: key, Problem: fmt.Sprintf(format, args...)}
}

func (e *FieldError) Error() string {
	if e.Key == "" {
		return e.Problem
	}
	return e.Key + ": " + e.Problem
}
