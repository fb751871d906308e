package outbox_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/internal/testenv"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/events/outbox"
)

// BenchmarkRelay_throughput: b.N events over 1000 aggregates are committed first, then one
// relay drains them to the real Kafka; ns/op and events/s are per event relayed.
func BenchmarkRelay_throughput(b *testing.B) {
	pool, brokers, topic := setup(b)
	ctx := context.Background()
	ob := outbox.New(outbox.WithoutNotify())
	for start := 0; start < b.N; start += 1000 {
		var evs []events.Envelope
		for i := start; i < min(start+1000, b.N); i++ {
			evs = append(evs, newEvent(b, topic, "order-"+strconv.Itoa(i%1000), i))
		}
		commit(b, pool, ob, evs...)
	}
	r := relay(b, pool, producer(b, brokers), outbox.RelayConfig{BatchSize: 1000})
	b.ResetTimer()
	for sent := 0; sent < b.N; {
		n, err := r.RelayOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		sent += n
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRelay_commitToConsumeLatency: b.N events, each committed in its own
// transaction at a steady 200 events/s (below what the synchronously committing consumer
// sustains, so this measures latency rather than queueing), travel through a
// LISTEN/NOTIFY-woken relay and Kafka to a consumer-group reader; p50/p99 are from the
// commit returning to the consumer receiving.
func BenchmarkRelay_commitToConsumeLatency(b *testing.B) {
	pool, brokers, topic := setup(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := relay(b, pool, producer(b, brokers), outbox.RelayConfig{PollInterval: time.Second})
	go func() { _ = r.Run(ctx) }()

	var mu sync.Mutex
	received := map[string]time.Time{}
	arrived := make(chan struct{}, 1)
	c, err := kafka.NewConsumer(kafka.ConsumerConfig{Brokers: brokers, GroupID: testenv.Name("bench"), Topic: topic, StartAtBeginning: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	go func() {
		_ = c.Run(ctx, func(_ context.Context, m kafka.Message) error {
			now := time.Now()
			mu.Lock()
			received[m.Headers[events.HeaderID]] = now
			mu.Unlock()
			select {
			case arrived <- struct{}{}:
			default:
			}
			return nil
		})
	}()
	ob := outbox.New()
	// Warm up: the consumer has joined its group once the first event arrives.
	commit(b, pool, ob, newEvent(b, topic, "warm-up", 0))
	waitReceived(b, &mu, received, arrived, 1)

	committed := make(map[string]time.Time, b.N)
	pace := time.NewTicker(5 * time.Millisecond)
	defer pace.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-pace.C
		e := newEvent(b, topic, "order-"+strconv.Itoa(i%100), i)
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return ob.Add(ctx, tx, e) }); err != nil {
			b.Fatal(err)
		}
		committed[e.ID] = time.Now()
	}
	waitReceived(b, &mu, received, arrived, b.N+1)
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	lat := make([]float64, 0, b.N)
	for id, at := range committed {
		lat = append(lat, float64(received[id].Sub(at).Microseconds())/1000)
	}
	slices.Sort(lat)
	b.ReportMetric(lat[len(lat)*50/100], "p50-ms")
	b.ReportMetric(lat[min(len(lat)-1, len(lat)*99/100)], "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func waitReceived(b *testing.B, mu *sync.Mutex, received map[string]time.Time, arrived <-chan struct{}, n int) {
	b.Helper()
	deadline := time.After(60 * time.Second)
	for {
		mu.Lock()
		got := len(received)
		mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-arrived:
		case <-deadline:
			b.Fatalf("%d of %d events arrived within 60s", got, n)
		}
	}
}
