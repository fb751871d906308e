package app

import (
	"context"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

// Index is the search read model. Elasticsearch and Bleve implement it and pass one
// contract suite (adapters/index_contract_test.go).
type Index interface {
	// Update hands fn the stored document id (nil when there is none) and stores what
	// fn returns, atomically with respect to other updates of id: a concurrent change
	// makes Update call fn again with the newer document. When fn returns an error
	// (domain.ErrStale for an event that is not newer) nothing is stored and Update
	// returns that error.
	Update(ctx context.Context, id string, fn func(current *domain.Restaurant) (*domain.Restaurant, error)) error
	// Get returns the stored document id, or nil when there is none.
	Get(ctx context.Context, id string) (*domain.Restaurant, error)
	// Search returns the listed restaurants matching q: one page, the total and facets.
	// A hit's Restaurant carries ID, Name, Cuisines, Location, Promoted and Dishes (what
	// the queries read); an adapter may leave the other fields empty (Elasticsearch does:
	// decoding whole documents was most of its CPU). Suggest's restaurants likewise.
	Search(ctx context.Context, q domain.Query) (domain.Page, error)
	// Suggest returns up to limit listed restaurants having a word that starts with
	// prefix (lower-case) in their name, dishes or keywords, nearest and most relevant
	// first when near is given.
	Suggest(ctx context.Context, prefix string, near *domain.GeoPoint, limit int) ([]domain.Restaurant, error)
	// Refresh makes every stored change searchable now.
	Refresh(ctx context.Context) error
}

// BatchIndex is an Index that writes updates of many documents in one step (Bleve: one
// batch, one segment), which the projection uses to keep up with a burst of events.
type BatchIndex interface {
	Index
	// UpdateMany is Update for each of ids (distinct) in one write: fn gets each stored
	// document (nil when there is none); an id whose fn returns an error is not written,
	// and its error is returned under its id. The error returned alone is the write's.
	UpdateMany(ctx context.Context, ids []string, fn func(id string, current *domain.Restaurant) (*domain.Restaurant, error)) (map[string]error, error)
}

// Compactor is an Index that can merge what a bulk load wrote into one segment
// (Elasticsearch: a force merge; searching ten segments cost a third more CPU per search
// than one in the search bench). Rebuild compacts the fresh index before readers see it.
type Compactor interface {
	Compact(ctx context.Context) error
}

// Catalog creates physical indexes and points the alias the service reads and writes
// through at one of them.
type Catalog interface {
	// Create makes an empty physical index name with the search mapping.
	Create(ctx context.Context, name string) (Index, error)
	// SwapAlias points the alias at name in one atomic step and returns the index it
	// pointed at before ("" when none).
	SwapAlias(ctx context.Context, name string) (previous string, err error)
	// Drop deletes the physical index name.
	Drop(ctx context.Context, name string) error
}

// EventLog replays the restaurant topics from their beginning.
type EventLog interface {
	// ReadAll hands fn every event present on the restaurant topics when it is called.
	ReadAll(ctx context.Context, fn func(events.Envelope) error) error
}

// Metrics records what the projection does.
type Metrics interface {
	// Projected counts an event with its outcome ("applied", "stale", "ignored") and,
	// when applied, the lag from the event's time to the write being acknowledged.
	Projected(eventType, outcome string, lag time.Duration)
}

type noMetrics struct{}

func (noMetrics) Projected(string, string, time.Duration) {}
