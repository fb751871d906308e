package outbox

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the outbox table in the pool's current schema.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return postgres.Migrate(ctx, pool, "outbox", sub)
}

// notifyChannel is the LISTEN/NOTIFY channel Add signals at commit; the payload is the
// schema, so relays of other producers sharing the database ignore it.
const notifyChannel = "dizhtime_outbox"

// subjectLockClass is the first key of the per-subject advisory lock ("OUTB").
const subjectLockClass = 0x4f555442

// Outbox writes events inside a producer's transaction.
type Outbox struct {
	notify bool
}

// Option configures an Outbox.
type Option func(*Outbox)

// WithoutNotify stops Add from waking relays at commit; they then find events by polling.
// NOTIFY takes a database-wide lock at commit, which only matters at very high commit
// rates.
func WithoutNotify() Option { return func(o *Outbox) { o.notify = false } }

// New returns an Outbox.
func New(opts ...Option) *Outbox {
	o := &Outbox{notify: true}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// Add stores evs in tx, the transaction that makes the state change they describe: they
// are published if and only if tx commits. It serializes with other transactions adding
// events for the same subjects until tx ends (see the package doc).
func (o *Outbox) Add(ctx context.Context, tx pgx.Tx, evs ...events.Envelope) error {
	if len(evs) == 0 {
		return nil
	}
	var (
		ids, topics, subjects []string
		values                [][]byte
		headers               []string
	)
	for _, e := range evs {
		m, err := e.Message()
		if err != nil {
			return fmt.Errorf("outbox add: %w", err)
		}
		h, err := json.Marshal(m.Headers)
		if err != nil {
			return fmt.Errorf("outbox add %s: headers: %w", e.ID, err)
		}
		ids, topics, subjects = append(ids, e.ID), append(topics, m.Topic), append(subjects, e.Subject)
		values, headers = append(values, m.Value), append(headers, string(h))
	}
	locks := slices.Clone(subjects)
	slices.Sort(locks)
	locks = slices.Compact(locks)

	b := &pgx.Batch{}
	b.Queue(`SELECT count(pg_advisory_xact_lock($1, hashtext(s))) FROM (SELECT unnest($2::text[]) AS s ORDER BY 1) x`,
		int32(subjectLockClass), locks)
	b.Queue(`INSERT INTO outbox (event_id, topic, subject, value, headers)
		SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[])`,
		ids, topics, subjects, values, headers)
	if o.notify {
		b.Queue(`SELECT pg_notify($1, current_schema())`, notifyChannel)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("outbox add %d events: %w", len(evs), err)
	}
	return nil
}
