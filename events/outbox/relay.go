package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"
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
	// ClaimPartitions caps the subject partitions (of 32) one round claims (default all).
	// Below 32, several relays take a share each and publish side by side (a lone relay
	// then covers every partition over consecutive rounds); at 32 the first relay to
	// start a round takes every free partition and the others stand by.
	ClaimPartitions int
	// PollInterval is the fallback wake-up when no NOTIFY arrives (default 500ms).
	PollInterval time.Duration
	// PublishTimeout bounds one round's publish (default 10s).
	PublishTimeout time.Duration
	// Retention keeps sent rows this long before deleting them (default 24h).
	Retention time.Duration
	// DeleteSent deletes each row once Kafka acknowledged it, in the round's transaction,
	// instead of marking it sent (Retention then has nothing to keep). Deleting only ends
	// the row's version; marking writes a new one into two indexes (2-6 ms against 55-85 ms
	// per 1,000 rows, measured). Leave it off where something reads sent rows.
	DeleteSent bool
	// Workers is how many rounds Run keeps in flight (default 2), each over its share of
	// the partitions and on a connection of its own: one worker's database work overlaps
	// another's wait for Kafka.
	Workers int
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

	// turn is the partition the next round tries first; each round moves it past the
	// partitions it asked for, so consecutive rounds cover all of them.
	turn atomic.Uint32

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
	if cfg.ClaimPartitions <= 0 || cfg.ClaimPartitions > claimPartitionCount {
		cfg.ClaimPartitions = claimPartitionCount
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
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
	r := &Relay{pool: pool, pub: pub, cfg: cfg, log: log.With("component", "outbox.relay")}
	// Relays start their turns at different partitions so they seldom contend.
	r.turn.Store(rand.Uint32N(claimPartitionCount))
	return r, nil
}

// claimPartitionCount is the number of subject partitions; migration 0002 computes each
// row's partition (part) with the same number.
const claimPartitionCount = 32

// claimPartitions locks, without waiting, up to $3 partitions no other relay of this schema
// is publishing, trying them in turn from partition $2. The locks are transaction-scoped:
// they end with the round, and with the process if it dies. The first key names the
// schema, so relays of other producers sharing the database do not exclude each other.
//
// It also fixes, for the rest of the round's transaction, the plan of selectClaimed: one
// ordered index range per partition (no sort, no bitmap scan), planned once (generic).
// Left to itself, the planner judges by statistics that lag the table: a freshly migrated
// outbox has been analysed empty, and with 100k rows arriving before autoanalyze it chose
// to read and sort every unsent row (1.5-2 s a round, measured) instead of merging a
// batch's worth of index entries (40-60 ms). Sequential scans are off too, for the mark
// (or delete) by seq: its generic plan, cached after five rounds on a small table that the
// statistics call empty, was a sequential scan, and stayed one as the table grew (one
// DELETE took 5 s at 200k rows, measured; the relay fell to 200 events/s).
const claimPartitions = `
SELECT set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true),
  set_config('enable_seqscan', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true),
  (SELECT coalesce(array_agg(p), '{}') FROM (
    SELECT p FROM (SELECT (s + $2) % $1 AS p FROM generate_series(0, $1 - 1) s) turn
    WHERE pg_try_advisory_xact_lock(hashtext('dizhtime.outbox:' || current_schema()), p)
    LIMIT $3) claimed)`

// selectClaimed reads the oldest unsent rows of the claimed partitions in seq order. It is
// one sorted branch per partition under a merge (a branch whose partition is not claimed
// is switched off by its one-time filter), so Postgres reads about $2 index entries
// whatever the backlog; a single "part = ANY($1) ORDER BY seq" would sort every unsent row
// of the claimed partitions.
var selectClaimed = func() string {
	var b strings.Builder
	b.WriteString("SELECT seq, topic, subject, value, headers FROM (\n")
	for p := range claimPartitionCount {
		if p > 0 {
			b.WriteString("  UNION ALL\n")
		}
		fmt.Fprintf(&b, "  (SELECT seq, topic, subject, value, headers FROM outbox"+
			" WHERE sent_at IS NULL AND part = %d AND %d = ANY($1::int[]) ORDER BY seq LIMIT $2)\n", p, p)
	}
	b.WriteString(") claimed ORDER BY seq LIMIT $2")
	return b.String()
}()

// RelayOnce runs one round: claim, publish, mark sent. It returns how many events it
// published.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	return r.round(ctx, r.cfg.ClaimPartitions)
}

// round is RelayOnce claiming up to share partitions.
func (r *Relay) round(ctx context.Context, share int) (int, error) {
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("outbox relay: begin: %w", err)
	}
	// Rolling back releases the claim; a killed process gets the same from Postgres.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()

	var (
		parts   []int32
		setting string
	)
	if err := tx.QueryRow(ctx, claimPartitions, claimPartitionCount, r.nextPartition(share), share).
		Scan(&setting, &setting, &setting, &setting, &parts); err != nil {
		return 0, fmt.Errorf("outbox relay: claim: %w", err)
	}
	if len(parts) == 0 {
		return 0, tx.Commit(ctx)
	}
	// A statement of its own: its snapshot is taken after the locks were granted, so it
	// sees every row the previous holder of a partition marked sent.
	rows, _ := tx.Query(ctx, selectClaimed, parts, r.cfg.BatchSize)
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
		if err := gojson.Unmarshal(encodedHeaders, &h); err != nil {
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
	mark := `UPDATE outbox SET sent_at = now() WHERE seq = ANY($1)`
	if r.cfg.DeleteSent {
		mark = `DELETE FROM outbox WHERE seq = ANY($1)`
	}
	if _, err := tx.Exec(ctx, mark, seqs); err != nil {
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

// cleanupSQL deletes up to 10,000 of the oldest rows (by seq, the primary key) that were
// sent more than $1 seconds ago, stopping at the first row that is unsent or sent more
// recently: rows are sent about in seq order, so the walk reads about the rows it deletes
// and needs no index on sent_at (which every mark would have to write). A row stuck
// unsent keeps the sent rows after it until it goes.
const cleanupSQL = `DELETE FROM outbox WHERE seq IN (
	SELECT seq FROM outbox
	WHERE seq < coalesce((SELECT seq FROM outbox WHERE sent_at IS NULL OR sent_at >= now() - make_interval(secs => $1)
		ORDER BY seq LIMIT 1), 9223372036854775807)
	ORDER BY seq LIMIT 10000)`

// nextPartition returns the partition a round of share partitions starts from and
// advances the turn past them.
func (r *Relay) nextPartition(share int) int32 {
	step := uint32(share)
	return int32((r.turn.Add(step) - step) % claimPartitionCount)
}

// workerShare is how many partitions a round of one of Run's workers claims.
func (r *Relay) workerShare() int {
	return min(r.cfg.ClaimPartitions, (claimPartitionCount+r.cfg.Workers-1)/r.cfg.Workers)
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

// Run relays until ctx ends, then returns nil, with RelayConfig.Workers rounds in flight.
// Failed rounds are retried with bounded exponential backoff; their events stay in the
// outbox meanwhile.
func (r *Relay) Run(ctx context.Context) error {
	var schema string
	if err := r.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("outbox relay: %w", err)
	}
	wakes := make([]chan struct{}, r.cfg.Workers)
	for i := range wakes {
		wakes[i] = make(chan struct{}, 1)
	}
	if !r.cfg.NoListen {
		go r.listen(ctx, schema, wakes)
	}
	var wg sync.WaitGroup
	for i, wake := range wakes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx, schema, i == 0, wake)
		}()
	}
	wg.Wait()
	return nil
}

// work is one of Run's workers: rounds over its share of the partitions until ctx ends.
// The housekeeper also refreshes the backlog gauges and deletes old sent rows.
func (r *Relay) work(ctx context.Context, schema string, housekeeper bool, wake <-chan struct{}) {
	share := r.workerShare()
	roundsPerTurn := (claimPartitionCount + share - 1) / share
	poll := time.NewTimer(0)
	defer poll.Stop()
	var (
		failures    int
		idleRounds  int
		lastBacklog time.Time
		lastCleanup = time.Now()
	)
	for {
		n, err := r.round(ctx, share)
		if ctx.Err() != nil {
			return
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
		if housekeeper && r.cfg.Metrics != nil && time.Since(lastBacklog) >= r.cfg.BacklogInterval {
			lastBacklog = time.Now()
			if count, age, err := r.Backlog(ctx); err == nil {
				r.cfg.Metrics.backlog.WithLabelValues(schema).Set(float64(count))
				r.cfg.Metrics.oldestAge.WithLabelValues(schema).Set(age.Seconds())
			}
		}
		if housekeeper && time.Since(lastCleanup) >= time.Minute {
			lastCleanup = time.Now()
			if _, err := r.pool.Exec(ctx, cleanupSQL, r.cfg.Retention.Seconds()); err != nil && ctx.Err() == nil {
				r.log.WarnContext(ctx, "outbox clean-up failed", "error", err)
			}
		}
		if err == nil && n > 0 {
			idleRounds = 0
			continue // probably more waiting
		}
		if err == nil {
			if idleRounds++; idleRounds < roundsPerTurn {
				continue // the other partitions may have work
			}
			idleRounds = 0
		}
		poll.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-wake:
			if err != nil { // keep the backoff after a failure
				select {
				case <-ctx.Done():
					return
				case <-poll.C:
				}
			}
		case <-poll.C:
		}
	}
}

// listen turns NOTIFYs from Add into wake-ups, reconnecting with backoff.
func (r *Relay) listen(ctx context.Context, schema string, wake []chan struct{}) {
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

func (r *Relay) listenOnce(ctx context.Context, schema string, wake []chan struct{}, connected func()) error {
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
		for _, w := range wake {
			select {
			case w <- struct{}{}:
			default:
			}
		}
	}
}
