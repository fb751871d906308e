package app

import (
	"context"
	"errors"

	"github.com/dizhtime/dizhtime/events"
)

// Ingestion writes batches of events into the store.
type Ingestion struct {
	store Store
}

// NewIngestion returns the ingestion into store.
func NewIngestion(store Store) (*Ingestion, error) {
	if store == nil {
		return nil, errors.New("analytics ingestion: store is required")
	}
	return &Ingestion{store: store}, nil
}

// Write stores every readable event of envs in one write and returns the unreadable ones
// (index -> UndecodableError) for the dead-letter topic. A store failure fails the whole
// batch (nothing is committed; the batch comes again, and the store's idempotency by
// event id keeps a partly written one from counting twice).
func (in *Ingestion) Write(ctx context.Context, envs []events.Envelope) (map[int]error, error) {
	b, bad := BatchOf(envs)
	if b.Len() == 0 {
		return bad, nil
	}
	return bad, in.store.Write(ctx, b)
}
