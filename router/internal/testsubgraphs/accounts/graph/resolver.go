// Package graph holds the accounts test subgraph's resolvers.
package graph

import "github.com/dizhtime/dizhtime/router/internal/testsubgraphs/accounts/graph/model"

// Resolver serves a fixed set of users.
type Resolver struct {
	Users map[string]*model.User
}

// NewResolver returns a resolver over the fixture users "1" and "2", whose favourite
// products are references by sku only.
func NewResolver() *Resolver {
	return &Resolver{Users: map[string]*model.User{
		"1": {ID: "1", Name: "Ada Lovelace", Username: "ada", FavouriteProduct: &model.Product{Sku: "SKU-2"}},
		"2": {ID: "2", Name: "Alan Turing", Username: "alan", FavouriteProduct: &model.Product{Sku: "SKU-3"}},
	}}
}
