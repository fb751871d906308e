// Package graph holds the inventory test subgraph's resolvers.
package graph

import "github.com/dizhtime/dizhtime/router/internal/testsubgraphs/inventory/graph/model"

// Resolver serves fixed stock levels.
type Resolver struct {
	Products []*model.Product
	// MediaCopies is the copies in stock per Media id.
	MediaCopies map[string]int
}

// NewResolver returns a resolver over the products fixture's three products (same upc,
// sku and weight as products: weight is @shareable) and the media "b1", "m1".
func NewResolver() *Resolver {
	return &Resolver{
		Products: []*model.Product{
			{Upc: "top-1", Sku: "SKU-1", Weight: 100, InStock: true, Warehouse: "Almaty"},
			{Upc: "top-2", Sku: "SKU-2", Weight: 200, InStock: true, Warehouse: "Astana"},
			{Upc: "top-3", Sku: "SKU-3", Weight: 300, InStock: false, Warehouse: "Almaty"},
		},
		MediaCopies: map[string]int{"b1": 3, "m1": 0},
	}
}

func (r *Resolver) find(upc, sku string) *model.Product {
	for _, p := range r.Products {
		if p.Upc == upc && p.Sku == sku {
			return p
		}
	}
	return nil
}
