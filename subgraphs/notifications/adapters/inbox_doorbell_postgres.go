package adapters

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
)

// InboxDoorbell rings app.Hub for every committed inbox entry: it LISTENs on InboxChannel,
// which InboxRepository.Record NOTIFYs inside the writing transaction. PostgreSQL delivers
// a NOTIFY only when that transaction commits, to every listening session, so every
// replica hears of every entry after it is readable. After a (re)connect it rings every
// live inbox, since doorbells sent while it was away are lost.
type InboxDoorbell struct {
	pool *pgxpool.Pool
	hub  *app.Hub
	log  *slog.Logger
}

// NewInboxDoorbell returns the doorbell.
func NewInboxDoorbell(pool *pgxpool.Pool, hub *app.Hub, log *slog.Logger) *InboxDoorbell {
	return &InboxDoorbell{pool: pool, hub: hub, log: log.With("component", "notifications.doorbell")}
}

// Run listens until ctx ends.
func (d *InboxDoorbell) Run(ctx context.Context) error {
	for attempt := 0; ctx.Err() == nil; attempt++ {
		err := d.listen(ctx, func() { attempt = 0 })
		if ctx.Err() != nil {
			return nil
		}
		wait := min(100*time.Millisecond<<min(attempt, 6), 5*time.Second)
		d.log.WarnContext(ctx, "inbox doorbell lost its connection; reconnecting", "error", err, "backoff", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	return nil
}

func (d *InboxDoorbell) listen(ctx context.Context, connected func()) error {
	pooled, err := d.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The session stays LISTENing: it is taken out of the pool and closed here.
	conn := pooled.Hijack()
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, `LISTEN `+InboxChannel); err != nil {
		return err
	}
	connected()
	d.hub.RingAll()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		d.hub.Ring(n.Payload)
	}
}
