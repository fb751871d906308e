// Package graph is search's GraphQL port: the schema and thin resolvers over app.
package graph

import "github.com/dizhtime/dizhtime/subgraphs/search/app"

// Resolver serves the schema from the application's queries.
type Resolver struct {
	Queries *app.Queries
}
