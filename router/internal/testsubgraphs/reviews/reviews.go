// Package reviews is a test subgraph: reviews, a mutation, a subscription, and
// Product.shippingEstimate computed through @requires.
package reviews

import (
	"net/http"

	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/gqlserver"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/reviews/graph"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/reviews/graph/generated"
)

// Subgraph is the reviews subgraph with a view on its running subscriptions.
type Subgraph struct {
	http.Handler
	resolver *graph.Resolver
}

// New returns the reviews subgraph.
func New() *Subgraph {
	r := graph.NewResolver()
	return &Subgraph{
		Handler:  gqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: r})),
		resolver: r,
	}
}

// ActiveSubscriptions counts reviewAdded streams still running.
func (s *Subgraph) ActiveSubscriptions() int64 { return s.resolver.Subscriptions.Load() }
