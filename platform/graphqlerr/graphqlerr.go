package graphqlerr

import (
	"errors"
	"fmt"
	"time"
)

// Code is the value of extensions.code.
type Code string

// The codes clients can rely on.
const (
	CodeUnauthenticated   Code = "UNAUTHENTICATED"
	CodeForbidden         Code = "FORBIDDEN"
	CodeBadUserInput      Code = "BAD_USER_INPUT"
	CodeNotFound          Code = "NOT_FOUND"
	CodeConflict          Code = "CONFLICT"
	CodeInsufficientFunds Code = "INSUFFICIENT_FUNDS"
	CodeRateLimited       Code = "RATE_LIMITED"
	CodeInternal          Code = "INTERNAL"
)

// Error is an error whose Message is safe to show a client.
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault (BAD_USER_INPUT), "" when none.
	Field string
	// RetryAfter tells a rate-limited client when to try again (RATE_LIMITED).
	RetryAfter time.Duration
	// Cause is kept for logs and errors.Is/As; it never reaches the client.
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

// Unauthenticated: the caller is not signed in, or its credentials are not valid.
func Unauthenticated(msg string) *Error { return &Error{Code: CodeUnauthenticated, Message: msg} }

// Forbidden: the caller is known but may not do this.
func Forbidden(msg string) *Error { return &Error{Code: CodeForbidden, Message: msg} }

// BadUserInput: field (may be "") holds a value the operation refuses.
func BadUserInput(field, msg string) *Error {
	return &Error{Code: CodeBadUserInput, Field: field, Message: msg}
}

// NotFound: the thing asked for does not exist (or the caller may not know it does).
func NotFound(msg string) *Error { return &Error{Code: CodeNotFound, Message: msg} }

// Conflict: the operation clashes with the current state (duplicate, stale version).
func Conflict(msg string) *Error { return &Error{Code: CodeConflict, Message: msg} }

// InsufficientFunds: a balance is too low for the operation.
func InsufficientFunds(msg string) *Error { return &Error{Code: CodeInsufficientFunds, Message: msg} }

// RateLimited: too many attempts; retry after the given duration.
func RateLimited(msg string, retryAfter time.Duration) *Error {
	return &Error{Code: CodeRateLimited, Message: msg, RetryAfter: retryAfter}
}

// Internal wraps an unexpected failure; the client sees only "internal error".
func Internal(cause error) *Error {
	return &Error{Code: CodeInternal, Message: "internal error", Cause: cause}
}

// CodeOf returns the code of the first *Error in err's chain, CodeInternal when there is
// none, and "" for a nil error.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
