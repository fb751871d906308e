package outbox_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dizhtime/dizhtime/events/internal/testenv"
	"github.com/dizhtime/dizhtime/events/outbox"
)

// planNode is the part of EXPLAIN (FORMAT JSON) the claim test reads.
type planNode struct {
	NodeType   string     `json:"Node Type"`
	ActualRows float64    `json:"Actual Rows"`
	Loops      float64    `json:"Actual Loops"`
	Plans      []planNode `json:"Plans"`
}

// indexRows sums the rows every index scan of the plan returned, and reports whether any
// node scanned the table sequentially.
func indexRows(n planNode) (rows float64, seqScan bool) {
	if n.NodeType == "Seq Scan" {
		seqScan = true
	}
	if strings.Contains(n.NodeType, "Index") {
		rows += n.ActualRows * n.Loops
	}
	for _, c := range n.Plans {
		r, s := indexRows(c)
		rows, seqScan = rows+r, seqScan || s
	}
	return rows, seqScan
}

// The round's read costs the rows it publishes, not the backlog: at 60,000 unsent rows
// over 1,000 subjects, reading a batch of 500 from every partition touches about 500
// index entries (plus one per partition), with custom and generic plans alike, and a
// round over one partition no more than a batch.
func TestRelay_claimReadsABatchWhateverTheBacklog(t *testing.T) {
	pool, _, _ := setup(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO outbox (event_id, topic, subject, value, headers)
		SELECT gen_random_uuid(), 't', 'order-' || (i % 1000), '\x00', '{}' FROM generate_series(1, 60000) i`); err != nil {
		t.Fatal(err)
	}
	const batch = 500
	all := make([]int32, 32)
	for i := range all {
		all[i] = int32(i)
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		for _, parts := range [][]int32{all, {7}} {
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, "SET LOCAL plan_cache_mode = "+mode); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "PREPARE claimed(int[], int) AS "+outbox.SelectClaimedSQL); err != nil {
					return err
				}
				var out []byte
				if err := tx.QueryRow(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE claimed($1, $2)", pgx.QueryExecModeSimpleProtocol, parts, batch).Scan(&out); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "DEALLOCATE claimed"); err != nil {
					return err
				}
				var plans []struct {
					Plan planNode `json:"Plan"`
				}
				if err := json.Unmarshal(out, &plans); err != nil {
					return err
				}
				rows, seq := indexRows(plans[0].Plan)
				if seq {
					t.Errorf("%s, %d partitions: the claim scans the whole table", mode, len(parts))
				}
				if limit := float64(batch + len(parts)); rows > limit || rows < batch {
					t.Errorf("%s, %d partitions: the claim read %v index entries, want %d to %v", mode, len(parts), rows, batch, limit)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Four relays with different shares of the partitions and batch sizes, one of them dying
// after publishing every third round (so its events are published again by whoever claims
// their partition next), share one outbox while four producers commit: every event
// arrives, and after dropping repeated event ids (as consumers do) each subject's events
// arrive in commit order.
func TestRelay_severalRelaysKeepPerSubjectOrderWhileOneKeepsCrashing(t *testing.T) {
	t.Run("sent rows marked", func(t *testing.T) { severalRelaysKeepPerSubjectOrder(t, false) })
	t.Run("sent rows deleted", func(t *testing.T) { severalRelaysKeepPerSubjectOrder(t, true) })
}

func severalRelaysKeepPerSubjectOrder(t *testing.T, deleteSent bool) {
	pool, brokers, topic := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := producer(t, brokers)
	col := testenv.Collect(t, brokers, topic)
	var (
		wg      sync.WaitGroup
		crashes atomic.Int64
	)
	for i, claim := range []int{3, 5, 8, 32} {
		r := relay(t, testenv.PostgresSchema(t, schemaOf(t, pool), false), pub,
			outbox.RelayConfig{BatchSize: 5 + 7*i, ClaimPartitions: claim, PollInterval: 20 * time.Millisecond, DeleteSent: deleteSent})
		if i == 0 {
			var rounds atomic.Int64
			r.SetHook(func(_ context.Context, p string) error {
				if p == "published" && rounds.Add(1)%3 == 0 {
					crashes.Add(1)
					return errCrash
				}
				return nil
			})
		}
		wg.Add(1)
		go func() { defer wg.Done(); _ = r.Run(ctx) }()
	}
	defer wg.Wait()
	defer cancel()

	const subjects, perSubject, writers = 40, 25, 4
	ob := outbox.New()
	var pw sync.WaitGroup
	for w := range writers {
		pw.Add(1)
		go func() {
			defer pw.Done()
			// Writer w owns subjects w, w+4, ...: its events of one subject are numbered in
			// commit order. Transactions carry two subjects, as a saga step may.
			next := map[string]int{}
			mine := subjects / writers
			for i := 0; i < mine*perSubject; i += 2 {
				a := "order-" + strconv.Itoa(w+writers*(i%mine))
				b := "order-" + strconv.Itoa(w+writers*((i+1)%mine))
				err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
					return ob.Add(ctx, tx, newEvent(t, topic, a, next[a]), newEvent(t, topic, b, next[b]))
				})
				if err != nil {
					t.Error(err)
					return
				}
				next[a]++
				next[b]++
			}
		}()
	}
	pw.Wait()
	total := subjects * perSubject
	deadline := time.Now().Add(90 * time.Second)
	var got map[string]int
	for {
		got = map[string]int{}
		for _, m := range col.Messages() {
			e, _ := decode(t, m)
			got[e.ID]++
		}
		if len(got) >= total || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	msgs := col.Settle(time.Second)
	if len(got) != total {
		t.Fatalf("%d distinct events arrived, want %d: events were lost", len(got), total)
	}
	if crashes.Load() == 0 {
		t.Fatal("the crashing relay never crashed: the test proved nothing about redelivery")
	}
	seen := map[string]bool{}
	next := map[string]int{}
	for _, m := range msgs {
		e, n := decode(t, m)
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		if n != next[e.Subject] {
			t.Errorf("%s: event %d arrived first after %d events", e.Subject, n, next[e.Subject])
		}
		next[e.Subject] = n + 1
	}
	if n := unsent(t, pool); n != 0 {
		t.Errorf("%d rows unsent after everything arrived", n)
	}
	t.Logf("%d messages for %d events; the crashing relay died %d times", len(msgs), total, crashes.Load())
}

// The housekeeper's clean-up walks the primary key from the oldest row: it deletes sent
// rows older than the retention and stops at the first row that is unsent or sent
// recently, so it needs no index on sent_at.
func TestRelay_cleanupDeletesOldSentRowsUpToTheFirstUnsentOrRecentOne(t *testing.T) {
	pool, _, _ := setup(t)
	ctx := context.Background()
	// seq 1-5 sent two days ago, 6 unsent, 7-8 sent two days ago, 9-10 sent a minute ago.
	if _, err := pool.Exec(ctx, `INSERT INTO outbox (event_id, topic, subject, value, headers)
		SELECT gen_random_uuid(), 't', 'order-' || i, '\x00', '{}' FROM generate_series(1, 10) i;
		UPDATE outbox SET sent_at = now() - interval '2 days' WHERE seq <= 8 AND seq <> 6;
		UPDATE outbox SET sent_at = now() - interval '1 minute' WHERE seq > 8`); err != nil {
		t.Fatal(err)
	}
	left := func() []int64 {
		rows, _ := pool.Query(ctx, `SELECT seq FROM outbox ORDER BY seq`)
		seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		return seqs
	}
	if _, err := pool.Exec(ctx, outbox.CleanupSQL, (24 * time.Hour).Seconds()); err != nil {
		t.Fatal(err)
	}
	if got := left(); !slices.Equal(got, []int64{6, 7, 8, 9, 10}) {
		t.Fatalf("after the clean-up rows %v are left, want 6-10 (1-5 were old and sent)", got)
	}
	if _, err := pool.Exec(ctx, `UPDATE outbox SET sent_at = now() - interval '2 days' WHERE seq = 6`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, outbox.CleanupSQL, (24 * time.Hour).Seconds()); err != nil {
		t.Fatal(err)
	}
	if got := left(); !slices.Equal(got, []int64{9, 10}) {
		t.Fatalf("after the second clean-up rows %v are left, want 9-10 (sent within the retention)", got)
	}
}
