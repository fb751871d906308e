package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/kafka"
)

// Publisher sends messages to Kafka and returns once they are acknowledged
// (*kafka.Producer).
type Publisher interface {
	Publish(ctx context.Context, msgs ...kafka.Message) error
}

// RelayConfig tunes a Relay; zero values take the defaults.
type RelayConfig struct {
	// BatchSize caps the events published per round (default 500).
	BatchSize int
	// PollInterval is the fallback wake-up when no NOTIFY arrives (default 500ms).
	PollInterval time.Duration
	// PublishTimeout bounds one round's publish (default 10s).
	PublishTimeout time.Duration
	// Retention keeps sent rows this long before deleting them (default 24h).
	Retention time.Duration
	// NoListen turns LISTEN/NOTIFY off: the relay only polls.
	NoListen bool
	// BacklogInterval is how often the backlog gauges are refreshed (default 5s).
	BacklogInterval time.Duration
	Metrics         *Metrics
	Logger          *slog.Logger
}

// Relay publishes committed outbox rows to Kafka. Any number may run against one schema.
type Relay struct {
	pool *pgxpool.Pool
	pub  Publisher
	cfg  RelayConfig
	log  *slog.Logger

	// hook, set only by tests, runs at the named points of a round; an error aborts the
	// round there as if the process had died.
	hook func(ctx context.Context, point string) error
}

// NewRelay returns a relay for the outbox in pool's schema.
func NewRelay(pool *pgxpool.Pool, pub Publisher, cfg RelayConfig) (*Relay, error) {
	if pool == nil || pub == nil {
		return nil, errors.New("outbox relay: pool and publisher are required")
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 500 * time.Millisecond
	}
	if cfg.PublishTimeout <= 0 {
		cfg.PublishTimeout = 10 * time.Second
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 24 * time.Hour
	}
	if cfg.BacklogInterval <= 0 {
		cfg.BacklogInterval = 5 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Relay{pool: pool, pub: pub, cfg: cfg, log: log.With("component", "outbox.relay")}, nil
}

// claimHeads locks the oldest unsent row of subjects no other relay is publishing.
const claimHeads = `
SELECT o.subject FROM outbox o
WHERE o.sent_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.subject = o.subject AND p.sent_at IS NULL AND p.seq < o.seq)
ORDER BY o.seq
LIMIT $1
FOR UPDATE SKIP LOCKED`

const selectClaimed = `
SELECT seq, topic, subject, value, headers FROM outbox
WHERE sent_at IS NULL AND subject = ANY($1)
ORDER BY seq
LIMIT $2`

// RelayOnce runs one round: claim, publish, mark sent. It returns how many events it
// published.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("outbox relay: begin: %w", err)
	}
	// Rolling back releases the claim; a killed process gets the same from Postgres.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()

	rows, _ := tx.Query(ctx, claimHeads, r.cfg.BatchSize)
	subjects, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("outbox relay: claim: %w", err)
	}
	if len(subjects) == 0 {
		return 0, tx.Commit(ctx)
	}
	rows, _ = tx.Query(ctx, selectClaimed, subjects, r.cfg.BatchSize)
	var (
		seqs []int64
		msgs []kafka.Message
	)
	var (
		seq                   int64
		topic, subject        string
		value, encodedHeaders []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&seq, &topic, &subject, &value, &encodedHeaders}, func() error {
		var h map[string]string
		if err := json.Unmarshal(encodedHeaders, &h); err != nil {
			return fmt.Errorf("row %d headers: %w", seq, err)
		}
		seqs = append(seqs, seq)
		msgs = append(msgs, kafka.Message{Topic: topic, Key: []byte(subject), Value: value, Headers: h})
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("outbox relay: read claimed rows: %w", err)
	}
	if err := r.at(ctx, "claimed"); err != nil {
		return 0, err
	}

	spans := StartPublishSpans(ctx, relayTracer(), msgs)
	pubCtx, cancel := context.WithTimeout(ctx, r.cfg.PublishTimeout)
	err = r.pub.Publish(pubCtx, msgs...)
	cancel()
	spans.End(err)
	if err != nil {
		return 0, fmt.Errorf("outbox relay: %w", err)
	}
	if err := r.at(ctx, "published"); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE outbox SET sent_at = now() WHERE seq = ANY($1)`, seqs); err != nil {
		return 0, fmt.Errorf("outbox relay: mark %d sent: %w", len(seqs), err)
	}
	if err := r.at(ctx, "marked"); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("outbox relay: commit: %w", err)
	}
	return len(msgs), nil
}

func (r *Relay) at(ctx context.Context, point string) error {
	if r.hook == nil {
		return nil
	}
	return r.hook(ctx, point)
}

// Backlog counts unsent events and the age of the oldest.
func (r *Relay) Backlog(ctx context.Context) (int64, time.Duration, error) {
	var (
		n   int64
		age float64
	)
	err := r.pool.QueryRow(ctx, `SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
		FROM outbox WHERE sent_at IS NULL`).Scan(&n, &age)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox backlog: %w", err)
	}
	return n, time.Duration(age * float64(time.Second)), nil
}

// Run relays until ctx ends, then returns nil. Failed rounds are retried with bounded
// exponential backoff; their events stay in the outbox meanwhile.
func (r *Relay) Run(ctx context.Context) error {
	var schema string
	if err := r.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("outbox relay: %w", err)
	}
	wake := make(chan struct{}, 1)
	if !r.cfg.NoListen {
		go r.listen(ctx, schema, wake)
	}
	poll := time.NewTimer(0)
	defer poll.Stop()
	var (
		failures    int
		lastBacklog time.Time
		lastCleanup = time.Now()
	)
	for {
		n, err := r.RelayOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := r.cfg.PollInterval
		switch {
		case err != nil:
			failures++
			wait = min(50*time.Millisecond<<min(failures, 10), 10*time.Second)
			r.log.WarnContext(ctx, "outbox relay round failed; retrying", "error", err, "attempt", failures, "backoff", wait)
			if r.cfg.Metrics != nil {
				r.cfg.Metrics.failures.WithLabelValues(schema).Inc()
			}
		case n > 0:
			failures = 0
			if r.cfg.Metrics != nil {
				r.cfg.Metrics.published.WithLabelValues(schema).Add(float64(n))
			}
		default:
			failures = 0
		}
		if r.cfg.Metrics != nil && time.Since(lastBacklog) >= r.cfg.BacklogInterval {
			lastBacklog = time.Now()
			if count, age, err := r.Backlog(ctx); err == nil {
				r.cfg.Metrics.backlog.WithLabelValues(schema).Set(float64(count))
				r.cfg.Metrics.oldestAge.WithLabelValues(schema).Set(age.Seconds())
			}
		}
		if time.Since(lastCleanup) >= time.Minute {
			lastCleanup = time.Now()
			if _, err := r.pool.Exec(ctx, `DELETE FROM outbox WHERE seq IN
				(SELECT seq FROM outbox WHERE sent_at < now() - make_interval(secs => $1) LIMIT 10000)`,
				r.cfg.Retention.Seconds()); err != nil && ctx.Err() == nil {
				r.log.WarnContext(ctx, "outbox clean-up failed", "error", err)
			}
		}
		if err == nil && n >= r.cfg.BatchSize {
			continue // probably more waiting
		}
		poll.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
			if err != nil { // keep the backoff after a failure
				select {
				case <-ctx.Done():
					return nil
				case <-poll.C:
				}
			}
		case <-poll.C:
		}
	}
}

// listen turns NOTIFYs from Add into wake-ups, reconnecting with backoff.
func (r *Relay) listen(ctx context.Context, schema string, wake chan<- struct{}) {
	for attempt := 0; ctx.Err() == nil; attempt++ {
		err := r.listenOnce(ctx, schema, wake, func() { attempt = 0 })
		if ctx.Err() != nil {
			return
		}
		backoff := min(100*time.Millisecond<<min(attempt, 7), 10*time.Second)
		r.log.WarnContext(ctx, "outbox relay LISTEN failed; polling meanwhile", "error", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
	}
}

func (r *Relay) listenOnce(ctx context.Context, schema string, wake chan<- struct{}, connected func()) error {
	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	connected()
	defer func() {
		// Do not hand a listening connection back to the pool.
		if ctx.Err() == nil {
			_, _ = conn.Exec(context.WithoutCancel(ctx), "UNLISTEN "+notifyChannel)
		} else {
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload != schema {
			continue
		}
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}
