package core

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sync/singleflight"
)

// inboundDedup answers identical queries that are in flight at the same time with one
// execution (config deduplication.inbound). Two requests are identical when everything
// that can change the answer is the same: the engine (a new supergraph is a new
// engine), the operation text and name, the variables, the caller's identity (user and
// roles, which reach subgraphs as headers and in the signed service token), the client
// address (signed into the service token as cip) and the client headers forwarded to
// subgraphs. Only queries are shared; mutations and subscriptions never are.
//
// The shared execution runs detached from the first caller's cancellation (bounded by
// limits.request_timeout and the subgraph timeouts), so a client that goes away does
// not fail the others waiting for the same answer; each caller still stops waiting
// when its own request ends.
//
// golang.org/x/sync/singleflight does the grouping: it is the standard library's own
// (net uses it for DNS) and does exactly "one call per key in flight".
type inboundDedup struct {
	group   singleflight.Group
	metrics *Metrics
}

// executionAnswer is what an execution of a query or mutation produced: either a body
// (status 200) or errors to write with status.
type executionAnswer struct {
	status int
	body   []byte
	errs   []clientError
	// code is the first error code ("" when none), for metrics and the span.
	code string
	// requestError: errs are the engine's refusal of the request itself (variables it
	// cannot coerce, validation), no execution result.
	requestError bool
}

// do runs exec once for every caller with the same key in flight, and reports whether
// this caller got an answer another request started.
func (d *inboundDedup) do(ctx context.Context, key string, exec func(context.Context) executionAnswer) (executionAnswer, bool) {
	ch := d.group.DoChan(key, func() (any, error) {
		return exec(context.WithoutCancel(ctx)), nil
	})
	select {
	case res := <-ch:
		if res.Shared {
			d.metrics.inboundCoalesced()
		}
		return res.Val.(executionAnswer), res.Shared
	case <-ctx.Done():
		return executionAnswer{status: 499, errs: []clientError{newError(CodeRequestTimeout, "the request ended before its answer was ready")}, code: CodeRequestTimeout}, false
	}
}

// dedupKey is the identity of a query's answer (see inboundDedup).
func dedupKey(eng *Engine, operationName, query string, variables []byte, st *requestState) string {
	var b strings.Builder
	b.Grow(len(query) + len(variables) + 128)
	fmt.Fprintf(&b, "%p\x00%d:%s\x00%d:%s\x00%d:", eng, len(operationName), operationName, len(query), query, len(variables))
	b.Write(variables)
	writeCallerKey(&b, st)
	return b.String()
}

// writeCallerKey adds what the router sends a subgraph on the caller's behalf: the
// client address and identity (signed into the service token, and the identity
// headers) and the forwarded client headers.
func writeCallerKey(b *strings.Builder, st *requestState) {
	if st != nil {
		b.WriteString("\x00ip:")
		b.WriteString(st.clientIP)
		if st.identity != nil {
			fmt.Fprintf(b, "\x00user:%d:%s\x00roles:%d", len(st.identity.UserID), st.identity.UserID, len(st.identity.Roles))
			for _, r := range st.identity.Roles {
				fmt.Fprintf(b, ":%d:%s", len(r), r)
			}
		} else {
			b.WriteString("\x00anonymous")
		}
		names := make([]string, 0, len(st.forward))
		for k := range st.forward {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(b, "\x00h:%s:%d", k, len(st.forward[k]))
			for _, v := range st.forward[k] {
				fmt.Fprintf(b, ":%d:%s", len(v), v)
			}
		}
		return
	}
	b.WriteString("\x00no caller")
}
