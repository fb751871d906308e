// Package products is a test subgraph owning the Product entity's catalogue fields.
package products

import (
	"net/http"

	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/gqlserver"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/products/graph"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/products/graph/generated"
)

// NewHandler returns the products subgraph's GraphQL handler.
func NewHandler() http.Handler {
	return gqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: graph.NewResolver()}))
}
