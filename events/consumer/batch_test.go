package consumer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/internal/testenv"
	"github.com/dizhtime/dizhtime/events/kafka"
)

// Batch mode against the real Kafka and PostgreSQL: every event delivered two or three
// times (relay duplicates, some in the same batch), a poison event in the middle of a
// batch, and a second member of the group started later that gets old events again:
// each event's effect exists exactly once, and the poison one costs only itself.
func TestConsumer_batchModeAppliesEachEventOnceUnderDuplicatesRedeliveryAndAPoisonEvent(t *testing.T) {
	f := setup(t)
	const n = 300
	var (
		msgs   []kafka.Message
		poison events.Envelope
	)
	for i := range n {
		e, m := f.event(t, context.Background(), "order-"+strconv.Itoa(i%7), i)
		if i == 150 {
			poison = e
		}
		msgs = append(msgs, m, m)
		if i%10 == 0 {
			msgs = append(msgs, m)
		}
	}
	f.publish(t, msgs...)
	var batches atomic.Int32
	name := testenv.Name("consumer")
	handler := func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
		if e.ID == poison.ID {
			return consumer.Permanent(errors.New("menu item plov-xl does not exist"))
		}
		return record(ctx, tx, e)
	}
	batchHandler := func(ctx context.Context, tx pgx.Tx, evs []events.Envelope) error {
		batches.Add(1)
		for _, e := range evs {
			if err := handler(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	}
	cfg := consumer.Config{Name: name, MaxAttempts: 2, BatchSize: 64, BatchHandler: batchHandler,
		CommitInterval: 100 * time.Millisecond}
	f.start(t, cfg, handler)
	got := f.waitEffects(t, n-1)
	if len(got) != n-1 {
		t.Fatalf("%d effects for %d events (one poison) delivered 2-3 times each, want %d", len(got), n, n-1)
	}
	seen := map[string]bool{}
	for _, e := range got {
		if seen[e.EventID] || e.EventID == poison.ID {
			t.Fatalf("event %s applied twice or the poison applied", e.EventID)
		}
		seen[e.EventID] = true
	}
	if b := batches.Load(); b == 0 || b >= n {
		t.Fatalf("%d batches for %d events: batch mode did not batch", b, n)
	}
	col := testenv.Collect(t, f.brokers, consumer.DLQTopic(f.topic))
	dlq := col.WaitFor(t, 1, 30*time.Second)
	if dlq[0].Headers[events.HeaderID] != poison.ID {
		t.Fatalf("dead letter %v, want the poison event", dlq[0].Headers)
	}

	// Redelivery: a relay resending the first hundred events, and a new member of the
	// group (the first one stays) that takes over partitions mid-stream.
	f.publish(t, msgs[:100]...)
	_, fresh := f.event(t, context.Background(), "order-new", n+1)
	f.publish(t, fresh)
	f.start(t, cfg, handler)
	if got := f.waitEffects(t, n); len(got) != n {
		t.Fatalf("%d effects after redelivery, want %d", len(got), n)
	}
	var recorded int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM processed_events WHERE consumer = $1`, name).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if recorded != n { // n-1 applied + 1 new; the poison is not recorded
		t.Fatalf("%d processed ids, want %d", recorded, n)
	}
}

// A handler failing for one event rolls back its whole batch; the batch's events then go
// one by one, so the others commit and the failing one is retried alone.
func TestConsumer_batchModeRetriesAFailingEventAloneAndCommitsItsNeighbours(t *testing.T) {
	f := setup(t)
	var msgs []kafka.Message
	var flaky events.Envelope
	for i := range 20 {
		e, m := f.event(t, context.Background(), "order-1", i)
		if i == 7 {
			flaky = e
		}
		msgs = append(msgs, m)
	}
	f.publish(t, msgs...)
	var failures atomic.Int32
	f.start(t, consumer.Config{BatchSize: 32, MaxAttempts: 5}, func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
		if e.ID == flaky.ID && failures.Add(1) <= 2 {
			return fmt.Errorf("transient failure %d", failures.Load())
		}
		return record(ctx, tx, e)
	})
	got := f.waitEffects(t, 20)
	if len(got) != 20 {
		t.Fatalf("%d effects, want 20", len(got))
	}
	for i, e := range got {
		if e.N != i {
			t.Fatalf("effects %+v: want n 0..19 each once", got)
		}
	}
	if failures.Load() < 3 {
		t.Fatalf("the flaky event ran %d times, want it retried", failures.Load())
	}
}

// The state a crash between a batch's commit and its (asynchronous) offset commit leaves:
// the batch's effects and ids are in PostgreSQL, the group's offsets are not in Kafka.
// The next member gets those events again and must skip them all.
func TestConsumer_batchModeSkipsEventsWhoseTransactionCommittedBeforeACrashLostTheirOffsets(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	name := testenv.Name("consumer")
	var msgs []kafka.Message
	var committed []events.Envelope
	for i := range 100 {
		e, m := f.event(t, ctx, "order-"+strconv.Itoa(i%5), i)
		msgs = append(msgs, m)
		if i < 40 {
			committed = append(committed, e)
		}
	}
	f.publish(t, msgs...)
	// The crashed member's last transactions, as the consumer writes them.
	if err := pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
		for _, e := range committed {
			if _, err := tx.Exec(ctx, `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)`, name, e.ID); err != nil {
				return err
			}
			if err := record(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.start(t, consumer.Config{Name: name, BatchSize: 32}, record)
	got := f.waitEffects(t, 100)
	if len(got) != 100 {
		t.Fatalf("%d effects for 100 events, 40 of them applied before the crash: want 100", len(got))
	}
	for i, e := range got {
		if e.N != i {
			t.Fatalf("effect %d has n %d: an event applied twice or lost", i, e.N)
		}
	}
}

// OneTransaction: the messages fetched together go into one transaction whatever their
// partitions, each partition's events still in offset order; every event's effect exists
// once under duplicates, and a handler call did see events of several partitions.
func TestConsumer_oneTransactionAppliesAFetchAcrossPartitionsOnceEachInOrder(t *testing.T) {
	f := setup(t)
	const n = 240
	msgs := f.publishSubjects(t, n, 12)
	var (
		mu    sync.Mutex
		calls [][]string // the subjects each handler call got, in order
	)
	batchHandler := func(ctx context.Context, tx pgx.Tx, evs []events.Envelope) error {
		var subjects []string
		for _, e := range evs {
			if err := record(ctx, tx, e); err != nil {
				return err
			}
			subjects = append(subjects, e.Subject)
		}
		mu.Lock()
		calls = append(calls, subjects)
		mu.Unlock()
		return nil
	}
	f.start(t, consumer.Config{BatchSize: 64, BatchHandler: batchHandler, OneTransaction: true,
		CommitInterval: 100 * time.Millisecond}, record)
	f.appliedOnceEach(t, n)
	partition := f.partitions(t, msgs)
	mu.Lock()
	defer mu.Unlock()
	if !crossesPartitions(partition, calls) {
		t.Fatalf("no handler call of %d got events of more than one partition", len(calls))
	}
	// Per subject (so per partition), the events were applied in the order produced.
	rows, _ := f.pool.Query(context.Background(), `SELECT n FROM effects ORDER BY ctid`)
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	last := map[int]int{}
	for _, v := range applied {
		s := v % 12
		if prev, ok := last[s]; ok && v < prev {
			t.Fatalf("subject order-%d: event %d applied after %d", s, v, prev)
		}
		last[s] = v
	}
}

// ShardKey: the messages fetched together are grouped by key (a "wallet" shared by
// subjects of different partitions), not by partition. No two transactions running at
// the same time hold events of one key; a group does carry events of several
// partitions; every event's effect exists once under duplicates; and each subject's
// events are applied in the order produced.
func TestConsumer_shardKeyGroupsAFetchByKeyAcrossPartitions_noKeyInTwoTransactionsAtOnce(t *testing.T) {
	f := setup(t)
	const (
		n        = 240
		subjects = 12
		wallets  = 4
	)
	msgs := f.publishSubjects(t, n, subjects)
	walletOf := func(subject string) string {
		k, _ := strconv.Atoi(subject[len("order-"):])
		return "wallet-" + strconv.Itoa(k%wallets)
	}
	var (
		mu      sync.Mutex
		held    = map[string]int{} // wallet -> transactions holding it now
		clashes []string
		calls   [][]string // the subjects each handler call got
		order   [][]int    // per subject, the events' n in the order applied
	)
	order = make([][]int, subjects)
	batchHandler := func(ctx context.Context, tx pgx.Tx, evs []events.Envelope) error {
		mine := map[string]bool{}
		var got []string
		for _, e := range evs {
			mine[walletOf(e.Subject)] = true
			got = append(got, e.Subject)
		}
		mu.Lock()
		for w := range mine {
			if held[w] > 0 {
				clashes = append(clashes, w)
			}
			held[w]++
		}
		calls = append(calls, got)
		mu.Unlock()
		defer func() {
			mu.Lock()
			for w := range mine {
				held[w]--
			}
			mu.Unlock()
		}()
		for _, e := range evs {
			if err := record(ctx, tx, e); err != nil {
				return err
			}
			var s step
			_ = json.Unmarshal(e.Data, &s)
			mu.Lock()
			order[s.N%subjects] = append(order[s.N%subjects], s.N)
			mu.Unlock()
		}
		time.Sleep(5 * time.Millisecond) // hold the "locks" long enough for the groups to overlap
		return nil
	}
	f.start(t, consumer.Config{BatchSize: 64, BatchHandler: batchHandler,
		ShardKey: func(e events.Envelope) string { return walletOf(e.Subject) }, CommitInterval: 100 * time.Millisecond}, record)
	f.appliedOnceEach(t, n)
	partition := f.partitions(t, msgs)
	mu.Lock()
	defer mu.Unlock()
	if len(clashes) > 0 {
		t.Fatalf("transactions running at once both held %v", clashes)
	}
	if !crossesPartitions(partition, calls) {
		t.Fatalf("no handler call of %d got events of more than one partition: not grouped by key", len(calls))
	}
	// One key's groups run one after the other (a fetch's groups are waited for), so the
	// order the handler saw a subject's events in is the order they were applied.
	for s, ns := range order {
		for i := 1; i < len(ns); i++ {
			if ns[i] < ns[i-1] {
				t.Fatalf("subject order-%d: event %d applied after %d", s, ns[i], ns[i-1])
			}
		}
	}
}

// With ShardKey a fetch is decoded once and grouped by key: a message that does not
// decode goes to a group of its own key's choosing (the first), which then goes one by one
// and dead-letters it; every other event's effect exists once.
func TestConsumer_shardKeyDeadLettersAnUndecodableMessageAndAppliesTheRestOnce(t *testing.T) {
	f := setup(t)
	const n, subjects = 120, 6
	var msgs []kafka.Message
	for i := range n {
		if i == n/2 {
			msgs = append(msgs, kafka.Message{Topic: f.topic, Key: []byte("order-3"), Value: []byte("{not json")})
		}
		_, m := f.event(t, context.Background(), "order-"+strconv.Itoa(i%subjects), i)
		msgs = append(msgs, m)
	}
	f.publish(t, msgs...)
	f.start(t, consumer.Config{BatchSize: 64, ShardKey: func(e events.Envelope) string { return e.Subject },
		CommitInterval: 100 * time.Millisecond}, record)
	f.appliedOnceEach(t, n)
	dlq := testenv.Collect(t, f.brokers, consumer.DLQTopic(f.topic)).WaitFor(t, 1, 30*time.Second)
	if len(dlq) != 1 || string(dlq[0].Value) != "{not json" {
		t.Fatalf("dead letters %v, want the undecodable message alone", dlq)
	}
}

// publishSubjects publishes n events over the subjects order-0 … order-(subjects-1) in
// turn, every fifth twice (a relay's duplicate), and returns what it published.
func (f fixture) publishSubjects(t *testing.T, n, subjects int) []kafka.Message {
	t.Helper()
	var msgs []kafka.Message
	for i := range n {
		_, m := f.event(t, context.Background(), "order-"+strconv.Itoa(i%subjects), i)
		msgs = append(msgs, m)
		if i%5 == 0 {
			msgs = append(msgs, m)
		}
	}
	f.publish(t, msgs...)
	return msgs
}

// appliedOnceEach waits for the effects of events 0 … n-1 and fails unless each exists
// exactly once.
func (f fixture) appliedOnceEach(t *testing.T, n int) {
	t.Helper()
	got := f.waitEffects(t, n)
	if len(got) != n {
		t.Fatalf("%d effects for %d events, want %d", len(got), n, n)
	}
	for i, e := range got {
		if e.N != i {
			t.Fatalf("effect %d has n %d: an event applied twice or lost", i, e.N)
		}
	}
}

// partitions is the partition each subject of msgs went to, as the topic holds them.
func (f fixture) partitions(t *testing.T, msgs []kafka.Message) map[string]int {
	t.Helper()
	partition := map[string]int{}
	for _, m := range testenv.Collect(t, f.brokers, f.topic).WaitFor(t, len(msgs), 30*time.Second) {
		partition[string(m.Key)] = m.Partition
	}
	return partition
}

// crossesPartitions reports whether some handler call got subjects of more than one
// partition.
func crossesPartitions(partition map[string]int, calls [][]string) bool {
	for _, subjects := range calls {
		parts := map[int]bool{}
		for _, s := range subjects {
			parts[partition[s]] = true
		}
		if len(parts) > 1 {
			return true
		}
	}
	return false
}
