// Package graph is identity's GraphQL port: thin resolvers over app.Application.
package graph

import "github.com/dizhtime/dizhtime/subgraphs/identity/app"

// Resolver is the root resolver.
type Resolver struct {
	App *app.Application
}
