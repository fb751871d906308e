// Package graph is the notifications GraphQL port: thin resolvers over app.Application.
package graph

import "github.com/dizhtime/dizhtime/subgraphs/notifications/app"

// Resolver is the root resolver.
type Resolver struct {
	App *app.Application
}
