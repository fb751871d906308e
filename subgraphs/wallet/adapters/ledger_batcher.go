package adapters

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
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
	// Flushers is how many flushers (connections) may send batches at once (default 2).
	// Without pipelining (Pipeline 1) each flusher has one batch in flight and all of
	// them run whenever operations wait: wallet-bench's PayOrder, 20 workers, ran
	// 1.65-1.94x pgledger's tx/s with 2, 1.06-1.43x with 3, 1.2-1.7x with 4, 1.25-1.29x
	// with 6 (with more, batches shrink and each batch's fixed cost outweighs the
	// parallelism; 1 leaves the work serial). Pipelined (the default), one flusher runs
	// and another joins only while takes leave operations queued (a full batch), see
	// Pipeline. A batch leaves as soon as a flusher has room (group commit): with every
	// flusher busy, operations queue and the next one with room takes up to MaxBatch of
	// them. Batches of different flushers never share an account (see takeLocked), so
	// they do not queue on each other's row locks: a wallet busy in one batch waits in
	// the queue, and its operations go together into the next batch, applied to the row
	// once.
	Flushers int
	// Linger is how long a flusher waits for more operations before it sends a batch that
	// is not full to an idle connection (default 0: never waits; at most 2ms).
	Linger time.Duration
	// Pipeline is how many batches one flusher keeps in flight on its connection (default
	// 2; at most maxPipeline). Above 1 a flusher holds one connection in pgx's pipeline
	// mode and sends its next batch before it reads the running one's results, so the
	// server goes from one batch straight to the next instead of waiting for the round
	// trip and the flusher's dispatch of the results. Each batch stays its own
	// transaction (its own Sync): one failing never touches the next. A flusher's
	// batches may share accounts (one backend runs them in order); another flusher's
	// never do. 1: each batch is one call on a pooled connection, the next one taken
	// only after its results. wallet-bench -compare, 20 workers, rounds 2, alternated
	// seven times each on this shared 2-core machine (load 1.8-6.5): pgledger's tx/s times
	// 2.12x / 2.44x (medians, 50 / 10 accounts) pipelined against 1.89x / 2.15x, ahead
	// in 6 and 7 of the 7 pairs; p99 median 6.4 against 10.3 ms; Postgres CPU per
	// payment 128-213 against 158-319 µs (batches of ~6.9 on one backend against ~5.3 on
	// two). Two pipelined flushers side by side at 20 workers made batches of ~3.8 and
	// ran slower than either. The cost: one pipelined backend is one core; at 40 workers
	// and 50 accounts (batches ~14, short of the full batch that brings in a second
	// flusher) it ran 9-22% fewer tx/s than Pipeline 1 (mixed at 10 accounts).
	Pipeline int
}

const (
	maxLinger   = 2 * time.Millisecond
	maxPipeline = 8
	// batchTimeout bounds one batch's call (a pipelined batch: from when its results are
	// awaited); past it the connection is broken and the batch fails.
	batchTimeout = 30 * time.Second
	// pipeHold is how long a flusher keeps one connection while operations keep coming:
	// then it lets its batches finish and takes a fresh one, so the pool's lifetime
	// limits (failovers, DNS changes) still apply.
	pipeHold = 10 * time.Second
)

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
	if c.Pipeline <= 0 {
		c.Pipeline = 2
	}
	c.Pipeline = min(c.Pipeline, maxPipeline)
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
// queue is empty and its batches are done, so an idle repository holds nothing to close.
type postBatcher struct {
	pool *pgxpool.Pool
	repo *LedgerRepository // its audit key and MaxAttempts, read at each flush
	cfg  BatchConfig

	mu      sync.Mutex
	queue   []*pendingPost
	running int
	// busy holds the accounts of the batches in flight, each with the flusher whose
	// batches move it: an operation that moves one stays queued until those batches are
	// done, unless the flusher taking it is that one (its batches run in order on one
	// connection).
	busy map[string]accountHold

	flusherIDs   atomic.Int64
	batches, ops atomic.Int64
}

// accountHold is which flusher's batches in flight move an account, and how many.
type accountHold struct {
	flusher int64
	batches int
}

// flight is a batch sent and not yet answered, with the requests sent for it (its
// results are read against them).
type flight struct {
	batch []*pendingPost
	reqs  []app.PostRequest
	accts []string
}

func (b *postBatcher) submit(p *pendingPost) {
	b.mu.Lock()
	b.queue = append(b.queue, p)
	// Pipelined, one flusher keeps its backend busy by itself, with the largest batches
	// (a call's fixed cost is several operations' worth): another starts only when one
	// leaves operations queued after its take (see flusher), not for every operation that
	// arrives while the running one waits for results.
	start := b.running < b.cfg.Flushers && (b.running == 0 || b.cfg.Pipeline == 1)
	if start {
		b.running++
	}
	b.mu.Unlock()
	if start {
		go b.flusher()
	}
}

func (b *postBatcher) flusher() {
	id := b.flusherIDs.Add(1)
	var (
		done    []string // the accounts of the batch answered last, freed at the next take
		flights []flight // sent on pipe, oldest first (only when pipelining)
		pipe    *pipeConn
		// leftBehind: this flusher's last take left operations queued (so it was started)
		leftBehind = true
	)
	for {
		if b.cfg.Linger > 0 && len(flights) == 0 {
			b.mu.Lock()
			short := len(b.queue) < b.cfg.MaxBatch
			b.mu.Unlock()
			if short {
				time.Sleep(b.cfg.Linger)
			}
		}
		if pipe != nil && len(flights) == 0 && pipe.retiring() {
			pipe.release()
			pipe = nil
		}
		b.mu.Lock()
		b.freeLocked(done)
		done = nil
		var (
			batch []*pendingPost
			accts []string
		)
		// Pipelined, a flusher beside another one is needed only while takes leave
		// operations behind (see submit): else it takes no more, and once its batches
		// are answered it ends (the decision and the end under b.mu, so one flusher
		// always stays while any runs).
		surplus := b.cfg.Pipeline > 1 && b.running > 1 && !leftBehind
		if len(flights) < b.cfg.Pipeline && (pipe == nil || !pipe.retiring()) && !surplus {
			batch, accts = b.takeLocked(id)
			leftBehind = len(batch) > 0 && len(b.queue) > 0
		}
		if len(batch) == 0 && len(flights) == 0 {
			b.running--
			b.mu.Unlock()
			if pipe != nil {
				pipe.release()
			}
			return
		}
		// Operations this take left behind (a full batch, or on another flusher's
		// accounts) may not conflict with anything in flight: another flusher may take
		// them now rather than after this batch.
		spawn := len(batch) > 0 && leftBehind && b.running < b.cfg.Flushers
		if spawn {
			b.running++
		}
		b.mu.Unlock()
		if spawn {
			go b.flusher()
		}
		switch {
		case len(batch) > 0 && b.cfg.Pipeline == 1:
			outs, err := b.call(batch)
			b.finish(batch, outs, err)
			done = accts
		case len(batch) > 0:
			// Sent, it runs behind the batches in flight; room left, the next take comes
			// before their results are read.
			var err error
			reqs := requests(batch)
			if pipe == nil {
				pipe, err = b.openPipe()
			}
			if err == nil {
				err = pipe.send(b.repo.audit, reqs)
			}
			if err != nil {
				b.finish(batch, nil, err)
				done = accts
				continue
			}
			flights = append(flights, flight{batch, reqs, accts})
		default:
			f := flights[0]
			flights = flights[1:]
			outs, err := pipe.read(f.reqs)
			b.finish(f.batch, outs, err)
			done = f.accts
		}
	}
}

// maxScan bounds how far down the queue takeLocked looks for operations that can go.
const maxScan = 1024

// takeLocked takes, for flusher, up to MaxBatch queued operations, oldest first, that
// move no account of another flusher's batch in flight, and marks their accounts held
// (b.mu held). Per account the queue order is kept: once an operation is passed over,
// every later operation that shares an account with it is passed over too, so an
// operation waits only for batches already in flight and is never overtaken on its
// accounts (no starvation). Operations of one batch may share accounts (wallet_post_batch
// applies them in order), and so may one flusher's batches in flight (its connection runs
// them in order).
func (b *postBatcher) takeLocked(flusher int64) ([]*pendingPost, []string) {
	if b.busy == nil {
		b.busy = map[string]accountHold{}
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
			if h, held := b.busy[a]; (held && h.flusher != flusher) || skipped[a] {
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
				accts = append(accts, a)
			}
		}
	}
	for _, a := range accts {
		h := b.busy[a]
		h.flusher = flusher
		h.batches++
		b.busy[a] = h
	}
	clear(b.queue[len(kept):])
	b.queue = kept
	return batch, accts
}

// freeLocked releases the accounts takeLocked held for a batch now answered (b.mu held).
func (b *postBatcher) freeLocked(accts []string) {
	for _, a := range accts {
		if h := b.busy[a]; h.batches > 1 {
			h.batches--
			b.busy[a] = h
		} else {
			delete(b.busy, a)
		}
	}
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

func requests(batch []*pendingPost) []app.PostRequest {
	reqs := make([]app.PostRequest, len(batch))
	for i, p := range batch {
		reqs[i] = p.req
	}
	return reqs
}

// call runs one batch as one call on a pooled connection.
func (b *postBatcher) call(batch []*pendingPost) ([]postOutcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	return postBatch(ctx, b.pool, b.repo.audit, requests(batch))
}

// finish hands out a batch's outcomes (outs, or err when the whole call failed).
// Operations that lost a race another attempt can win (a concurrent first use of their
// idempotency key, a deadlock) go back to the queue after a jittered backoff, up to
// MaxAttempts; every other operation gets its outcome.
func (b *postBatcher) finish(batch []*pendingPost, outs []postOutcome, err error) {
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

// pipeConn is a flusher's connection in pipeline mode: its batches are sent behind each
// other, each with its own Sync (its own implicit transaction, so one failing never
// touches the next), and their results read in the order sent.
type pipeConn struct {
	conn  *pgxpool.Conn
	sd    *pgconn.StatementDescription
	pl    *pgconn.Pipeline
	eqb   pgx.ExtendedQueryBuilder
	since time.Time
	// stop cancels the pipeline's context, which breaks the connection; watchdog calls
	// it when a batch's results take longer than batchTimeout.
	stop     context.CancelFunc
	watchdog *time.Timer
	// failed: a batch failed as a whole; the connection is retired (and the statement
	// deallocated) once its batches are answered.
	failed bool
	// bad: the results are out of step with the batches sent; the connection is closed.
	bad bool
}

func (b *postBatcher) openPipe() (*pipeConn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	conn, err := b.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("post batch: %w", err)
	}
	sd, err := conn.Conn().Prepare(ctx, postBatchSQL, postBatchSQL)
	if err != nil {
		conn.Release()
		return nil, fmt.Errorf("post batch: prepare: %w", err)
	}
	pctx, stop := context.WithCancel(context.Background())
	p := &pipeConn{conn: conn, sd: sd, since: time.Now(), stop: stop, watchdog: time.AfterFunc(batchTimeout, stop)}
	p.watchdog.Stop()
	p.pl = conn.Conn().PgConn().StartPipeline(pctx)
	return p, nil
}

// send queues one wallet_post_batch call and its Sync, and flushes them to the server.
func (p *pipeConn) send(key AuditKey, reqs []app.PostRequest) error {
	if err := p.eqb.Build(p.conn.Conn().TypeMap(), p.sd, postBatchArgs(key, reqs)); err != nil {
		return fmt.Errorf("post batch of %d: %w", len(reqs), err)
	}
	// The pipeline keeps the result formats until the results come: its own copy.
	p.pl.SendQueryStatement(p.sd, p.eqb.ParamValues, p.eqb.ParamFormats, slices.Clone(p.eqb.ResultFormats))
	if err := p.pl.Sync(); err != nil {
		return fmt.Errorf("post batch of %d: %w", len(reqs), err)
	}
	return nil
}

// read collects the results of the oldest batch sent, up to and including its Sync (an
// error there is the commit's, failing the whole batch).
func (p *pipeConn) read(reqs []app.PostRequest) ([]postOutcome, error) {
	p.watchdog.Reset(batchTimeout)
	defer p.watchdog.Stop()
	var (
		outs  []postOutcome
		first error
	)
	for {
		res, err := p.pl.GetResults()
		switch r := res.(type) {
		case *pgconn.ResultReader:
			outs, err = postBatchOutcomes(pgx.RowsFromResultReader(p.conn.Conn().TypeMap(), r), reqs)
		case *pgconn.PipelineSync:
			if first == nil && outs == nil {
				first = fmt.Errorf("post batch of %d: no result before the Sync", len(reqs))
			}
			if first != nil {
				p.failed = true
				return nil, first
			}
			return outs, nil
		case nil:
			if err == nil {
				p.bad = true
				return nil, fmt.Errorf("post batch of %d: the pipeline has no more results", len(reqs))
			}
		default:
			p.bad = true
			return nil, fmt.Errorf("post batch of %d: unexpected pipeline result %T", len(reqs), res)
		}
		if err != nil && first == nil {
			first = err
		}
		if err != nil && p.broken() {
			return nil, first
		}
	}
}

// broken reports a connection pgx closed (a network error, the watchdog, a protocol
// error) or one out of step with its batches: nothing more can be sent or read on it.
func (p *pipeConn) broken() bool { return p.bad || p.conn.Conn().PgConn().IsClosed() }

// retiring reports a connection that takes no more batches: broken, after a failed
// batch, or held for pipeHold already.
func (p *pipeConn) retiring() bool {
	return p.failed || p.broken() || time.Since(p.since) > pipeHold
}

// release ends pipeline mode (every batch sent must have been read) and gives the
// connection back to the pool, or closes it when the pipeline broke.
func (p *pipeConn) release() {
	if p.bad {
		p.stop() // Close must not wait for results that will not come
	}
	err := p.pl.Close()
	p.stop()
	p.watchdog.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err == nil && p.failed {
		// A cached statement can be what failed (a changed result type): prepare anew.
		err = p.conn.Conn().Deallocate(ctx, postBatchSQL)
	}
	if err != nil || p.bad {
		_ = p.conn.Conn().Close(ctx)
	}
	p.conn.Release()
}

const postBatchSQL = `SELECT op, status, tx_id::text, err_code, err_constraint, err_message FROM wallet_post_batch(
	$1::text[]::uuid[], $2, $3, $4, $5, $6::text[]::uuid[], $7, $8, $9, $10, $11, $12,
	$13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`

// postBatch applies reqs with one wallet_post_batch call: one outcome per request, an
// operation's failure as its *pgconn.PgError (unmapped, so the caller can tell a
// retryable race), or err when the whole call failed.
func postBatch(ctx context.Context, q querier, key AuditKey, reqs []app.PostRequest) ([]postOutcome, error) {
	rows, _ := q.Query(ctx, postBatchSQL, postBatchArgs(key, reqs)...)
	return postBatchOutcomes(rows, reqs)
}

// postBatchArgs are postBatchSQL's arguments for reqs.
func postBatchArgs(key AuditKey, reqs []app.PostRequest) []any {
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
	return []any{txIDs, keys, hashes, kinds, orderIDs, refTxs, counterparties,
		amounts, currencies, actors, reasons, traces, from, count, accts, acctKinds, owners, acctCurs, neg, postAmts,
		key.ipad, key.opad}
}

// postBatchOutcomes reads a wallet_post_batch call's rows into one outcome per request.
func postBatchOutcomes(rows pgx.Rows, reqs []app.PostRequest) ([]postOutcome, error) {
	n := len(reqs)
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
	return splitOutcomes(postBatch(ctx, r.pool, r.audit, reqs))
}

// splitOutcomes is a batch's outcomes as PostBatch answers them.
func splitOutcomes(outs []postOutcome, err error) ([]app.PostResult, []error, error) {
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
