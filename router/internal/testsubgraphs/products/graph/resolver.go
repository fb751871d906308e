// Package graph holds the products test subgraph's resolvers.
package graph

import "github.com/dizhtime/dizhtime/router/internal/testsubgraphs/products/graph/model"

// Resolver serves a fixed catalogue.
type Resolver struct {
	Products []*model.Product
	Media    []model.Media
}

// NewResolver returns a resolver over three fixture products (every inStock false:
// inventory overrides it) and two media.
func NewResolver() *Resolver {
	return &Resolver{Products: []*model.Product{
		{Upc: "top-1", Sku: "SKU-1", Name: "Trilby", Price: 11, Weight: 100, InternalCode: "T-001"},
		{Upc: "top-2", Sku: "SKU-2", Name: "Fedora", Price: 22, Weight: 200, InternalCode: "F-002"},
		{Upc: "top-3", Sku: "SKU-3", Name: "Boater", Price: 2000, Weight: 300, InternalCode: "B-003"},
	}, Media: []model.Media{
		&model.Book{ID: "b1", Title: "Abai Zholy", Pages: 1200},
		&model.Movie{ID: "m1", Title: "Kelin", Minutes: 85},
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

func (r *Resolver) findMedia(id string) model.Media {
	for _, m := range r.Media {
		if m.GetID() == id {
			return m
		}
	}
	return nil
}
