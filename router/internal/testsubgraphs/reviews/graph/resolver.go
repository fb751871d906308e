// Package graph holds the reviews test subgraph's resolvers.
package graph

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/reviews/graph/model"
)

// Resolver serves reviews from an in-memory store.
type Resolver struct {
	Store *Store
	// Subscriptions counts reviewAdded streams still running, so tests can see
	// that a client leaving tears the upstream stream down.
	Subscriptions *atomic.Int64
	// Started counts reviewAdded streams ever started, so tests can see that
	// identical client subscriptions share one upstream stream.
	Started *atomic.Int64
}

// NewResolver returns a resolver with two fixture reviews.
func NewResolver() *Resolver {
	s := &Store{}
	s.Add("top-1", "1", "Love it")
	s.Add("top-2", "2", "Too big")
	return &Resolver{Store: s, Subscriptions: &atomic.Int64{}, Started: &atomic.Int64{}}
}

// productNames is what reviews knows of the products fixture's names: Review.product
// @provides the name, so the router asks reviews, not products, for it.
var productNames = map[string]string{"top-1": "Trilby", "top-2": "Fedora", "top-3": "Boater"}

// ProductRef is the product a review is about, with the name reviews provides.
func ProductRef(upc string) *model.Product {
	return &model.Product{Upc: upc, Name: productNames[upc]}
}

// Store keeps reviews in memory.
type Store struct {
	mu      sync.Mutex
	reviews []*model.Review
}

// Add stores a review and returns it.
func (s *Store) Add(upc, authorID, body string) *model.Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &model.Review{
		ID:      fmt.Sprintf("r%d", len(s.reviews)+1),
		Body:    body,
		Author:  &model.User{ID: authorID},
		Product: ProductRef(upc),
	}
	s.reviews = append(s.reviews, r)
	return r
}

// All returns every review, newest first.
func (s *Store) All() []*model.Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*model.Review, 0, len(s.reviews))
	for i := len(s.reviews) - 1; i >= 0; i-- {
		out = append(out, s.reviews[i])
	}
	return out
}

// ForProduct returns the reviews of one product.
func (s *Store) ForProduct(upc string) []*model.Review {
	return s.filter(func(r *model.Review) bool { return r.Product.Upc == upc })
}

// ByAuthor returns the reviews one user wrote.
func (s *Store) ByAuthor(id string) []*model.Review {
	return s.filter(func(r *model.Review) bool { return r.Author.ID == id })
}

func (s *Store) filter(keep func(*model.Review) bool) []*model.Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*model.Review
	for _, r := range s.reviews {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}
