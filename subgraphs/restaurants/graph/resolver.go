// Package graph is the restaurants subgraph's GraphQL port: thin resolvers that
// translate between GraphQL models and app.Application.
package graph

import "github.com/dizhtime/dizhtime/subgraphs/restaurants/app"

// Resolver is the root resolver.
type Resolver struct {
	App *app.Application
}
