// Package reviews is a test subgraph: reviews, a mutation, a subscription, and
// Product.shippingEstimate computed through @requires.
package reviews

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/gqlserver"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/reviews/graph"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/reviews/graph/generated"
)

// Subgraph is the reviews subgraph with a view on its running subscriptions.
type Subgraph struct {
	next     http.Handler
	resolver *graph.Resolver
	delay    atomic.Int64 // nanoseconds added before answering a plain HTTP request
}

// New returns the reviews subgraph.
func New() *Subgraph {
	r := graph.NewResolver()
	return &Subgraph{
		next:     gqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: r})),
		resolver: r,
	}
}

func (s *Subgraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := time.Duration(s.delay.Load()); d > 0 && r.Header.Get("Upgrade") == "" {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	s.next.ServeHTTP(w, r)
}

// SetDelay makes every later query or mutation wait d before it is answered, to play a
// slow subgraph.
func (s *Subgraph) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

// ActiveSubscriptions counts reviewAdded streams still running.
func (s *Subgraph) ActiveSubscriptions() int64 { return s.resolver.Subscriptions.Load() }

// SubscriptionsStarted counts reviewAdded streams ever started.
func (s *Subgraph) SubscriptionsStarted() int64 { return s.resolver.Started.Load() }
