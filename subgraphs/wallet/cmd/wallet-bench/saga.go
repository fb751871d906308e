package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/service"
)

func newApp(repo *adapters.LedgerRepository) (*app.Application, error) {
	return app.New(repo, nopGateway{}, app.Config{Loyalty: domain.DefaultLoyalty, Split: domain.Split{PlatformFeeBps: 1500, DriverBps: 1000}})
}

// measureSaga is the saga path for real: n order.created events (customers drawn from
// accounts) in a fresh 3-partition Kafka topic, drained by the wallet's own order.created
// consumer (events/consumer batch mode, the service's handlers: event-id dedupe, the
// payment, payment.success in the outbox, all in one transaction per fetched batch, or
// per partition of it with -saga-one-tx=false).
// The figure is events applied per second from the consumer's start to the last commit.
func measureSaga(ctx context.Context, pool *pgxpool.Pool, appName string, wallet *app.Application, repo *adapters.LedgerRepository, accounts, n, batchSize int, oneTx, byPartition bool) (figures, error) {
	brokers := endpoints.Kafka()
	topic := fmt.Sprintf("wallet-bench.order.created.%d", time.Now().UnixNano()%1e9)
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: 3}); err != nil {
		return figures{}, err
	}
	pub := kafka.NewProducer(brokers)
	defer pub.Close()
	batch := make([]kafka.Message, 0, 1000)
	for i := range n {
		order := uuid.NewString()
		m := contracts.Money{AmountMinor: 1000, Currency: "UZS"}
		e, err := events.New(ctx, "orders", order, contracts.OrderCreatedV2{OrderID: order,
			CustomerID: "c" + strconv.Itoa(rand.IntN(accounts)), RestaurantID: "r1", Subtotal: m, Total: m, PlacedAt: time.Now()})
		if err != nil {
			return figures{}, err
		}
		msg, err := e.Message()
		if err != nil {
			return figures{}, err
		}
		msg.Topic = topic
		batch = append(batch, msg)
		if len(batch) == cap(batch) || i == n-1 {
			if err := pub.Publish(ctx, batch...); err != nil {
				return figures{}, err
			}
			batch = batch[:0]
		}
	}
	var sub service.Subscription
	for _, s := range service.Subscriptions(wallet, repo) {
		if s.Topic == contracts.TypeOrderCreated {
			sub = s
		}
	}
	name := "wallet-bench-saga-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 10)
	shardKey := sub.ShardKey // as the service runs it
	if byPartition {
		shardKey = nil
	}
	// Progress is the consumer's own counter of events it committed (processed or skipped
	// as duplicates), read in this process: counting processed_events in Postgres every
	// 20 ms cost the server a scan of the consumer's ids each time (40,000 at the end of a
	// run), CPU the measured transactions then waited for on this 2-core machine.
	reg := prometheus.NewRegistry()
	metrics, err := consumer.NewMetrics(reg)
	if err != nil {
		return figures{}, err
	}
	c, err := consumer.New(pool, pub, consumer.Config{Name: name, Brokers: brokers, Topic: topic, StartAtBeginning: true,
		BatchSize: batchSize, BatchHandler: sub.Batch, ShardKey: shardKey, OneTransaction: oneTx, Metrics: metrics,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, sub.Handler)
	if err != nil {
		return figures{}, err
	}
	warm(ctx, pool, pool.Config().MaxConns)
	// Progress is watched on a connection of its own, outside the measured backends.
	ocfg := pool.Config().Copy()
	ocfg.MinConns, ocfg.MaxConns = 1, 1
	ocfg.PrepareConn, ocfg.AfterRelease = nil, nil // its polls are not the saga's transactions
	ocfg.ConnConfig.RuntimeParams["application_name"] = appName + "-observer"
	observer, err := pgxpool.NewWithConfig(ctx, ocfg)
	if err != nil {
		return figures{}, err
	}
	defer observer.Close()
	var seq0 int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM outbox`).Scan(&seq0); err != nil {
		return figures{}, err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	deadline := time.Now().Add(5 * time.Minute)
	// The window opens at the first applied event: the group join before it is not the
	// saga's cost.
	var applied, applied0 int
	var (
		start time.Time
		cpu0  cpuSample
	)
	for {
		if applied, err = committed(reg); err != nil {
			stop()
			return figures{}, err
		}
		if applied > 0 && start.IsZero() {
			applied0, start = applied, time.Now()
			sagaTx.Window(true)
			if cpu0, err = postgresCPU(ctx, observer, appName); err != nil {
				stop()
				return figures{}, err
			}
		}
		if applied >= n {
			break
		}
		if time.Now().After(deadline) {
			stop()
			return figures{}, fmt.Errorf("saga: %d of %d events applied within 5 minutes", applied, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	sagaTx.Window(false)
	p50, p99 := sagaTx.Percentiles()
	cpu1, err := postgresCPU(ctx, observer, appName)
	stop()
	if rerr := <-done; rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return figures{}, err
	}
	var recorded int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM processed_events WHERE consumer = $1`, name).Scan(&recorded); err != nil {
		return figures{}, err
	}
	if recorded != n {
		return figures{}, fmt.Errorf("saga: %d event ids recorded for %d events", recorded, n)
	}
	// Rows one transaction inserted share its xmin: events per transaction is the
	// consumer's mean batch.
	var paid, txs int64
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT xmin::text) FROM outbox WHERE seq > $1 AND topic = $2`,
		seq0, contracts.TypePaymentSucceeded).Scan(&paid, &txs); err != nil {
		return figures{}, err
	}
	fmt.Printf("saga over %d accounts: %d order.created applied in %s, %d payment.success in the outbox from %d transactions\n",
		accounts, applied, elapsed.Round(time.Millisecond), paid, txs)
	if paid != int64(n) {
		return figures{}, fmt.Errorf("saga: %d payment.success for %d orders", paid, n)
	}
	return figures{system: "saga", accounts: accounts, tx: int64(applied - applied0), elapsed: elapsed,
		backendCPU: cpu1.backends - cpu0.backends, serverCPU: cpu1.serverSince(cpu0), loadEnd: loadavg(),
		batches: txs, posted: paid, p50: p50, p99: p99}, nil
}

// committed is how many events the consumer has committed (dizhtime_consumer_events_total,
// processed and duplicate) according to reg.
func committed(reg *prometheus.Registry) (int, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	n := 0.0
	for _, mf := range mfs {
		if mf.GetName() != "dizhtime_consumer_events_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && (l.GetValue() == "processed" || l.GetValue() == "duplicate") {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return int(n), nil
}
