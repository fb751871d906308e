package consumer

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/kafka"
)

// handleBatch is the kafka.BatchHandler of batch mode: each partition's messages in one
// transaction, the partitions side by side (or all of them in one, Config.OneTransaction;
// or, with Config.ShardKey, as many groups by key as there are partitions, side by side);
// nil commits every offset of the batch.
func (c *Consumer) handleBatch(ctx context.Context, msgs []kafka.Message) error {
	var (
		order []int
		parts = map[int][]fetched{}
		all   = make([]fetched, len(msgs))
	)
	for i, m := range msgs {
		all[i].msg = m
		all[i].env, all[i].err = events.FromMessage(m)
		if _, ok := parts[m.Partition]; !ok {
			order = append(order, m.Partition)
		}
		parts[m.Partition] = append(parts[m.Partition], all[i])
	}
	if len(order) == 1 || c.cfg.OneTransaction {
		return c.handlePartition(ctx, all)
	}
	groups := make([][]fetched, len(order))
	if c.cfg.ShardKey != nil {
		groups = c.shard(all, len(order))
	} else {
		for i, p := range order {
			groups[i] = parts[p]
		}
	}
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		if len(g) > 0 {
			wg.Go(func() { errs[i] = c.handlePartition(ctx, g) })
		}
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// fetched is a fetched message and its envelope, decoded once (err: it does not decode).
type fetched struct {
	msg kafka.Message
	env events.Envelope
	err error
}

// shard splits msgs into n groups by Config.ShardKey: a key goes, when first seen, to the
// group with the fewest messages so far, and its later messages follow it; each group
// keeps the order fetched. A message that does not decode goes to the first group.
func (c *Consumer) shard(msgs []fetched, n int) [][]fetched {
	groups := make([][]fetched, n)
	home := map[string]int{}
	for _, m := range msgs {
		g := 0
		if m.err == nil {
			key := c.cfg.ShardKey(m.env)
			var ok bool
			if g, ok = home[key]; !ok {
				for i := range groups {
					if len(groups[i]) < len(groups[g]) {
						g = i
					}
				}
				home[key] = g
			}
		}
		groups[g] = append(groups[g], m)
	}
	return groups
}

// handlePartition applies one partition's messages (offset order) in one transaction,
// or, when that fails, one by one through the per-message path (with OneTransaction,
// the messages of every partition fetched together, each partition's in offset order).
func (c *Consumer) handlePartition(ctx context.Context, msgs []fetched) error {
	evs := make([]events.Envelope, 0, len(msgs))
	for _, m := range msgs {
		if m.err != nil { // undecodable: the per-message path dead-letters it in its place
			return c.oneByOne(ctx, msgs)
		}
		evs = append(evs, m.env)
	}
	fresh, err := c.applyBatch(ctx, evs)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.log.WarnContext(ctx, "batch failed; handling its events one by one", "events", len(evs), "error", err)
		return c.oneByOne(ctx, msgs)
	}
	c.cfg.Metrics.outcomes(c.cfg.Name, c.cfg.Topic, "processed", fresh)
	c.cfg.Metrics.outcomes(c.cfg.Name, c.cfg.Topic, "duplicate", len(evs)-fresh)
	return nil
}

func (c *Consumer) oneByOne(ctx context.Context, msgs []fetched) error {
	for _, m := range msgs {
		if err := c.handle(ctx, m.msg); err != nil {
			return err
		}
	}
	return nil
}

const recordBatchSQL = `INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::text[])
	ON CONFLICT DO NOTHING RETURNING event_id`

// applyBatch records the events' ids in one statement and applies the new ones (each
// id once, in order) in the same transaction; it returns how many were new.
func (c *Consumer) applyBatch(ctx context.Context, evs []events.Envelope) (fresh int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	ids := make([]string, len(evs))
	links := make([]trace.Link, 0, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
		if sc := trace.SpanContextFromContext(e.ContextWithTrace(context.Background())); sc.IsValid() {
			links = append(links, trace.Link{SpanContext: sc})
		}
	}
	ctx, span := c.tracer.Start(ctx, c.cfg.Topic+" process batch",
		trace.WithSpanKind(trace.SpanKindConsumer), trace.WithLinks(links...),
		trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.destination.name", c.cfg.Topic),
			attribute.String("messaging.consumer.group.name", c.cfg.Name),
			attribute.Int("messaging.batch.message_count", len(evs)),
		))
	defer span.End()
	// Each fresh event also gets a "<topic> process" span in its own trace (linked to the
	// batch), as in the per-message path: a trace runs from the request that caused an
	// event through every consumer that handled it, batched or not.
	type processedEvent struct {
		ctx  context.Context
		span trace.Span
		id   string
	}
	var processed []processedEvent
	defer func() {
		for _, p := range processed {
			if err != nil {
				p.span.SetStatus(codes.Error, "batch rolled back")
			} else {
				// With the event's span: the line carries the producer's trace id.
				c.log.DebugContext(p.ctx, "event handled", "event_id", p.id, "outcome", "processed", "batch", len(evs))
			}
			p.span.End()
		}
	}()
	batchLink := trace.LinkFromContext(ctx)
	err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, recordBatchSQL, c.cfg.Name, ids)
		recorded, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("record %d events: %w", len(ids), err)
		}
		isNew := make(map[string]bool, len(recorded))
		for _, id := range recorded {
			isNew[id] = true
		}
		todo := make([]events.Envelope, 0, len(recorded))
		for _, e := range evs {
			if isNew[e.ID] {
				todo = append(todo, e)
				delete(isNew, e.ID) // a second copy in this batch is a duplicate
			}
		}
		fresh = len(todo)
		if len(todo) == 0 {
			return nil
		}
		eventCtx := make([]context.Context, len(todo))
		for i, e := range todo {
			var s trace.Span
			eventCtx[i], s = c.tracer.Start(e.ContextWithTrace(ctx), c.cfg.Topic+" process",
				trace.WithSpanKind(trace.SpanKindConsumer), trace.WithLinks(batchLink),
				trace.WithAttributes(
					attribute.String("messaging.system", "kafka"),
					attribute.String("messaging.operation.type", "process"),
					attribute.String("messaging.destination.name", c.cfg.Topic),
					attribute.String("messaging.consumer.group.name", c.cfg.Name),
					attribute.String("messaging.message.id", e.ID),
				))
			processed = append(processed, processedEvent{ctx: eventCtx[i], span: s, id: e.ID})
			// What the handler builds from the event (its writes, the events it publishes)
			// continues from that span.
			todo[i].TraceParent, todo[i].TraceState = events.TraceOf(eventCtx[i])
		}
		if c.cfg.BatchHandler != nil {
			return c.cfg.BatchHandler(ctx, tx, todo)
		}
		for i, e := range todo {
			if err := c.h(eventCtx[i], tx, e); err != nil {
				return fmt.Errorf("event %s: %w", e.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "batch rolled back")
	}
	return fresh, err
}
