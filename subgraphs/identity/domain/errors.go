package domain

import "errors"

// Domain errors; the app layer maps them to graphqlerr codes.
var (
	ErrUserNotFound      = errors.New("user not found")
	ErrEmailTaken        = errors.New("email is already registered")
	ErrUserDisabled      = errors.New("user is disabled")
	ErrRefreshNotFound   = errors.New("refresh token not found")
	ErrRefreshReused     = errors.New("refresh token was already used: family revoked")
	ErrRefreshRevoked    = errors.New("refresh token is revoked")
	ErrRefreshExpired    = errors.New("refresh token is expired")
	ErrNoSigningKey      = errors.New("no active signing key")
	ErrPasswordMismatch  = errors.New("password does not match")
	ErrMalformedPassHash = errors.New("password hash is malformed")
)

// InputError is a value a client sent that the rules refuse.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Message }

func invalid(field, msg string) error { return &InputError{Field: field, Message: msg} }
