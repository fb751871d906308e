package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/dizhtime/dizhtime/platform/city"
)

// demoLoginsPatience is how long `dizhtime dev` keeps trying the demo logins: on a loaded
// laptop the embedded FerretDB or identity's password hashing can make the first attempts
// time out (SUBGRAPH_TIMEOUT, i/o timeout) although nothing is wrong.
const demoLoginsPatience = 5 * time.Minute

// permanentCodes are GraphQL error codes a retry cannot change: the demo accounts or the
// operations themselves are wrong, not the machine slow.
var permanentCodes = []string{"UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}

// demoLoginsAttempt bounds one attempt: a hung one is given up and tried again. Each request
// has its own 15 s already (city.Client); this bounds identity's commands and the whole,
// which on a first run writes the owner tuples of the 300 seeded restaurants.
const demoLoginsAttempt = 2 * time.Minute

// retrying runs attempt (each within perAttempt) until it succeeds, fails permanently, or
// patience runs out, with
// exponential backoff (cenkalti/backoff, which the router and events already use). Each
// failed attempt is said on progress, with what failed and when the next one starts; a
// GraphQL error carrying only codes a retry cannot change (permanentCodes) stops at once.
// The final error names the step, how many attempts were made and the last error.
func retrying[T any](ctx context.Context, step string, progress io.Writer, b backoff.BackOff, patience, perAttempt time.Duration, attempt func(context.Context) (T, error)) (T, error) {
	tries := 0
	v, err := backoff.Retry(ctx, func() (T, error) {
		tries++
		actx, cancel := context.WithTimeout(ctx, perAttempt)
		defer cancel()
		v, err := attempt(actx)
		if err != nil && ctx.Err() == nil && actx.Err() != nil {
			err = fmt.Errorf("no answer within %s: %w", perAttempt, err)
		}
		if err != nil && permanent(err) {
			return v, backoff.Permanent(err)
		}
		return v, err
	}, backoff.WithBackOff(b), backoff.WithMaxElapsedTime(patience),
		backoff.WithNotify(func(err error, next time.Duration) {
			fmt.Fprintf(progress, "[dev] %s: attempt %d failed (%v); the machine may be busy: trying again in %s\n",
				step, tries, err, next.Round(100*time.Millisecond))
		}))
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s failed after %d attempt(s) in up to %s (see the processes' logs): %w", step, tries, patience, err)
	}
	return v, nil
}

// permanent reports whether err is a GraphQL error whose every code is one a retry cannot
// change; anything else (timeouts, SUBGRAPH_TIMEOUT, INTERNAL, a refused connection) may
// pass on a second try.
func permanent(err error) bool {
	var gqlErr *city.GraphQLError
	if !errors.As(err, &gqlErr) || len(gqlErr.Codes) == 0 {
		return false
	}
	for _, c := range gqlErr.Codes {
		if !slices.Contains(permanentCodes, c) {
			return false
		}
	}
	return true
}

// devBackOff is the backoff between attempts of a start-up step: soon at first, then up to
// 10 s apart.
func devBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 500 * time.Millisecond
	b.MaxInterval = 10 * time.Second
	return b
}
