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
//
// Why not a Kafka or Redis feed like orders' orderUpdated: the issue asks that any replica
// serve the live inbox and that it resume without gaps. Any replica: every replica LISTENs
// on the database all of them write, so an entry written by whichever replica consumed its
// event rings the subscribers on all of them. No gaps: the doorbell carries no data; the
// subscription reads the inbox table after the client's `since` cursor, so a lost doorbell
// only delays an entry until the next ring, the reconnect's ring-all or the live inbox's
// poll backstop. A Kafka feed would add an outbox relay hop and have every replica read
// every partition to learn what PostgreSQL tells it at commit. The cost: one dedicated
// connection per replica, not through a transaction-pooling proxy.
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
