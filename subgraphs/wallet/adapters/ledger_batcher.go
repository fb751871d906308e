package adapters

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
)

// BatchConfig tunes how LedgerRepository.Post coalesces concurrent operations into
// wallet_post_batch calls (migration 0007): one round trip and one transaction for a
// whole batch, each operation with its own outcome.
type BatchConfig struct {
	// MaxBatch caps the operations per call (1..64; default 64: PostgreSQL's subxid cache).
	MaxBatch int
	// Flushers is how many batches may be in flight at once (default 2: wallet-bench's
	// PayOrder, 20 workers, ran 1.65-1.94x pgledger's tx/s with 2, 1.06-1.43x with 3,
	// 1.2-1.7x with 4, 1.25-1.29x with 6: with more, batches shrink and each batch's fixed
	// cost outweighs the parallelism; 1 leaves the work serial). A batch leaves
	// as soon as a flusher is free (group commit): with every flusher busy, operations
	// queue and the next free one takes up to MaxBatch of them. Batches in flight at once
	// never share an account (see takeLocked), so they do not queue on each other's row
	// locks: a wallet busy in one batch waits in the queue, and its operations go
	// together into the next batch, applied to the row once.
	Flushers int
	// Linger is how long a flusher waits for more operations before it sends a batch that
	// is not full (default 0: never waits; at most 2ms).
	Linger time.Duration
}

const maxLinger = 2 * time.Millisecond

// maxPostBatch is the most operations one wallet_post_batch call takes (its slow path
// runs each in a subtransaction; PostgreSQL caches 64 subtransaction ids per backend).
const maxPostBatch = 64

// batchAccounts lists the distinct accounts reqs move.
func batchAccounts(reqs []app.PostRequest) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range reqs {
		for _, x := range r.Tx.Postings() {
			if id := x.Account.String(); !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

func (c BatchConfig) withDefaults() BatchConfig {
	if c.MaxBatch <= 0 || c.MaxBatch > maxPostBatch {
		c.MaxBatch = maxPostBatch
	}
	if c.Flushers <= 0 {
		c.Flushers = 2
	}
	c.Linger = min(max(c.Linger, 0), maxLinger)
	return c
}

// pendingPost is one operation waiting for its batch.
type pendingPost struct {
	req      app.PostRequest
	accts    []string // the accounts its postings move (wallet_post_batch locks them)
	attempts int
	done     chan postOutcome // buffered (1): the batcher never blocks on a gone caller
}

type postOutcome struct {
	res app.PostResult
	err error
}

// postBatcher coalesces operations without a goroutine of its own: the submitter that
// finds a flusher slot free starts one, and a flusher keeps taking batches until the
// queue is empty, so an idle repository holds nothing to close.
type postBatcher struct {
	pool *pgxpool.Pool
	repo *LedgerRepository // its audit key and MaxAttempts, read at each flush
	cfg  BatchConfig

	mu      sync.Mutex
	queue   []*pendingPost
	running int
	// busy holds the accounts of the batches in flight: an operation that moves one of
	// them stays queued until that batch is done.
	busy map[string]bool

	batches, ops atomic.Int64
}

func (b *postBatcher) submit(p *pendingPost) {
	b.mu.Lock()
	b.queue = append(b.queue, p)
	start := b.running < b.cfg.Flushers
	if start {
		b.running++
	}
	b.mu.Unlock()
	if start {
		go b.flusher()
	}
}

func (b *postBatcher) flusher() {
	var held []string // the accounts of this flusher's last batch, freed when it takes the next
	for {
		if b.cfg.Linger > 0 {
			b.mu.Lock()
			short := len(b.queue) < b.cfg.MaxBatch
			b.mu.Unlock()
			if short {
				time.Sleep(b.cfg.Linger)
			}
		}
		b.mu.Lock()
		for _, a := range held {
			delete(b.busy, a)
		}
		batch, accts := b.takeLocked()
		if len(batch) == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		// Operations left behind may not conflict with anything in flight: another flusher
		// may take them now rather than after this batch.
		spawn := len(b.queue) > 0 && b.running < b.cfg.Flushers
		if spawn {
			b.running++
		}
		b.mu.Unlock()
		if spawn {
			go b.flusher()
		}
		b.flush(batch)
		held = accts
	}
}

// maxScan bounds how far down the queue takeLocked looks for operations that can go.
const maxScan = 1024

// takeLocked takes up to MaxBatch queued operations, oldest first, that move no account
// of a batch in flight, and marks their accounts busy (b.mu held). Per account the queue
// order is kept: once an operation is passed over, every later operation that shares an
// account with it is passed over too, so an operation waits only for batches already in
// flight and is never overtaken on its accounts (no starvation). Operations of one batch
// may share accounts: wallet_post_batch applies them in order.
func (b *postBatcher) takeLocked() ([]*pendingPost, []string) {
	if b.busy == nil {
		b.busy = map[string]bool{}
	}
	var (
		batch   []*pendingPost
		accts   []string
		mine    = map[string]bool{}
		skipped map[string]bool
		kept    = b.queue[:0]
	)
	for i, p := range b.queue {
		if len(batch) == b.cfg.MaxBatch || i >= maxScan {
			kept = append(kept, b.queue[i:]...)
			break
		}
		free := true
		for _, a := range p.accts {
			if (b.busy[a] && !mine[a]) || skipped[a] {
				free = false
				break
			}
		}
		if !free {
			if skipped == nil {
				skipped = map[string]bool{}
			}
			for _, a := range p.accts {
				skipped[a] = true
			}
			kept = append(kept, p)
			continue
		}
		batch = append(batch, p)
		for _, a := range p.accts {
			if !mine[a] {
				mine[a] = true
				b.busy[a] = true
				accts = append(accts, a)
			}
		}
	}
	clear(b.queue[len(kept):])
	b.queue = kept
	return batch, accts
}

// post submits req and waits for its outcome (or ctx: the operation may still be applied
// then, as with any call cut short; its idempotency key makes a retry safe).
func (b *postBatcher) post(ctx context.Context, req app.PostRequest) (app.PostResult, error) {
	p := &pendingPost{req: req, done: make(chan postOutcome, 1)}
	for _, x := range req.Tx.Postings() {
		p.accts = append(p.accts, x.Account.String())
	}
	b.submit(p)
	select {
	case o := <-p.done:
		return o.res, o.err
	case <-ctx.Done():
		return app.PostResult{}, ctx.Err()
	}
}

// flush sends one batch. Operations that lost a race another attempt can win (a
// concurrent first use of their idempotency key, a deadlock) go back to the queue after
// a jittered backoff, up to MaxAttempts; every other operation gets its outcome.
func (b *postBatcher) flush(batch []*pendingPost) {
	reqs := make([]app.PostRequest, len(batch))
	for i, p := range batch {
		reqs[i] = p.req
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	outs, err := postBatch(ctx, b.pool, b.repo.audit, reqs)
	b.batches.Add(1)
	b.ops.Add(int64(len(batch)))
	for i, p := range batch {
		switch {
		case err != nil:
			b.settle(p, err)
		case outs[i].err != nil:
			b.settle(p, outs[i].err)
		default:
			p.done <- outs[i]
		}
	}
}

const postBatchSQL = `SELECT op, status, tx_id::text, err_code, err_constraint, err_message FROM wallet_post_batch(
	$1::text[]::uuid[], $2, $3, $4, $5, $6::text[]::uuid[], $7, $8, $9, $10, $11, $12,
	$13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`

// postBatch applies reqs with one wallet_post_batch call: one outcome per request, an
// operation's failure as its *pgconn.PgError (unmapped, so the caller can tell a
// retryable race), or err when the whole call failed.
func postBatch(ctx context.Context, q querier, key AuditKey, reqs []app.PostRequest) ([]postOutcome, error) {
	n := len(reqs)
	var (
		txIDs, kinds, currencies, actors, reasons, traces = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		keys, orderIDs, refTxs, counterparties            = make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
		hashes                                            = make([][]byte, n)
		amounts                                           = make([]int64, n)
		from, count                                       = make([]int32, n), make([]int32, n)
		accts, acctKinds, owners, acctCurs                []string
		neg                                               []bool
		postAmts                                          []int64
	)
	for i, r := range reqs {
		txIDs[i], keys[i], hashes[i] = r.TxID, nullable(r.IdempotencyKey), r.RequestHash
		kinds[i], orderIDs[i], refTxs[i], counterparties[i] = string(r.Tx.Kind()), nullable(r.Tx.OrderID), nullable(r.RefTxID), nullable(r.Counterparty)
		amounts[i], currencies[i] = r.Tx.Amount.Minor(), string(r.Tx.Amount.Currency())
		actors[i], reasons[i], traces[i] = r.Actor, r.Tx.Reason, r.TraceID
		ps := r.Tx.Postings()
		from[i], count[i] = int32(len(accts)+1), int32(len(ps))
		for _, x := range ps {
			accts = append(accts, x.Account.String())
			acctKinds = append(acctKinds, string(x.Account.Kind))
			owners = append(owners, x.Account.Owner)
			acctCurs = append(acctCurs, string(x.Account.Currency))
			neg = append(neg, x.Account.Kind.MayGoNegative())
			postAmts = append(postAmts, x.Amount)
		}
	}
	rows, _ := q.Query(ctx, postBatchSQL, txIDs, keys, hashes, kinds, orderIDs, refTxs, counterparties,
		amounts, currencies, actors, reasons, traces, from, count, accts, acctKinds, owners, acctCurs, neg, postAmts,
		key.ipad, key.opad)
	type row struct {
		Op                          int32
		Status                      string
		TxID, Code, Constr, Message *string
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err == nil && len(got) != n {
		err = fmt.Errorf("wallet_post_batch answered %d rows for %d operations", len(got), n)
	}
	if err != nil {
		return nil, fmt.Errorf("post batch of %d: %w", n, err)
	}
	outs := make([]postOutcome, n)
	for _, r := range got {
		i := r.Op - 1
		if r.Status == "error" {
			pe := &pgconn.PgError{Code: deref(r.Code), ConstraintName: deref(r.Constr), Message: deref(r.Message)}
			outs[i].err = fmt.Errorf("post %s: %w", reqs[i].Tx.Kind(), pe)
			continue
		}
		outs[i].res, outs[i].err = result(r.Status, r.TxID)
	}
	return outs, nil
}

// PostBatch applies reqs as one batch, in one call and one transaction, whatever the
// batching configuration: each request gets its own result or error (the errors Post
// would give), one failing never failing another. For tests and tools that need to know
// what went into one batch; services call Post.
func (r *LedgerRepository) PostBatch(ctx context.Context, reqs []app.PostRequest) ([]app.PostResult, []error, error) {
	outs, err := postBatch(ctx, r.pool, r.audit, reqs)
	if err != nil {
		return nil, nil, mapError(err)
	}
	res, errs := make([]app.PostResult, len(outs)), make([]error, len(outs))
	for i, o := range outs {
		res[i], errs[i] = o.res, mapError(o.err)
	}
	return res, errs, nil
}

// BatchStats says how many batches Post sent and how many operations they carried.
func (r *LedgerRepository) BatchStats() (batches, ops int64) {
	if r.batcher == nil {
		return 0, 0
	}
	return r.batcher.batches.Load(), r.batcher.ops.Load()
}

// settle retries p when err is transient and attempts remain, else answers err.
func (b *postBatcher) settle(p *pendingPost, err error) {
	p.attempts++
	if Retryable(err) && p.attempts < b.repo.MaxAttempts {
		wait := min(2*time.Millisecond<<(p.attempts-1), 200*time.Millisecond)
		time.AfterFunc(wait/2+rand.N(wait), func() { b.submit(p) })
		return
	}
	p.done <- postOutcome{err: mapError(err)}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
