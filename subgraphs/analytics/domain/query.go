package domain

import (
	"errors"
	"fmt"
	"time"
)

// MaxRange bounds one query's time range: a dashboard asks for at most about a year.
const MaxRange = 400 * 24 * time.Hour

// Range is a half-open time range [From, To) and the time zone its buckets follow.
type Range struct {
	From, To time.Time
	Zone     *time.Location
}

// NewRange checks a range and its zone name (IANA, e.g. "Asia/Tashkent"; empty is UTC).
func NewRange(from, to time.Time, zone string) (Range, error) {
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return Range{}, InvalidError{Field: "timeZone", Msg: fmt.Sprintf("unknown time zone %q", zone)}
	}
	switch {
	case from.IsZero() || to.IsZero():
		return Range{}, InvalidError{Field: "range", Msg: "from and to are required"}
	case !to.After(from):
		return Range{}, InvalidError{Field: "range", Msg: "to must be after from"}
	case to.Sub(from) > MaxRange:
		return Range{}, InvalidError{Field: "range", Msg: "at most 400 days at once"}
	}
	return Range{From: from.UTC(), To: to.UTC(), Zone: loc}, nil
}

// Scope is whose figures a query reads: every restaurant (nil; admins only) or these.
type Scope struct {
	RestaurantIDs []string
}

// All reports whether the scope is the whole platform.
func (s Scope) All() bool { return s.RestaurantIDs == nil }

// InvalidError is bad query input; it crosses the GraphQL boundary as BAD_USER_INPUT.
type InvalidError struct {
	Field, Msg string
}

func (e InvalidError) Error() string { return e.Field + ": " + e.Msg }

// IsInvalid reports whether err is an InvalidError.
func IsInvalid(err error) bool { return errors.As(err, &InvalidError{}) }
