// Package inventory is a test subgraph for Federation v2 features: a compound key,
// @override, a @shareable field, a union across subgraphs, a resolvable: false
// reference and @interfaceObject.
package inventory

import (
	"net/http"

	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/gqlserver"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/inventory/graph"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/inventory/graph/generated"
)

// NewHandler returns the inventory subgraph's GraphQL handler.
func NewHandler() http.Handler {
	return gqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: graph.NewResolver()}))
}
