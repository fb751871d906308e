// Package graph is the orders GraphQL port: thin resolvers over app.Application.
package graph

import "github.com/dizhtime/dizhtime/subgraphs/orders/app"

// Resolver is the root resolver.
type Resolver struct {
	App *app.Application
}
