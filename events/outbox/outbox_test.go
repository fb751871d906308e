package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/internal/testenv"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/events/outbox"
)

// step is a test payload: the N-th event of its subject, on a per-test topic.
type step struct {
	topic string
	N     int `json:"n"`
}

func (s step) EventType() string { return s.topic }
func (s step) EventVersion() int { return 1 }

func newEvent(t testing.TB, topic, subject string, n int) events.Envelope {
	t.Helper()
	e, err := events.New(context.Background(), "outbox-test", subject, step{topic: topic, N: n})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func setup(t testing.TB) (*pgxpool.Pool, []string, string) {
	t.Helper()
	pool := testenv.Postgres(t)
	if err := outbox.Migrate(context.Background(), pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	brokers := testenv.Kafka(t)
	topic := testenv.Topics(t, brokers, 3, "outbox.test")[0]
	return pool, brokers, topic
}

func producer(t testing.TB, brokers []string) *kafka.Producer {
	p := kafka.NewProducer(brokers)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func relay(t testing.TB, pool *pgxpool.Pool, pub outbox.Publisher, cfg outbox.RelayConfig) *outbox.Relay {
	t.Helper()
	r, err := outbox.NewRelay(pool, pub, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// commit writes evs in one transaction together with a stand-in state change.
func commit(t testing.TB, pool *pgxpool.Pool, ob *outbox.Outbox, evs ...events.Envelope) {
	t.Helper()
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		return ob.Add(context.Background(), tx, evs...)
	})
	if err != nil {
		t.Fatalf("commit events: %v", err)
	}
}

func decode(t testing.TB, m kafka.Message) (events.Envelope, int) {
	t.Helper()
	e, err := events.FromMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	var s step
	if err := json.Unmarshal(e.Data, &s); err != nil {
		t.Fatal(err)
	}
	return e, s.N
}

func unsent(t testing.TB, pool *pgxpool.Pool) int {
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRelay_publishesCommittedEventsAndNothingFromRolledBackTransactions(t *testing.T) {
	pool, brokers, topic := setup(t)
	ctx := context.Background()
	ob := outbox.New()
	kept := newEvent(t, topic, "order-1", 1)
	commit(t, pool, ob, kept)
	rolledBack := newEvent(t, topic, "order-2", 1)
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Add(ctx, tx, rolledBack); err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback(ctx)

	r := relay(t, pool, producer(t, brokers), outbox.RelayConfig{})
	if n, err := r.RelayOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RelayOnce = %d, %v; want 1 event", n, err)
	}
	got := testenv.Collect(t, brokers, topic).WaitFor(t, 1, 30*time.Second)
	e, _ := decode(t, got[0])
	if e.ID != kept.ID || string(got[0].Key) != "order-1" || got[0].Headers[events.HeaderID] != kept.ID {
		t.Fatalf("published %s key %s, want %s key order-1", e.ID, got[0].Key, kept.ID)
	}
	if n := unsent(t, pool); n != 0 {
		t.Fatalf("%d rows still unsent after a successful round", n)
	}
	if n, err := r.RelayOnce(ctx); err != nil || n != 0 {
		t.Fatalf("second RelayOnce = %d, %v; want nothing left", n, err)
	}
}

var errCrash = errors.New("relay process died")

func TestRelay_crashAtAnyPointLosesNoEventAndDuplicatesCarryTheSameID(t *testing.T) {
	for _, c := range []struct {
		point      string
		deleteSent bool
	}{{"claimed", false}, {"published", false}, {"marked", false}, {"published", true}, {"marked", true}} {
		point, name := c.point, "crash after "+c.point
		if c.deleteSent {
			name += ", sent rows deleted"
		}
		t.Run(name, func(t *testing.T) {
			pool, brokers, topic := setup(t)
			ctx := context.Background()
			ob := outbox.New()
			want := map[string]events.Envelope{}
			for i := range 10 {
				e := newEvent(t, topic, "order-"+strconv.Itoa(i%3), i)
				want[e.ID] = e
				commit(t, pool, ob, e)
			}
			pub := producer(t, brokers)

			dying := relay(t, pool, pub, outbox.RelayConfig{DeleteSent: c.deleteSent})
			dying.SetHook(func(_ context.Context, p string) error {
				if p == point {
					return errCrash
				}
				return nil
			})
			if _, err := dying.RelayOnce(ctx); !errors.Is(err, errCrash) {
				t.Fatalf("crashing round returned %v", err)
			}
			if n := unsent(t, pool); n != 10 {
				t.Fatalf("after the crash %d rows are unsent, want all 10 (none may be marked)", n)
			}

			// The replacement relay runs on a fresh pool, as a restarted process would.
			restarted := relay(t, testenv.PostgresSchema(t, schemaOf(t, pool), false), pub, outbox.RelayConfig{DeleteSent: c.deleteSent})
			if n, err := restarted.RelayOnce(ctx); err != nil || n != 10 {
				t.Fatalf("restarted relay published %d, %v; want 10", n, err)
			}
			wantMsgs := 10
			if point != "claimed" {
				wantMsgs = 20 // everything was published once before the crash
			}
			got := testenv.Collect(t, brokers, topic).WaitFor(t, wantMsgs, 30*time.Second)
			first := map[string][]byte{}
			for _, m := range got {
				e, _ := decode(t, m)
				if _, ok := want[e.ID]; !ok {
					t.Fatalf("unexpected event %s", e.ID)
				}
				if prev, dup := first[e.ID]; dup && string(prev) != string(m.Value) {
					t.Errorf("duplicate of %s differs from the first copy", e.ID)
				}
				first[e.ID] = m.Value
			}
			if len(first) != len(want) {
				t.Fatalf("%d distinct events arrived, want %d: events were lost", len(first), len(want))
			}
			if n := unsent(t, pool); n != 0 {
				t.Fatalf("%d rows unsent after the restart", n)
			}
			var rows int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 10, true: 0}[c.deleteSent]; rows != want {
				t.Fatalf("%d rows left in the outbox, want %d (deleteSent %t)", rows, want, c.deleteSent)
			}
		})
	}
}

func schemaOf(t testing.TB, pool *pgxpool.Pool) string {
	var s string
	if err := pool.QueryRow(context.Background(), `SELECT current_schema()`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Two relays share one outbox while producers write concurrently: every event arrives
// once, and each aggregate's events arrive in the order they were committed.
func TestRelay_twoRelaysKeepPerAggregateOrderAndDoNotDoublePublish(t *testing.T) {
	pool, brokers, topic := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := producer(t, brokers)
	col := testenv.Collect(t, brokers, topic)
	var wg sync.WaitGroup
	for i := range 2 {
		r := relay(t, testenv.PostgresSchema(t, schemaOf(t, pool), false), pub,
			outbox.RelayConfig{BatchSize: 7 + i*10, PollInterval: 20 * time.Millisecond})
		wg.Add(1)
		go func() { defer wg.Done(); _ = r.Run(ctx) }()
	}
	defer wg.Wait()
	defer cancel()

	const subjects, perSubject, writers = 6, 30, 4
	ob := outbox.New()
	if _, err := pool.Exec(ctx, `CREATE TABLE orders (id text PRIMARY KEY, version int NOT NULL DEFAULT 0);
		INSERT INTO orders (id) SELECT 'order-' || i FROM generate_series(0, 5) i`); err != nil {
		t.Fatal(err)
	}
	var pw sync.WaitGroup
	for w := range writers {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for i := range subjects * perSubject / writers {
				s := (w + i) % subjects
				subject := "order-" + strconv.Itoa(s)
				err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
					// As a real producer does: change the aggregate, then add its event.
					var n int
					if err := tx.QueryRow(ctx, `UPDATE orders SET version = version + 1 WHERE id = $1 RETURNING version`,
						subject).Scan(&n); err != nil {
						return err
					}
					return ob.Add(ctx, tx, newEvent(t, topic, subject, n-1))
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	pw.Wait()
	total := subjects * perSubject
	col.WaitFor(t, total, 60*time.Second)
	got := col.Settle(2 * time.Second)
	if len(got) != total {
		t.Errorf("got %d messages, want %d (no double publishing in steady state)", len(got), total)
	}
	last := map[string]int{}
	for _, m := range got {
		e, n := decode(t, m)
		if prev, ok := last[e.Subject]; ok && n != prev+1 {
			t.Errorf("%s: event %d arrived after %d", e.Subject, n, prev)
		}
		if _, ok := last[e.Subject]; !ok && n != 0 {
			t.Errorf("%s: first event to arrive is %d, want 0", e.Subject, n)
		}
		last[e.Subject] = n
	}
}

func TestRelay_reportsTheBacklogAsPrometheusGauges(t *testing.T) {
	pool, brokers, topic := setup(t)
	reg := prometheus.NewRegistry()
	m, err := outbox.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	ob := outbox.New()
	for i := range 5 {
		commit(t, pool, ob, newEvent(t, topic, fmt.Sprintf("order-%d", i), 0))
	}
	failing := relay(t, pool, publisherFunc(func(context.Context, ...kafka.Message) error { return errors.New("kafka down") }),
		outbox.RelayConfig{Metrics: m, BacklogInterval: time.Millisecond, PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	_ = failing.Run(ctx)
	cancel()
	if got := testutil.ToFloat64(m.BacklogGauge(schemaOf(t, pool))); got != 5 {
		t.Fatalf("backlog gauge = %v while Kafka is down, want 5", got)
	}

	ok := relay(t, pool, producer(t, brokers), outbox.RelayConfig{Metrics: m, BacklogInterval: time.Millisecond, PollInterval: 10 * time.Millisecond})
	ctx, cancel = context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	go func() { _ = ok.Run(ctx) }()
	for testutil.ToFloat64(m.BacklogGauge(schemaOf(t, pool))) != 0 {
		if ctx.Err() != nil {
			t.Fatal("backlog gauge never returned to 0 once Kafka was back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	out, err := testutil.GatherAndCount(reg, "dizhtime_outbox_published_events_total", "dizhtime_outbox_relay_failures_total")
	if err != nil || out != 2 {
		t.Fatalf("published/failure counters: %d series, %v", out, err)
	}
}

type publisherFunc func(context.Context, ...kafka.Message) error

func (f publisherFunc) Publish(ctx context.Context, msgs ...kafka.Message) error {
	return f(ctx, msgs...)
}
