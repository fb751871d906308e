package city

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SimStats count what the simulated city did. The order counts say how far orders got as
// their customers' tracking saw them: an order counts once for each status it reached, so
// placed >= paid >= accepted >= ready >= picked_up >= delivered, and the gaps are orders
// on their way (in_flight) or ended otherwise (failed). The courier counts are what drivers
// did with offers; errors are the calls that failed, by operation and GraphQL error code.
type SimStats struct {
	Placed, Paid, Accepted, Ready, PickedUp, Delivered, Failed atomic.Int64
	// InFlight is orders placed and not seen to end (delivered or failed): after a run,
	// the orders it left on their way. Skipped is orders not placed because MaxInFlight
	// were on their way.
	InFlight, Skipped atomic.Int64
	// Offers couriers received; Taken they accepted; Declined they turned down (orders
	// they had handed back before); HandedBack deliveries they gave up at the counter.
	Offers, Taken, Declined, HandedBack atomic.Int64

	deliveredIn atomic.Int64 // sum over delivered orders of placing-to-door, in ns

	mu       sync.Mutex
	ended    map[string]int64 // orders that ended without reaching the customer, by status
	failures map[string]int64 // "operation CODE[/CODE]" -> failed calls
}

// orderEnded reports whether status ends an order, and whether it ended at the customer.
func orderEnded(status string) (ended, delivered bool) {
	switch status {
	case "DELIVERED":
		return true, true
	case "PAYMENT_FAILED", "REJECTED", "CANCELLED", "DELIVERY_FAILED":
		return true, false
	}
	return false, false
}

// reached counts an order reaching status; took is how long since it was placed.
func (s *SimStats) reached(status string, took time.Duration) {
	switch status {
	case "PAID":
		s.Paid.Add(1)
	case "ACCEPTED":
		s.Accepted.Add(1)
	case "READY_FOR_PICKUP":
		s.Ready.Add(1)
	case "PICKED_UP":
		s.PickedUp.Add(1)
	case "DELIVERED":
		s.Delivered.Add(1)
		s.deliveredIn.Add(int64(took))
	}
	if ended, delivered := orderEnded(status); ended && !delivered {
		s.Failed.Add(1)
		s.mu.Lock()
		if s.ended == nil {
			s.ended = map[string]int64{}
		}
		s.ended[status]++
		s.mu.Unlock()
	}
}

// failed tallies one failed call and returns how many failed like it so far.
func (s *SimStats) failed(key string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures == nil {
		s.failures = map[string]int64{}
	}
	s.failures[key]++
	return s.failures[key]
}

// Errors returns the failed calls by operation and code.
func (s *SimStats) Errors() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.failures))
	for k, v := range s.failures {
		out[k] = v
	}
	return out
}

func (s *SimStats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "placed=%d paid=%d accepted=%d ready=%d picked_up=%d delivered=%d failed=%d in_flight=%d skipped=%d",
		s.Placed.Load(), s.Paid.Load(), s.Accepted.Load(), s.Ready.Load(), s.PickedUp.Load(), s.Delivered.Load(),
		s.Failed.Load(), s.InFlight.Load(), s.Skipped.Load())
	if n := s.Delivered.Load(); n > 0 {
		fmt.Fprintf(&b, " avg_to_door=%s", (time.Duration(s.deliveredIn.Load() / n)).Round(time.Second))
	}
	fmt.Fprintf(&b, " | offers=%d taken=%d declined=%d handed_back=%d",
		s.Offers.Load(), s.Taken.Load(), s.Declined.Load(), s.HandedBack.Load())
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ended) > 0 {
		b.WriteString(" | failed: ")
		b.WriteString(tally(s.ended))
	}
	if len(s.failures) > 0 {
		b.WriteString(" | errors: ")
		b.WriteString(tally(s.failures))
	}
	return b.String()
}

func tally(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// ErrorCodes are err's GraphQL error codes (the router's, then the subgraphs' it wraps,
// without repeats), or what kind of failure it was when no response carried codes:
// TIMEOUT, COMPLETED (the server ended a subscription) or TRANSPORT.
func ErrorCodes(err error) []string {
	var g *GraphQLError
	if errors.As(err, &g) {
		var codes []string
		for _, c := range g.Codes {
			if c != "" && !slices.Contains(codes, c) {
				codes = append(codes, c)
			}
		}
		if len(codes) > 0 {
			return codes
		}
		return []string{"NO_CODE"}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return []string{"TIMEOUT"}
	case errors.Is(err, io.EOF):
		return []string{"COMPLETED"}
	}
	return []string{"TRANSPORT"}
}

// hasCode reports whether err carries the GraphQL error code.
func hasCode(err error, code string) bool {
	return slices.Contains(ErrorCodes(err), code)
}

// retryable reports whether trying the same call again may work: not when the API said the
// caller may not, the thing is not there, the request itself is wrong, or the state does
// not allow the step (CONFLICT: an order that was rejected meanwhile stays rejected).
func retryable(err error) bool {
	for _, c := range ErrorCodes(err) {
		switch c {
		case "CONFLICT", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "BAD_REQUEST", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED":
			return false
		}
	}
	return true
}
