// Command consumer-bench measures the idempotent Kafka consumer (events/consumer) on the
// real PostgreSQL and Kafka: -events events over -subjects subjects in a fresh topic of
// -partitions partitions, drained by one consumer group whose effect is one row per event
// (plus the event-id dedupe row), in each mode side by side in one run:
//
//   - per message: one transaction and one synchronous offset commit per message (the
//     baseline, -baseline-events of them);
//   - batch, per-event handler: one transaction per partition batch, the handler called
//     for each new event (a statement each);
//   - batch, batch handler: one transaction per partition batch, the effects of the whole
//     batch written by one statement.
//
// The window runs from the first event recorded to the last (the group join before it is
// not the consumer's cost). For each mode it prints events/s, events per transaction, the
// consumer's Postgres backends' CPU per event (read from /proc/<pid>/stat; the polling
// that watches progress runs on another connection, outside it), this process's CPU per
// event (getrusage: the consumer's Go side, Kafka fetching included), events per CPU
// second of each (capacity: what one core of that side would sustain), the p50/p99 of a
// transaction (a message, or a partition batch: from taking a pooled connection to
// handing it back, read by the pool's PrepareConn/AfterRelease hooks), and the load
// average. From the events module:
//
//	go run ./cmd/consumer-bench -events 50000 -batch 512
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

type options struct {
	events, baselineEvents, subjects, partitions, batch, conns int
	modes                                                      []string
}

func main() {
	var (
		o     options
		modes string
	)
	flag.IntVar(&o.events, "events", 50000, "events each batch mode drains")
	flag.IntVar(&o.baselineEvents, "baseline-events", 5000, "events the per-message mode drains")
	flag.IntVar(&o.subjects, "subjects", 1000, "subjects (message keys) the events are spread over")
	flag.IntVar(&o.partitions, "partitions", 3, "partitions of the topic")
	flag.IntVar(&o.batch, "batch", 512, "batch mode: messages per batch (consumer.Config.BatchSize)")
	flag.IntVar(&o.conns, "conns", 4, "the consumer's pooled Postgres connections")
	flag.StringVar(&modes, "modes", "per-message,batch-per-event,batch", "modes to run, in order")
	cpuProfile := flag.String("cpuprofile", "", "write this process's CPU profile (the whole run) to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	o.modes = strings.Split(modes, ",")
	if err := run(context.Background(), o); err != nil {
		pprof.StopCPUProfile()
		log.Fatal(err)
	}
}

type result struct {
	mode                 string
	events, txs          int
	elapsed              time.Duration
	pgCPU, clientCPU     time.Duration
	loadStart, loadEnd   string
	statementsPerBatch   string
	applied0, appliedEnd int
	txP50, txP99         time.Duration // a consumer transaction, connection taken -> given back
}

func (r result) rate() float64 { return float64(r.events) / r.elapsed.Seconds() }

func perEvent(d time.Duration, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return d / time.Duration(n)
}

func perCPUSecond(d time.Duration, n int) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func run(ctx context.Context, o options) error {
	runID := fmt.Sprintf("%d_%d", time.Now().UnixMilli()%1e7, rand.IntN(1000))
	brokers := endpoints.Kafka()
	admin, err := postgres.Open(ctx, endpoints.Postgres(), postgres.WithMaxConns(2))
	if err != nil {
		return fmt.Errorf("PostgreSQL (%s): %w", endpoints.PostgresEnv, err)
	}
	defer admin.Close()
	schema := "cbench_" + runID
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return err
	}
	defer admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	open := func(app string, conns int, opts ...postgres.Option) (*pgxpool.Pool, error) {
		u := endpoints.Postgres()
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "search_path=" + url.QueryEscape(schema) + "&application_name=" + url.QueryEscape(app) +
			"&pool_min_conns=" + strconv.Itoa(conns)
		return postgres.Open(ctx, u, append([]postgres.Option{postgres.WithMaxConns(int32(conns))}, opts...)...)
	}
	observer, err := open("consumer-bench-observer-"+runID, 1)
	if err != nil {
		return err
	}
	defer observer.Close()
	if err := consumer.Migrate(ctx, observer); err != nil {
		return err
	}
	if _, err := observer.Exec(ctx, `CREATE TABLE effects (event_id text NOT NULL, subject text NOT NULL)`); err != nil {
		return err
	}
	pub := kafka.NewProducer(brokers)
	defer pub.Close()
	fmt.Printf("consumer-bench: %d events per batch mode (%d per message), %d subjects, %d partitions, batch %d, %d connections; %d CPUs; load %s\n",
		o.events, o.baselineEvents, o.subjects, o.partitions, o.batch, o.conns, runtime.NumCPU(), loadavg())
	var rs []result
	for i, mode := range o.modes {
		n := o.events
		if mode == "per-message" {
			n = o.baselineEvents
		}
		r, err := measure(ctx, o, brokers, pub, observer, open, fmt.Sprintf("%s_%d", runID, i), mode, n)
		if err != nil {
			return fmt.Errorf("%s: %w", mode, err)
		}
		fmt.Printf("%s: %d events in %v = %.0f events/s, %.1f events/transaction, transaction p50 %v p99 %v; Postgres %v/event (%.0f events per PG CPU-s); client %v/event (%.0f events per client CPU-s); load %s -> %s\n",
			r.mode, r.events, r.elapsed.Round(time.Millisecond), r.rate(), float64(r.events)/float64(max(r.txs, 1)),
			r.txP50.Round(10*time.Microsecond), r.txP99.Round(10*time.Microsecond),
			perEvent(r.pgCPU, r.events).Round(100*time.Nanosecond), perCPUSecond(r.pgCPU, r.events),
			perEvent(r.clientCPU, r.events).Round(100*time.Nanosecond), perCPUSecond(r.clientCPU, r.events), r.loadStart, r.loadEnd)
		rs = append(rs, r)
	}
	fmt.Println()
	fmt.Println("mode | events/s | events/tx | statements/batch | PG CPU/event | events per PG CPU-s | client CPU/event | events per client CPU-s | ratio vs first | load start -> end | transaction p50/p99")
	for _, r := range rs {
		fmt.Printf("%s | %.0f | %.1f | %s | %v | %.0f | %v | %.0f | %.2fx | %s -> %s | p50 %v p99 %v\n", r.mode, r.rate(),
			float64(r.events)/float64(max(r.txs, 1)), r.statementsPerBatch,
			perEvent(r.pgCPU, r.events).Round(100*time.Nanosecond), perCPUSecond(r.pgCPU, r.events),
			perEvent(r.clientCPU, r.events).Round(100*time.Nanosecond), perCPUSecond(r.clientCPU, r.events),
			r.rate()/rs[0].rate(), r.loadStart, r.loadEnd, r.txP50.Round(10*time.Microsecond), r.txP99.Round(10*time.Microsecond))
	}
	return nil
}

type opener func(app string, conns int, opts ...postgres.Option) (*pgxpool.Pool, error)

func measure(ctx context.Context, o options, brokers []string, pub *kafka.Producer, observer *pgxpool.Pool, open opener, id, mode string, n int) (result, error) {
	topic := "consumer-bench." + id
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: o.partitions}); err != nil {
		return result{}, err
	}
	msgs := make([]kafka.Message, 0, 1000)
	for i := range n {
		subject := "order-" + strconv.Itoa(rand.IntN(o.subjects))
		e, err := events.New(ctx, "consumer-bench", subject, contracts.DispatchAssignedV1{OrderID: subject, DriverID: "d1"})
		if err != nil {
			return result{}, err
		}
		m, err := e.Message()
		if err != nil {
			return result{}, err
		}
		m.Topic = topic
		msgs = append(msgs, m)
		if len(msgs) == cap(msgs) || i == n-1 {
			if err := pub.Publish(ctx, msgs...); err != nil {
				return result{}, err
			}
			msgs = msgs[:0]
		}
	}
	app := "consumer-bench-" + id
	holds := &postgres.HoldTimes{}
	pool, err := open(app, o.conns, holds.Option())
	if err != nil {
		return result{}, err
	}
	defer pool.Close()
	cfg := consumer.Config{Name: app, Brokers: brokers, Topic: topic, StartAtBeginning: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	statements := "4 per event (begin, dedupe, effect, commit)"
	switch mode {
	case "per-message":
	case "batch-per-event":
		cfg.BatchSize = o.batch
		statements = "3 + 1 per event (begin, dedupe, effect each, commit)"
	case "batch":
		cfg.BatchSize = o.batch
		statements = "4 (begin, dedupe, effects, commit)"
		cfg.BatchHandler = func(ctx context.Context, tx pgx.Tx, evs []events.Envelope) error {
			ids, subjects := make([]string, len(evs)), make([]string, len(evs))
			for i, e := range evs {
				ids[i], subjects[i] = e.ID, e.Subject
			}
			_, err := tx.Exec(ctx, `INSERT INTO effects (event_id, subject) SELECT * FROM unnest($1::text[], $2::text[])`, ids, subjects)
			return err
		}
	default:
		return result{}, fmt.Errorf("unknown mode %q (per-message, batch-per-event, batch)", mode)
	}
	c, err := consumer.New(pool, pub, cfg, func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
		_, err := tx.Exec(ctx, `INSERT INTO effects (event_id, subject) VALUES ($1, $2)`, e.ID, e.Subject)
		return err
	})
	if err != nil {
		return result{}, err
	}
	pids, err := backends(ctx, observer, app, o.conns)
	if err != nil {
		return result{}, err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	defer func() { stop(); <-done }()

	applied := func() (int, error) {
		var k int
		err := observer.QueryRow(ctx, `SELECT count(*) FROM processed_events WHERE consumer = $1`, app).Scan(&k)
		return k, err
	}
	// The window opens at the first recorded event: joining the group is not the cost.
	deadline := time.Now().Add(5 * time.Minute)
	r := result{mode: mode, statementsPerBatch: statements}
	for {
		k, err := applied()
		if err != nil {
			return result{}, err
		}
		if k > 0 {
			r.applied0 = k
			break
		}
		if time.Now().After(deadline) {
			return result{}, fmt.Errorf("no event recorded within 5 minutes")
		}
		time.Sleep(2 * time.Millisecond)
	}
	start := time.Now()
	holds.Window(true)
	pg0, cl0 := procCPU(pids), selfCPU()
	r.loadStart = loadavg()
	for {
		time.Sleep(20 * time.Millisecond)
		k, err := applied()
		if err != nil {
			return result{}, err
		}
		if k >= n {
			r.appliedEnd = k
			break
		}
		if time.Now().After(deadline) {
			return result{}, fmt.Errorf("%d of %d events within 5 minutes", k, n)
		}
	}
	r.elapsed = time.Since(start)
	holds.Window(false)
	r.txP50, r.txP99 = holds.Percentiles()
	r.pgCPU, r.clientCPU = procCPU(pids)-pg0, selfCPU()-cl0
	r.loadEnd = loadavg()
	r.events = r.appliedEnd - r.applied0
	var effects int
	if err := observer.QueryRow(ctx, `SELECT count(*), count(DISTINCT xmin::text) FROM processed_events WHERE consumer = $1`, app).
		Scan(&effects, &r.txs); err != nil {
		return result{}, err
	}
	r.txs = r.txs * r.events / max(effects, 1) // the window's share of the transactions
	var rows, distinct int
	if err := observer.QueryRow(ctx, `SELECT count(*), count(DISTINCT event_id) FROM effects`).Scan(&rows, &distinct); err != nil {
		return result{}, err
	}
	if rows != distinct {
		return result{}, fmt.Errorf("%d effects for %d distinct events: an event was applied twice", rows, distinct)
	}
	if _, err := observer.Exec(ctx, `TRUNCATE effects`); err != nil {
		return result{}, err
	}
	return r, nil
}

// backends finds the consumer pool's Postgres backends (a fixed number, named by
// application_name).
func backends(ctx context.Context, observer *pgxpool.Pool, app string, want int) ([]int, error) {
	var pids []int
	for range 100 {
		rows, _ := observer.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
		var err error
		if pids, err = pgx.CollectRows(rows, pgx.RowTo[int]); err != nil {
			return nil, err
		}
		if len(pids) >= want {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return pids, nil
}

// procCPU is the user+system CPU pids have used (Linux counts it in 1/100 s ticks).
func procCPU(pids []int) time.Duration {
	var total int64
	for _, pid := range pids {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += u + st
	}
	return time.Duration(total) * 10 * time.Millisecond
}

// selfCPU is this process's user+system CPU so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadavg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(raw))[:3], " ")
}
