// Package graph is the wallet's GraphQL port: thin resolvers over app.Application that
// check who may see or do what, translate to and from the domain, and map domain errors
// onto platform/graphqlerr codes.
package graph

import "github.com/dizhtime/dizhtime/subgraphs/wallet/app"

// Resolver is the root resolver.
type Resolver struct {
	App *app.Application
}
