// Package graph holds the products test subgraph's resolvers.
package graph

import "github.com/dizhtime/dizhtime/router/internal/testsubgraphs/products/graph/model"

// Resolver serves a fixed catalogue.
type Resolver struct {
	Products []*model.Product
}

// NewResolver returns a resolver over three fixture products.
func NewResolver() *Resolver {
	return &Resolver{Products: []*model.Product{
		{Upc: "top-1", Name: "Trilby", Price: 11, Weight: 100},
		{Upc: "top-2", Name: "Fedora", Price: 22, Weight: 200},
		{Upc: "top-3", Name: "Boater", Price: 2000, Weight: 300},
	}}
}

func (r *Resolver) find(upc string) *model.Product {
	for _, p := range r.Products {
		if p.Upc == upc {
			return p
		}
	}
	return nil
}
