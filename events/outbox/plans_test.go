package outbox_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/outbox"
)

// A relay's statements keep reading the outbox by index after the table grows past the
// size their plans were cached at. The outbox is analysed empty at migration; a relay
// that starts on a small table caches, after five rounds, a generic plan for marking
// (or deleting) its rows by seq, and with statistics that still say "empty" that plan
// was a sequential scan: measured in outbox-bench's sustained run, one DELETE took 5 s
// at a 200k-row outbox and the relay fell from 2,700 to 200 events/s until autovacuum
// happened to analyse the table. Here one connection runs the rounds (plans are cached
// per connection), the table then grows by 50,000 sent rows, and the next round must
// not scan it sequentially (pg_stat_user_tables, flushed by the relay's own backend).
func TestRelay_roundsStayIndexScansAfterTheOutboxGrowsPastItsCachedPlans(t *testing.T) {
	for _, deleteSent := range []bool{false, true} {
		t.Run(fmt.Sprintf("deleteSent=%t", deleteSent), func(t *testing.T) {
			shared, brokers, topic := setup(t)
			ctx := context.Background()
			cfg := shared.Config().Copy()
			cfg.MinConns, cfg.MaxConns = 1, 1
			pool, err := pgxpool.NewWithConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			r := relay(t, pool, producer(t, brokers), outbox.RelayConfig{DeleteSent: deleteSent})
			ob := outbox.New(outbox.WithoutNotify())
			round := func(n int) {
				t.Helper()
				commit(t, shared, ob, newEvent(t, topic, fmt.Sprintf("order-%d", n), n), newEvent(t, topic, fmt.Sprintf("order-%d", n+1), n+1))
				got, err := r.RelayOnce(ctx)
				if err != nil || got != 2 {
					t.Fatalf("round %d: relayed %d, %v; want 2", n, got, err)
				}
			}
			for i := range 8 { // past the plan cache's five custom plans
				round(2 * i)
			}
			if _, err := shared.Exec(ctx, `INSERT INTO outbox (event_id, topic, subject, value, headers, sent_at)
				SELECT gen_random_uuid(), 't', 'order-' || (i % 1000), '\x00', '{}', now() FROM generate_series(1, 50000) i`); err != nil {
				t.Fatal(err)
			}
			seqScans := func() int64 {
				t.Helper()
				// The relay's backend flushes its table statistics before it answers.
				if _, err := pool.Exec(ctx, `SELECT pg_stat_force_next_flush()`); err != nil {
					t.Fatal(err)
				}
				var n int64
				if err := shared.QueryRow(ctx, `SELECT coalesce(seq_scan, 0) FROM pg_stat_user_tables
					WHERE schemaname = current_schema() AND relname = 'outbox'`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := seqScans()
			round(100)
			if after := seqScans(); after != before {
				t.Fatalf("the round after the outbox grew to 50,000 rows scanned it sequentially %d time(s): a plan cached on the small table", after-before)
			}
		})
	}
}
