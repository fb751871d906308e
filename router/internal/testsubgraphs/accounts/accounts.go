// Package accounts is a test subgraph owning the User entity.
package accounts

import (
	"net/http"

	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/accounts/graph"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/accounts/graph/generated"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/gqlserver"
)

// NewHandler returns the accounts subgraph's GraphQL handler.
func NewHandler() http.Handler {
	return gqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: graph.NewResolver()}))
}
