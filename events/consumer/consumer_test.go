package consumer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/internal/testenv"
	"github.com/dizhtime/dizhtime/events/kafka"
)

type step struct {
	topic string
	N     int `json:"n"`
}

func (s step) EventType() string { return s.topic }
func (s step) EventVersion() int { return 1 }

type fixture struct {
	pool    *pgxpool.Pool
	brokers []string
	topic   string
	pub     *kafka.Producer
}

func setup(t *testing.T) fixture {
	t.Helper()
	pool := testenv.Postgres(t)
	ctx := context.Background()
	if err := consumer.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE effects (event_id text NOT NULL, n int NOT NULL, trace_id text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	brokers := testenv.Kafka(t)
	pub := kafka.NewProducer(brokers)
	t.Cleanup(func() { _ = pub.Close() })
	return fixture{pool: pool, brokers: brokers, topic: testenv.Topics(t, brokers, 3, "consumer.test")[0], pub: pub}
}

func (f fixture) event(t *testing.T, ctx context.Context, subject string, n int) (events.Envelope, kafka.Message) {
	t.Helper()
	e, err := events.New(ctx, "consumer-test", subject, step{topic: f.topic, N: n})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.Message()
	if err != nil {
		t.Fatal(err)
	}
	return e, m
}

func (f fixture) publish(t *testing.T, msgs ...kafka.Message) {
	t.Helper()
	if err := f.pub.Publish(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
}

// record is the handler's effect: one row per applied event.
func record(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
	var s step
	if err := json.Unmarshal(e.Data, &s); err != nil {
		return consumer.Permanent(err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO effects (event_id, n, trace_id) VALUES ($1, $2, $3)`,
		e.ID, s.N, trace.SpanContextFromContext(ctx).TraceID().String())
	return err
}

// start runs a consumer until the test ends.
func (f fixture) start(t *testing.T, cfg consumer.Config, h consumer.Handler) *consumer.Consumer {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = testenv.Name("consumer")
	}
	cfg.Brokers, cfg.Topic, cfg.StartAtBeginning = f.brokers, f.topic, true
	if cfg.InitialBackoff == 0 {
		cfg.InitialBackoff, cfg.MaxBackoff = 20*time.Millisecond, 100*time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := consumer.New(f.pool, f.pub, cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return c
}

type effect struct {
	EventID string
	N       int
	TraceID string
}

func (f fixture) effects(t *testing.T) []effect {
	t.Helper()
	rows, _ := f.pool.Query(context.Background(), `SELECT event_id, n, trace_id FROM effects ORDER BY n`)
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[effect])
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// waitEffects waits until the effects table holds want rows, then a little longer so a
// wrongly repeated effect would show.
func (f fixture) waitEffects(t *testing.T, want int) []effect {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for len(f.effects(t)) < want {
		if time.Now().After(deadline) {
			t.Fatalf("%d effects within 45s, want %d", len(f.effects(t)), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second)
	return f.effects(t)
}

func TestConsumer_appliesAnEventOnceHoweverOftenItIsDelivered(t *testing.T) {
	f := setup(t)
	var msgs []kafka.Message
	ids := map[string]bool{}
	for i := range 10 {
		e, m := f.event(t, context.Background(), "order-"+strconv.Itoa(i%4), i)
		ids[e.ID] = true
		// Each event arrives three times: as a relay duplicate would, or a redelivery.
		msgs = append(msgs, m, m, m)
	}
	f.publish(t, msgs...)
	name := testenv.Name("consumer")
	f.start(t, consumer.Config{Name: name}, record)
	got := f.waitEffects(t, 10)
	if len(got) != 10 {
		t.Fatalf("%d effects for 10 events delivered 3 times each", len(got))
	}
	// A second member of the same consumer, started later, sees the same ids as done.
	_, again := f.event(t, context.Background(), "order-x", 99)
	f.publish(t, msgs[0], again)
	f.start(t, consumer.Config{Name: name}, record)
	if got := f.waitEffects(t, 11); len(got) != 11 {
		t.Fatalf("%d effects after more redeliveries, want 11", len(got))
	}
}

func TestConsumer_retriesAFailingHandlerWithBackoffUntilItSucceeds(t *testing.T) {
	f := setup(t)
	_, m := f.event(t, context.Background(), "order-1", 1)
	f.publish(t, m)
	var attempts atomic.Int32
	var times []time.Time
	var mu sync.Mutex
	f.start(t, consumer.Config{MaxAttempts: 5, InitialBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
		func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
			mu.Lock()
			times = append(times, time.Now())
			mu.Unlock()
			if attempts.Add(1) < 3 {
				// The effect of a failed attempt is rolled back with the attempt.
				_ = record(ctx, tx, e)
				return errors.New("restaurant service unavailable")
			}
			return record(ctx, tx, e)
		})
	if got := f.waitEffects(t, 1); len(got) != 1 {
		t.Fatalf("%d effects, want exactly 1", len(got))
	}
	if attempts.Load() != 3 {
		t.Fatalf("%d attempts, want 3", attempts.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	if gap := times[1].Sub(times[0]); gap < 20*time.Millisecond {
		t.Fatalf("retried after %v: no backoff", gap)
	}
}

// deadLetter publishes a healthy event, a poison one and an undecodable message on one
// key, runs a consumer whose handler rejects the poison, and returns the dead letters.
func deadLetter(t *testing.T, f fixture, fixed *atomic.Bool) (poison events.Envelope, dlq []kafka.Message) {
	t.Helper()
	before, m1 := f.event(t, context.Background(), "order-1", 1)
	poison, m2 := f.event(t, context.Background(), "order-1", 13)
	after, m3 := f.event(t, context.Background(), "order-1", 3)
	garbage := kafka.Message{Topic: f.topic, Key: []byte("order-1"), Value: []byte("{not json")}
	f.publish(t, m1, m2, garbage, m3)
	f.start(t, consumer.Config{MaxAttempts: 3}, func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
		if e.ID == poison.ID && !fixed.Load() {
			return errors.New("menu item plov-xl does not exist")
		}
		return record(ctx, tx, e)
	})
	got := f.waitEffects(t, 2)
	if len(got) != 2 || got[0].EventID != before.ID || got[1].EventID != after.ID {
		t.Fatalf("effects %+v, want the events before and after the poison one", got)
	}
	col := testenv.Collect(t, f.brokers, consumer.DLQTopic(f.topic))
	return poison, col.WaitFor(t, 2, 30*time.Second)
}

func TestConsumer_parksAPoisonMessageOnTheDeadLetterTopicWithTheReason(t *testing.T) {
	f := setup(t)
	poison, dlq := deadLetter(t, f, new(atomic.Bool))
	var handlerFailure, undecodable *kafka.Message
	for i, m := range dlq {
		if m.Headers[events.HeaderID] == poison.ID {
			handlerFailure = &dlq[i]
		} else {
			undecodable = &dlq[i]
		}
	}
	if handlerFailure == nil || undecodable == nil {
		t.Fatalf("dead letters %v, want the poison event and the undecodable message", dlq)
	}
	h := handlerFailure.Headers
	if h[consumer.HeaderDLQReason] != "menu item plov-xl does not exist" || h[consumer.HeaderDLQAttempts] != "3" ||
		h[consumer.HeaderDLQOriginalTopic] != f.topic || h[consumer.HeaderDLQOriginalOffset] == "" ||
		h[consumer.HeaderDLQOriginalPartition] == "" || h[consumer.HeaderDLQConsumer] == "" {
		t.Fatalf("dead-letter headers %v", h)
	}
	if e, err := events.FromMessage(*handlerFailure); err != nil || e.ID != poison.ID {
		t.Fatalf("dead letter does not carry the original envelope: %v", err)
	}
	if r := undecodable.Headers[consumer.HeaderDLQReason]; r == "" || undecodable.Headers[consumer.HeaderDLQAttempts] != "0" {
		t.Fatalf("undecodable message dead-lettered with headers %v", undecodable.Headers)
	}
}

func TestReplay_republishesADeadLetterSoTheFixedConsumerAppliesItOnce(t *testing.T) {
	f := setup(t)
	fixed := new(atomic.Bool)
	poison, _ := deadLetter(t, f, fixed)
	fixed.Store(true)
	n, err := consumer.Replay(context.Background(), f.brokers, f.pub, consumer.DLQTopic(f.topic), poison.ID)
	if err != nil || n != 1 {
		t.Fatalf("Replay = %d, %v; want 1", n, err)
	}
	got := f.waitEffects(t, 3)
	if len(got) != 3 || got[2].EventID != poison.ID { // ordered by n: 1, 3, 13
		t.Fatalf("effects after replay %+v, want the replayed event applied", got)
	}
	// Replaying everything again is harmless: the event is skipped by id.
	if _, err := consumer.Replay(context.Background(), f.brokers, f.pub, consumer.DLQTopic(f.topic), ""); err != nil {
		t.Fatal(err)
	}
	if got := f.waitEffects(t, 3); len(got) != 3 {
		t.Fatalf("%d effects after a second replay, want still 3", len(got))
	}
	if _, err := consumer.Replay(context.Background(), f.brokers, f.pub, consumer.DLQTopic(f.topic), "no-such-event"); err == nil {
		t.Fatal("replaying an unknown event id succeeded")
	}
}

func TestConsumer_continuesTheProducersTrace(t *testing.T) {
	f := setup(t)
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	ctx, producerSpan := tp.Tracer("test").Start(context.Background(), "POST /graphql placeOrder")
	_, m := f.event(t, ctx, "order-1", 1)
	producerSpan.End()
	if m.Headers["traceparent"] == "" {
		t.Fatal("the message carries no traceparent header")
	}
	f.publish(t, m)
	f.start(t, consumer.Config{TracerProvider: tp}, record)
	got := f.waitEffects(t, 1)

	want := producerSpan.SpanContext()
	if got[0].TraceID != want.TraceID().String() {
		t.Fatalf("handler ran in trace %s, want the producer's %s", got[0].TraceID, want.TraceID())
	}
	for _, s := range spans.Ended() {
		if s.SpanKind() == trace.SpanKindConsumer {
			if s.Parent().SpanID() != want.SpanID() || s.Parent().TraceID() != want.TraceID() || !s.Parent().IsRemote() {
				t.Fatalf("consumer span's parent is %v, want the producer span %v", s.Parent(), want)
			}
			return
		}
	}
	t.Fatal("no consumer span recorded")
}

func TestConsumer_reportsItsLag(t *testing.T) {
	f := setup(t)
	var msgs []kafka.Message
	for i := range 5 {
		_, m := f.event(t, context.Background(), fmt.Sprintf("order-%d", i), i)
		msgs = append(msgs, m)
	}
	f.publish(t, msgs...)
	name := testenv.Name("consumer")
	c, err := consumer.New(f.pool, f.pub, consumer.Config{Name: name, Brokers: f.brokers, Topic: f.topic}, record)
	if err != nil {
		t.Fatal(err)
	}
	if lag, err := c.Lag(context.Background()); err != nil || lag != 5 {
		t.Fatalf("lag before consuming = %d, %v; want 5", lag, err)
	}
	f.start(t, consumer.Config{Name: name}, record)
	f.waitEffects(t, 5)
	if lag, err := c.Lag(context.Background()); err != nil || lag != 0 {
		t.Fatalf("lag after consuming = %d, %v; want 0", lag, err)
	}
}
