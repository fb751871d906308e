package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dizhtime/dizhtime/events"
)

// rebuildBatch is how many replayed events one index write applies.
const rebuildBatch = 500

// RebuildReport says what a rebuild did.
type RebuildReport struct {
	Index    string
	Previous string
	Events   int
	CaughtUp int
	Took     time.Duration
}

// Rebuild replays the restaurant topics from the beginning into a fresh index named
// prefix-<unix nanos>, points the alias at it, replays once more so events the live
// consumer wrote to the old index while the first pass ran land in the new one too, and
// drops the old index. Readers see the old index until the swap and the complete new
// one after it; version checks make the second pass (and the live consumer writing
// through the alias meanwhile) harmless.
func Rebuild(ctx context.Context, catalog Catalog, log EventLog, prefix string, metrics Metrics) (RebuildReport, error) {
	if catalog == nil || log == nil {
		return RebuildReport{}, errors.New("rebuild: catalog and event log are required")
	}
	start := time.Now()
	rep := RebuildReport{Index: fmt.Sprintf("%s-%d", prefix, start.UnixNano())}
	fresh, err := catalog.Create(ctx, rep.Index)
	if err != nil {
		return rep, fmt.Errorf("rebuild: %w", err)
	}
	proj, err := NewProjection(fresh, metrics)
	if err != nil {
		return rep, err
	}
	// Events are applied in batches (one index write each, see HandleBatch).
	replay := func(n *int) error {
		var batch []events.Envelope
		flush := func() error {
			for i, err := range proj.HandleBatch(ctx, batch) {
				if err != nil && !errors.As(err, &UndecodableError{}) { // the live consumer dead-letters those
					return fmt.Errorf("event %s: %w", batch[i].ID, err)
				}
			}
			batch = batch[:0]
			return nil
		}
		err := log.ReadAll(ctx, func(e events.Envelope) error {
			*n++
			if batch = append(batch, e); len(batch) >= rebuildBatch {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		return flush()
	}
	if err := replay(&rep.Events); err != nil {
		_ = catalog.Drop(context.WithoutCancel(ctx), rep.Index)
		return rep, fmt.Errorf("rebuild %s: %w", rep.Index, err)
	}
	if err := fresh.Refresh(ctx); err != nil {
		return rep, fmt.Errorf("rebuild %s: %w", rep.Index, err)
	}
	if c, ok := fresh.(Compactor); ok {
		if err := c.Compact(ctx); err != nil {
			_ = catalog.Drop(context.WithoutCancel(ctx), rep.Index)
			return rep, fmt.Errorf("rebuild %s: compact: %w", rep.Index, err)
		}
	}
	if rep.Previous, err = catalog.SwapAlias(ctx, rep.Index); err != nil {
		_ = catalog.Drop(context.WithoutCancel(ctx), rep.Index)
		return rep, fmt.Errorf("rebuild %s: swap alias: %w", rep.Index, err)
	}
	if err := replay(&rep.CaughtUp); err != nil {
		return rep, fmt.Errorf("rebuild %s: catch up: %w", rep.Index, err)
	}
	if err := fresh.Refresh(ctx); err != nil {
		return rep, fmt.Errorf("rebuild %s: %w", rep.Index, err)
	}
	if rep.Previous != "" && rep.Previous != rep.Index {
		if err := catalog.Drop(ctx, rep.Previous); err != nil {
			return rep, fmt.Errorf("rebuild: drop %s: %w", rep.Previous, err)
		}
	}
	rep.Took = time.Since(start)
	return rep, nil
}
