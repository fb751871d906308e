// Command outbox-bench measures the Postgres outbox relay (events/outbox) against a naive
// relay (`SELECT … FOR UPDATE SKIP LOCKED ORDER BY seq`, one instance: it cannot keep a
// subject's order with several) and against the relay's previous head-of-subject claim
// (-before), on the real PostgreSQL and Kafka, side by side in one run, each system in a
// schema of its own, one after the other:
//
//   - backlog drain: -backlog events over -subjects subjects are committed first (not
//     timed), then the relays drain them;
//   - sustained: producers commit -rate events/s (transactions of -tx-events events on
//     random subjects) for -duration while the relays run; events relayed per second over
//     the window, the backlog left at its end, and the commit -> Kafka ack latency.
//
// For each it prints events/s, p50/p99 (round time for the drain, commit -> ack for the
// sustained run), the CPU the relays' own Postgres backends spent per event (read from
// /proc/<pid>/stat; the server's shared processes and other sessions are not in it), the
// load average, and DizhTime / naive ratios. From the events module:
//
//	go run ./cmd/outbox-bench -backlog 100000 -subjects 1000 -duration 15s
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

type options struct {
	backlog, subjects, rate, txEvents, producers, batch, kafkaBatch int
	duration, poll, report                                          time.Duration
	relays                                                          []int
	before, deleteSent, naive                                       bool
	phases                                                          []string
}

func main() {
	var (
		o              options
		relays, phases string
	)
	flag.IntVar(&o.backlog, "backlog", 100000, "events committed before the drain")
	flag.IntVar(&o.subjects, "subjects", 1000, "subjects (aggregates) the events are spread over")
	flag.IntVar(&o.rate, "rate", 25000, "events/s the producers commit in the sustained run")
	flag.IntVar(&o.txEvents, "tx-events", 20, "events per producer transaction")
	flag.IntVar(&o.producers, "producers", 4, "producer connections")
	flag.IntVar(&o.batch, "batch", 1000, "events per relay round (both relays)")
	flag.IntVar(&o.kafkaBatch, "kafka-batch", 0, "messages per partition produce request (kafka.WithBatchSize; 0: kafka-go's 100)")
	flag.DurationVar(&o.duration, "duration", 15*time.Second, "length of the sustained run")
	flag.DurationVar(&o.poll, "poll", 5*time.Millisecond, "relays' wait after an empty round (both relays)")
	flag.StringVar(&relays, "relays", "1,2", "DizhTime rounds in flight to run: relays, or Run workers (2 by default), each with its share of the partitions")
	flag.StringVar(&phases, "phases", "drain,sustained", "phases to run")
	flag.BoolVar(&o.before, "before", true, "also run the relay's previous claim (oldest unsent row of each subject by an anti-join), one instance")
	flag.BoolVar(&o.deleteSent, "delete-sent", true, "DizhTime relays delete sent rows (RelayConfig.DeleteSent) instead of marking them")
	flag.BoolVar(&o.naive, "naive", true, "also run the naive SKIP LOCKED relay (the ratios' baseline)")
	flag.DurationVar(&o.report, "report", 10*time.Second, "sustained: print produced/s, relayed/s and the backlog this often")
	flag.Parse()
	for _, s := range strings.Split(relays, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			log.Fatalf("-relays: %q is not a relay count", s)
		}
		o.relays = append(o.relays, n)
	}
	o.phases = strings.Split(phases, ",")
	if err := run(context.Background(), o); err != nil {
		log.Fatal(err)
	}
}

// system is one relay set-up under test.
type system struct {
	name       string
	relays     int
	naive      bool
	before     bool // the head-of-subject claim this package had before the partitions
	deleteSent bool
}

func (s system) String() string {
	if s.naive {
		return "naive SKIP LOCKED"
	}
	if s.before {
		return "DizhTime before (head claim)"
	}
	if s.deleteSent {
		return fmt.Sprintf("DizhTime x%d, delete sent", s.relays)
	}
	return fmt.Sprintf("DizhTime x%d", s.relays) // x relays (or Run workers) in flight
}

type result struct {
	sys                   system
	events                int
	elapsed               time.Duration
	p50, p99              time.Duration
	cpuPerEvent           time.Duration // relays' Postgres backends
	producerCPUPerEvent   time.Duration // producers' Postgres backends (sustained)
	roundP50, roundP99    time.Duration // sustained: a relay round that published something
	rounds                int
	undrained             int           // sustained: committed events still unpublished when the wait ended
	clientPerEvent        time.Duration // this process (the relays' Go side; producers too in the sustained run)
	kafkaShare            float64       // of the relays' round time, waiting for Kafka
	produced, backlogLeft int
	loadStart, loadEnd    string
}

func (r result) rate() float64 { return float64(r.events) / r.elapsed.Seconds() }

func run(ctx context.Context, o options) error {
	run := fmt.Sprintf("%d_%d", time.Now().UnixMilli()%1e7, rand.IntN(1000))
	brokers := endpoints.Kafka()
	topic := "outbox-bench." + run
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: 6}); err != nil {
		return err
	}
	var popts []kafka.ProducerOption
	if o.kafkaBatch > 0 {
		popts = append(popts, kafka.WithBatchSize(o.kafkaBatch))
	}
	pub := kafka.NewProducer(brokers, popts...)
	defer pub.Close()
	admin, err := postgres.Open(ctx, endpoints.Postgres(), postgres.WithMaxConns(2))
	if err != nil {
		return fmt.Errorf("PostgreSQL (%s): %w", endpoints.PostgresEnv, err)
	}
	defer admin.Close()

	var systems []system
	if o.naive {
		systems = append(systems, system{name: "naive", naive: true, relays: 1})
	}
	if o.before {
		systems = append(systems, system{name: "before", before: true, relays: 1})
	}
	for _, n := range o.relays {
		systems = append(systems, system{name: fmt.Sprintf("dizhtime%d", n), relays: n, deleteSent: o.deleteSent})
	}
	fmt.Printf("outbox-bench: %d subjects, batch %d, poll %v; Kafka topic %s (6 partitions); %d CPUs; load %s\n",
		o.subjects, o.batch, o.poll, topic, runtime.NumCPU(), loadavg())

	var all [][]result
	for _, phase := range o.phases {
		var rs []result
		for _, sys := range systems {
			env, err := newEnv(ctx, admin, run, phase, sys)
			if err != nil {
				return err
			}
			var r result
			switch phase {
			case "drain":
				r, err = drain(ctx, env, pub, topic, o, sys)
			case "sustained":
				r, err = sustained(ctx, env, pub, topic, o, sys)
			default:
				err = fmt.Errorf("unknown phase %q", phase)
			}
			env.close(ctx, admin)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", phase, sys, err)
			}
			printResult(phase, r)
			rs = append(rs, r)
		}
		all = append(all, rs)
	}
	fmt.Println()
	fmt.Println("phase | system | events/s | p50 | p99 | relay PG CPU/event | events per relay PG CPU-s | bench process CPU/event | ratio vs naive (rate; PG CPU/event) | load start -> end")
	for i, rs := range all {
		for _, r := range rs {
			lat := "round"
			if o.phases[i] == "sustained" {
				lat = "commit->ack"
			}
			fmt.Printf("%s | %s | %.0f | p50 %s %v | p99 %s %v | %v | %.0f | %v | %.2fx; %.2fx | %s -> %s\n", o.phases[i], r.sys, r.rate(),
				lat, r.p50.Round(10*time.Microsecond), lat, r.p99.Round(10*time.Microsecond), r.cpuPerEvent.Round(100*time.Nanosecond),
				perCPUSecond(r.cpuPerEvent), r.clientPerEvent.Round(100*time.Nanosecond),
				r.rate()/rs[0].rate(), float64(r.cpuPerEvent)/float64(max(rs[0].cpuPerEvent, 1)), r.loadStart, r.loadEnd)
		}
	}
	return nil
}

func printResult(phase string, r result) {
	switch phase {
	case "drain":
		fmt.Printf("drain %s: %d events in %v = %.0f events/s; round p50 %v p99 %v (%.0f%% of it waiting for Kafka); relay PG CPU %v/event; load %s -> %s\n",
			r.sys, r.events, r.elapsed.Round(time.Millisecond), r.rate(), r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond),
			100*r.kafkaShare, r.cpuPerEvent.Round(100*time.Nanosecond), r.loadStart, r.loadEnd)
	default:
		fmt.Printf("sustained %s: produced %d (%.0f/s), relayed %d in %v = %.0f events/s; backlog at the end %d; commit->ack p50 %v p99 %v; %s; relay PG CPU %v/event, producers' PG CPU %v/event; %d rounds, %.0f events each, round p50 %v p99 %v (%.0f%% of it waiting for Kafka); load %s -> %s\n",
			r.sys, r.produced, float64(r.produced)/r.elapsed.Seconds(), r.events, r.elapsed.Round(time.Millisecond), r.rate(), r.backlogLeft, r.p50.Round(10*time.Microsecond),
			r.p99.Round(10*time.Microsecond), undrained(r), r.cpuPerEvent.Round(100*time.Nanosecond), r.producerCPUPerEvent.Round(100*time.Nanosecond),
			r.rounds, float64(r.events)/float64(max(r.rounds, 1)), r.roundP50.Round(10*time.Microsecond), r.roundP99.Round(10*time.Microsecond), 100*r.kafkaShare, r.loadStart, r.loadEnd)
	}
}

// env is one system's schema and pools: relays' pools are named so their backends can be
// found in pg_stat_activity.
type env struct {
	schema    string
	appName   string
	producers *pgxpool.Pool
	relays    []*pgxpool.Pool
}

func newEnv(ctx context.Context, admin *pgxpool.Pool, run, phase string, sys system) (*env, error) {
	e := &env{schema: fmt.Sprintf("obench_%s_%s_%s", run, phase, sys.name)}
	e.appName = "outbox-bench-" + e.schema
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+e.schema); err != nil {
		return nil, err
	}
	open := func(app string, conns int32) (*pgxpool.Pool, error) {
		u := endpoints.Postgres()
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "search_path=" + url.QueryEscape(e.schema) + "&application_name=" + url.QueryEscape(app) +
			"&pool_min_conns=" + strconv.Itoa(int(conns))
		return postgres.Open(ctx, u, postgres.WithMaxConns(conns))
	}
	var err error
	if e.producers, err = open(e.appName+"-producer", 8); err != nil {
		return nil, err
	}
	if err := outbox.Migrate(ctx, e.producers); err != nil {
		return nil, err
	}
	if sys.before { // the index migration 0002 dropped, which the head claim reads
		if _, err := e.producers.Exec(ctx, `CREATE INDEX outbox_unsent_subject ON outbox (subject, seq) WHERE sent_at IS NULL`); err != nil {
			return nil, err
		}
	}
	if sys.naive || sys.before { // the index migration 0003 dropped, which their ORDER BY seq reads
		if _, err := e.producers.Exec(ctx, `CREATE INDEX outbox_unsent_seq ON outbox (seq) WHERE sent_at IS NULL`); err != nil {
			return nil, err
		}
	}
	for range sys.relays {
		p, err := open(e.appName, 1)
		if err != nil {
			return nil, err
		}
		e.relays = append(e.relays, p)
	}
	return e, nil
}

func (e *env) close(ctx context.Context, admin *pgxpool.Pool) {
	e.producers.Close()
	for _, p := range e.relays {
		p.Close()
	}
	if _, err := admin.Exec(ctx, "DROP SCHEMA "+e.schema+" CASCADE"); err != nil {
		log.Printf("drop schema %s: %v", e.schema, err)
	}
}

// benchEvent is the bench's payload: about the size of an order event.
type benchEvent struct {
	topic string
	N     int    `json:"n"`
	Pad   string `json:"pad"`
}

func (b benchEvent) EventType() string { return b.topic }
func (b benchEvent) EventVersion() int { return 1 }

var pad = strings.Repeat("x", 200)

func newEvents(ctx context.Context, topic string, subjects, n int) ([]events.Envelope, error) {
	out := make([]events.Envelope, n)
	for i := range out {
		e, err := events.New(ctx, "outbox-bench", "order-"+strconv.Itoa(rand.IntN(subjects)), benchEvent{topic: topic, N: i, Pad: pad})
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// relayRound is one round of either relay.
type relayRound func(ctx context.Context) (int, error)

// idleRounds is how many empty rounds in a row show a relay of sys that nothing is left
// for it: a DizhTime relay with a share of the partitions needs a turn over all of them.
func idleRounds(sys system) int {
	if sys.naive {
		return 1
	}
	claim := (32 + sys.relays - 1) / sys.relays
	return (32 + claim - 1) / claim
}

func relays(e *env, pub outbox.Publisher, o options, sys system) ([]relayRound, error) {
	if sys.naive {
		return []relayRound{naiveRelay(e.relays[0], pub, o.batch)}, nil
	}
	if sys.before {
		return []relayRound{headClaimRelay(e.relays[0], pub, o.batch)}, nil
	}
	var out []relayRound
	for _, pool := range e.relays {
		r, err := outbox.NewRelay(pool, pub, outbox.RelayConfig{BatchSize: o.batch, NoListen: true,
			ClaimPartitions: (32 + sys.relays - 1) / sys.relays, DeleteSent: sys.deleteSent})
		if err != nil {
			return nil, err
		}
		out = append(out, r.RelayOnce)
	}
	return out, nil
}

// naiveRelay is the baseline: the oldest unsent rows, row-locked and skipped when locked.
// One instance only: two would publish one subject's rows side by side.
func naiveRelay(pool *pgxpool.Pool, pub outbox.Publisher, batch int) relayRound {
	return func(ctx context.Context) (int, error) {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return 0, err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		// The protection DizhTime's relay has (see events/outbox claimPartitions): without
		// it the mark's plan, cached while the table was small, seq-scans it as it grows,
		// and the baseline would lose to a planner accident rather than to its design.
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return 0, err
		}
		rows, _ := tx.Query(ctx, `SELECT seq, topic, subject, value, headers FROM outbox
			WHERE sent_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`, batch)
		return publishAndMark(ctx, tx, rows, pub)
	}
}

// headClaimRelay is the relay as it was before the partitions (events/outbox at
// 5992174): lock the oldest unsent row of each subject no other relay holds, by an
// anti-join over every unsent row, then publish those subjects' unsent rows.
func headClaimRelay(pool *pgxpool.Pool, pub outbox.Publisher, batch int) relayRound {
	return func(ctx context.Context) (int, error) {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return 0, err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		rows, _ := tx.Query(ctx, `SELECT o.subject FROM outbox o
			WHERE o.sent_at IS NULL
			  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.subject = o.subject AND p.sent_at IS NULL AND p.seq < o.seq)
			ORDER BY o.seq LIMIT $1 FOR UPDATE SKIP LOCKED`, batch)
		subjects, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return 0, err
		}
		if len(subjects) == 0 {
			return 0, tx.Commit(ctx)
		}
		rows, _ = tx.Query(ctx, `SELECT seq, topic, subject, value, headers FROM outbox
			WHERE sent_at IS NULL AND subject = ANY($1) ORDER BY seq LIMIT $2`, subjects, batch)
		return publishAndMark(ctx, tx, rows, pub)
	}
}

// publishAndMark publishes the rows read, marks them sent and commits.
func publishAndMark(ctx context.Context, tx pgx.Tx, rows pgx.Rows, pub outbox.Publisher) (int, error) {
	var (
		seqs []int64
		msgs []kafka.Message
	)
	var (
		seq            int64
		topic, subject string
		value          []byte
		headers        map[string]string
	)
	if _, err := pgx.ForEachRow(rows, []any{&seq, &topic, &subject, &value, &headers}, func() error {
		seqs = append(seqs, seq)
		msgs = append(msgs, kafka.Message{Topic: topic, Key: []byte(subject), Value: value, Headers: headers})
		headers = nil
		return nil
	}); err != nil {
		return 0, err
	}
	if len(msgs) == 0 {
		return 0, tx.Commit(ctx)
	}
	if err := pub.Publish(ctx, msgs...); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE outbox SET sent_at = now() WHERE seq = ANY($1)`, seqs); err != nil {
		return 0, err
	}
	return len(msgs), tx.Commit(ctx)
}

// acks counts the events Kafka acknowledged and, when it tracks latency, pairs each
// event's commit with its ack as soon as both are known, so it holds only the events in
// flight (minutes at 30k events/s would otherwise keep millions of ids).
type acks struct {
	pub   outbox.Publisher
	count atomic.Int64
	busy  atomic.Int64 // nanoseconds spent waiting for Kafka, summed over relays
	track bool

	mu        sync.Mutex
	committed map[string]time.Time // committed, not acknowledged yet
	acked     map[string]time.Time // acknowledged before the producer recorded its commit
	lat       []time.Duration      // commit -> ack
}

func newAcks(pub outbox.Publisher, track bool) *acks {
	return &acks{pub: pub, track: track, committed: map[string]time.Time{}, acked: map[string]time.Time{}}
}

func (a *acks) Publish(ctx context.Context, msgs ...kafka.Message) error {
	start := time.Now()
	if err := a.pub.Publish(ctx, msgs...); err != nil {
		return err
	}
	now := time.Now()
	a.busy.Add(int64(now.Sub(start)))
	a.count.Add(int64(len(msgs)))
	if a.track {
		a.mu.Lock()
		for _, m := range msgs {
			id := m.Headers[events.HeaderID]
			if c, ok := a.committed[id]; ok {
				a.lat = append(a.lat, now.Sub(c))
				delete(a.committed, id)
			} else {
				a.acked[id] = now
			}
		}
		a.mu.Unlock()
	}
	return nil
}

// commit records that the producer's transaction holding evs committed at t.
func (a *acks) commit(evs []events.Envelope, t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ev := range evs {
		if at, ok := a.acked[ev.ID]; ok { // relayed before the producer got here
			a.lat = append(a.lat, max(at.Sub(t), 0))
			delete(a.acked, ev.ID)
			continue
		}
		a.committed[ev.ID] = t
	}
}

// runRelays runs rounds until stop is closed and the outbox is empty (or ctx ends),
// timing each round that published something.
func runRelays(ctx context.Context, rounds []relayRound, idle int, poll time.Duration, stop <-chan struct{}) (*sync.WaitGroup, func() []time.Duration, *atomic.Value) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		times []time.Duration
		fail  atomic.Value
	)
	for _, round := range rounds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			empty := 0
			for ctx.Err() == nil {
				start := time.Now()
				n, err := round(ctx)
				if err != nil {
					if ctx.Err() == nil {
						fail.Store(err)
					}
					return
				}
				if n > 0 {
					empty = 0
					mu.Lock()
					times = append(times, time.Since(start))
					mu.Unlock()
					continue
				}
				if empty++; empty < idle {
					continue // another share of the partitions may have work
				}
				empty = 0
				select {
				case <-stop:
					return // stopped and nothing left this relay could claim
				case <-ctx.Done():
					return
				case <-time.After(poll):
				}
			}
		}()
	}
	return &wg, func() []time.Duration { mu.Lock(); defer mu.Unlock(); return slices.Clone(times) }, &fail
}

func drain(ctx context.Context, e *env, pub outbox.Publisher, topic string, o options, sys system) (result, error) {
	ob := outbox.New(outbox.WithoutNotify())
	for start := 0; start < o.backlog; start += 1000 {
		evs, err := newEvents(ctx, topic, o.subjects, min(1000, o.backlog-start))
		if err != nil {
			return result{}, err
		}
		if err := pgx.BeginFunc(ctx, e.producers, func(tx pgx.Tx) error { return ob.Add(ctx, tx, evs...) }); err != nil {
			return result{}, err
		}
	}
	a := newAcks(pub, false)
	rounds, err := relays(e, a, o, sys)
	if err != nil {
		return result{}, err
	}
	cpu, err := startCPU(ctx, e)
	if err != nil {
		return result{}, err
	}
	r := result{sys: sys, loadStart: loadavg()}
	stop := make(chan struct{})
	close(stop) // a drain: each relay stops at its first empty round
	start := time.Now()
	wg, times, fail := runRelays(ctx, rounds, idleRounds(sys), o.poll, stop)
	wg.Wait()
	r.elapsed = time.Since(start)
	if err, _ := fail.Load().(error); err != nil {
		return result{}, err
	}
	r.loadEnd = loadavg()
	r.events = int(a.count.Load())
	if left := unsent(ctx, e); left != 0 {
		return result{}, fmt.Errorf("%d events left unsent after the drain", left)
	}
	r.cpuPerEvent, r.clientPerEvent = cpu.perEvent(r.events), cpu.clientPerEvent(r.events)
	ts := times()
	var sum time.Duration
	for _, t := range ts {
		sum += t
	}
	if sum > 0 {
		r.kafkaShare = float64(a.busy.Load()) / float64(sum)
	}
	r.p50, r.p99 = percentiles(ts)
	return r, nil
}

func sustained(ctx context.Context, e *env, pub outbox.Publisher, topic string, o options, sys system) (result, error) {
	a := newAcks(pub, true)
	rounds, err := relays(e, a, o, sys)
	if err != nil {
		return result{}, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := make(chan struct{})
	wg, times, fail := runRelays(runCtx, rounds, idleRounds(sys), o.poll, stop)

	cpu, err := startCPU(ctx, e)
	if err != nil {
		return result{}, err
	}
	pcpu, err := producerCPU(ctx, e)
	if err != nil {
		return result{}, err
	}
	r := result{sys: sys, loadStart: loadavg()}
	var (
		produced atomic.Int64
		pw       sync.WaitGroup
		perr     atomic.Value
	)
	ob := outbox.New(outbox.WithoutNotify())
	start := time.Now()
	end := start.Add(o.duration)
	interval := time.Duration(float64(time.Second) * float64(o.producers*o.txEvents) / float64(o.rate))
	for range o.producers {
		pw.Add(1)
		go func() {
			defer pw.Done()
			next := time.Now()
			for time.Now().Before(end) {
				evs, err := newEvents(ctx, topic, o.subjects, o.txEvents)
				if err != nil {
					perr.Store(err)
					return
				}
				if err := pgx.BeginFunc(ctx, e.producers, func(tx pgx.Tx) error { return ob.Add(ctx, tx, evs...) }); err != nil {
					perr.Store(err)
					return
				}
				now := time.Now()
				a.commit(evs, now)
				produced.Add(int64(len(evs)))
				next = next.Add(interval)
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				} else if d < -time.Second {
					next = now // behind by more than a second: do not burst to catch up
				}
			}
		}()
	}
	reportDone := make(chan struct{})
	go func() { // the backlog over time: produced and acknowledged so far, no query
		defer close(reportDone)
		tick := time.NewTicker(o.report)
		defer tick.Stop()
		var lastP, lastA int64
		last := start
		for {
			select {
			case <-tick.C:
			case <-runCtx.Done():
				return
			}
			if !time.Now().Before(end.Add(o.report / 2)) {
				return
			}
			p, ak := produced.Load(), a.count.Load()
			now := time.Now()
			d := now.Sub(last).Seconds()
			fmt.Printf("  %s t=%3.0fs: produced %.0f/s, relayed %.0f/s, backlog %d (committed, not yet acknowledged); load %s\n",
				sys, now.Sub(start).Seconds(), float64(p-lastP)/d, float64(ak-lastA)/d, p-ak, loadavg())
			lastP, lastA, last = p, ak, now
		}
	}()
	pw.Wait()
	r.elapsed = time.Since(start)
	r.events = int(a.count.Load())
	r.produced = int(produced.Load())
	r.loadEnd = loadavg()
	r.cpuPerEvent, r.clientPerEvent = cpu.perEvent(r.events), cpu.clientPerEvent(r.events)
	r.producerCPUPerEvent = pcpu.perEvent(r.produced)
	ts := times() // the window's rounds: how long one takes, and how much of it is Kafka's
	var sum time.Duration
	for _, t := range ts {
		sum += t
	}
	if sum > 0 {
		r.kafkaShare = float64(a.busy.Load()) / float64(sum)
	}
	r.roundP50, r.roundP99 = percentiles(ts)
	r.rounds = len(ts)
	r.backlogLeft = unsent(ctx, e)
	if err, _ := perr.Load().(error); err != nil {
		return result{}, fmt.Errorf("producer: %w", err)
	}
	// Let the relays finish the backlog (bounded) so every committed event has a latency.
	close(stop)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2*o.duration + 30*time.Second):
		cancel()
		<-done
	}
	if err, _ := fail.Load().(error); err != nil {
		return result{}, err
	}
	<-reportDone
	a.mu.Lock()
	lat, missing := a.lat, len(a.committed)
	a.mu.Unlock()
	if missing > 0 {
		// A relay that fell behind and could not drain its backlog in the time allowed:
		// a figure (its events stay in the outbox, nothing is lost), not a failed run. Its
		// percentiles count the missing events as acknowledged now, so they understate.
		r.undrained = missing
		now := time.Now()
		a.mu.Lock()
		for _, c := range a.committed {
			lat = append(lat, now.Sub(c))
		}
		a.mu.Unlock()
	}
	r.p50, r.p99 = percentiles(lat)
	return r, nil
}

func undrained(r result) string {
	if r.undrained == 0 {
		return "every event acknowledged"
	}
	return fmt.Sprintf("%d events NOT drained within the wait (the relay fell behind; p50/p99 count them as acknowledged at the end of the wait, so understate)", r.undrained)
}

func unsent(ctx context.Context, e *env) int {
	var n int
	if err := e.producers.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		log.Printf("count unsent: %v", err)
		return -1
	}
	return n
}

func percentiles(d []time.Duration) (time.Duration, time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	slices.Sort(d)
	return d[len(d)/2], d[min(len(d)-1, len(d)*99/100)]
}

// cpuSample is the CPU the relays' backends had used when a phase started.
type cpuSample struct {
	pids  []int
	ticks int64
	self  time.Duration
}

// startCPU finds the relays' Postgres backends (their pools hold fixed connections named
// by application_name) and reads their CPU time.
func startCPU(ctx context.Context, e *env) (*cpuSample, error) {
	var pids []int
	for range 50 {
		rows, _ := e.producers.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, e.appName)
		var err error
		if pids, err = pgx.CollectRows(rows, pgx.RowTo[int]); err != nil {
			return nil, err
		}
		if len(pids) >= len(e.relays) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	s := &cpuSample{pids: pids}
	s.ticks, s.self = s.read(), selfCPU()
	return s, nil
}

func (s *cpuSample) read() int64 {
	var total int64
	for _, pid := range s.pids {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the command name (which may hold spaces): utime is the 14th field
		// of the line, stime the 15th.
		f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += u + st
	}
	return total
}

// producerCPU samples the producers' backends (application_name <appName>-producer).
func producerCPU(ctx context.Context, e *env) (*cpuSample, error) {
	rows, _ := e.producers.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, e.appName+"-producer")
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, err
	}
	s := &cpuSample{pids: pids}
	s.ticks, s.self = s.read(), selfCPU()
	return s, nil
}

// perEvent is the CPU since the sample per event; Linux counts it in 1/100 s ticks.
func (s *cpuSample) perEvent(n int) time.Duration {
	if n == 0 {
		return 0
	}
	return time.Duration((s.read() - s.ticks) * int64(10*time.Millisecond) / int64(n))
}

// clientPerEvent is this process's CPU since the sample per event.
func (s *cpuSample) clientPerEvent(n int) time.Duration {
	if n == 0 {
		return 0
	}
	return (selfCPU() - s.self) / time.Duration(n)
}

// selfCPU is this process's user+system CPU so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perCPUSecond is the capacity a per-event cost gives: events one CPU-second pays for.
func perCPUSecond(d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(time.Second) / float64(d)
}

func loadavg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(raw))[:3], " ")
}
