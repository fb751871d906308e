// Package graph is dispatch's GraphQL port: thin resolvers over app.Application and the
// live index's pub/sub feeds.
package graph

import (
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
)

// Resolver is the root resolver.
type Resolver struct {
	App  *app.Application
	Live *adapters.LiveIndex
}
