// Package searchindex is a small full-text index abstraction with two backends: a real
// Elasticsearch node (go-elasticsearch/v8) for tests and production, and a Bleve index on
// disk for the laptop run. Both pass one contract test suite. The search subgraph builds its
// read model on it.
package searchindex

import (
	"context"
	"errors"
	"fmt"
	"regexp"
)

// FieldType says how a field is indexed.
type FieldType string

const (
	// Text is analysed full text: matched by words, typo-tolerant when asked.
	Text FieldType = "text"
	// Keyword is matched exactly (ids, tags, enum values).
	Keyword FieldType = "keyword"
)

// Mapping lists an index's fields and their types; fields not listed are stored, not indexed.
type Mapping map[string]FieldType

// Query finds documents whose Field matches Text, optionally allowing typos, restricted to
// documents whose keyword fields equal every Filters value.
type Query struct {
	Field   string
	Text    string
	Fuzzy   bool
	Filters map[string]string
	Limit   int
}

// Hit is one matching document, best first.
type Hit struct {
	ID     string
	Score  float64
	Source map[string]any
}

// Index is one named index on a backend.
type Index interface {
	// Put indexes doc under id, replacing any earlier version.
	Put(ctx context.Context, id string, doc map[string]any) error
	// PutMany indexes several documents in one round trip (a bulk request, a Bleve batch).
	PutMany(ctx context.Context, docs map[string]map[string]any) error
	// Delete removes id; deleting a missing id is not an error.
	Delete(ctx context.Context, id string) error
	// Refresh makes every earlier Put and Delete visible to Search.
	Refresh(ctx context.Context) error
	Search(ctx context.Context, q Query) ([]Hit, error)
	// Drop deletes the whole index.
	Drop(ctx context.Context) error
}

// ErrBadName is returned for index names that are not lowercase [a-z0-9_-].
var ErrBadName = errors.New("index name must match [a-z0-9][a-z0-9_-]*")

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func checkName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("index %q: %w", name, ErrBadName)
	}
	return nil
}

func (q Query) limit() int {
	if q.Limit <= 0 {
		return 10
	}
	return q.Limit
}
