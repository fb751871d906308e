package adapters

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// querier is what both a pool and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// LedgerRepository is app.Store on PostgreSQL.
type LedgerRepository struct {
	pool   *pgxpool.Pool
	outbox *outbox.Outbox
	// MaxAttempts bounds retries of serialization failures, deadlocks and concurrent
	// first uses of one idempotency key.
	MaxAttempts int
	audit       AuditKey
	// batcher coalesces Post calls (nil: each Post is its own wallet_post call).
	batcher *postBatcher
}

// NewLedgerRepository returns the ledger on pool (whose search_path holds the schema).
func NewLedgerRepository(pool *pgxpool.Pool, ob *outbox.Outbox) *LedgerRepository {
	if ob == nil {
		ob = outbox.New()
	}
	r := &LedgerRepository{pool: pool, outbox: ob, MaxAttempts: 6, audit: NewAuditKey([]byte(DefaultAuditKey))}
	return r.WithBatching(BatchConfig{})
}

// WithBatching makes Post coalesce concurrent operations into batches (the default, with
// BatchConfig's defaults); it returns r.
func (r *LedgerRepository) WithBatching(cfg BatchConfig) *LedgerRepository {
	r.batcher = &postBatcher{pool: r.pool, repo: r, cfg: cfg.withDefaults()}
	return r
}

// WithoutBatching makes every Post its own wallet_post call (one transaction each); it
// returns r.
func (r *LedgerRepository) WithoutBatching() *LedgerRepository {
	r.batcher = nil
	return r
}

// WithAuditKey makes the ledger key its audit chain with key (the configuration's
// WALLET_AUDIT_KEY); it returns r.
func (r *LedgerRepository) WithAuditKey(key []byte) *LedgerRepository {
	r.audit = NewAuditKey(key)
	return r
}

// Bound is the ledger inside tx, for a saga step run in the event consumer's transaction.
func (r *LedgerRepository) Bound(tx pgx.Tx) app.Tx {
	return ledgerTx{q: tx, tx: tx, outbox: r.outbox, audit: r.audit}
}

// Post applies one transaction: batched with concurrent Posts into one wallet_post_batch
// call (one round trip, one database transaction, each operation its own outcome), or,
// without batching, as one wallet_post call in an implicit transaction.
func (r *LedgerRepository) Post(ctx context.Context, req app.PostRequest) (res app.PostResult, err error) {
	if r.batcher != nil {
		return r.batcher.post(ctx, req)
	}
	err = r.retry(ctx, func() error {
		res, err = post(ctx, r.pool, r.audit, req)
		return err
	})
	return res, err
}

// InTx runs fn in a transaction, retrying it whole on transient conflicts.
func (r *LedgerRepository) InTx(ctx context.Context, fn func(ctx context.Context, tx app.Tx) error) error {
	return r.retry(ctx, func() error {
		return pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
			return fn(ctx, ledgerTx{q: tx, tx: tx, outbox: r.outbox, audit: r.audit})
		})
	})
}

// Retryable reports errors after which running the same transaction again can succeed:
// serialization failures, deadlocks, and losing the race to insert an idempotency key
// (the retry then finds the winner's outcome).
func Retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "40001", "40P01":
		return true
	case "23505":
		return pe.ConstraintName == "idempotency_keys_pkey"
	}
	return false
}

func (r *LedgerRepository) retry(ctx context.Context, op func() error) error {
	wait := 2 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || !Retryable(err) || attempt >= r.MaxAttempts {
			return mapError(err)
		}
		t := time.NewTimer(wait/2 + rand.N(wait))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, 200*time.Millisecond)
	}
}

// mapError turns the ledger's unique indexes into domain conflicts, and errors that no
// retry can cure (data exceptions such as a balance out of range, broken constraints,
// the ledger's own refusals) into app.ErrLedgerRefused.
func mapError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case pe.Code == "23505" && strings.HasPrefix(pe.ConstraintName, "transactions_one_"):
		return fmt.Errorf("%s: %w", pe.ConstraintName, domain.ErrConflict)
	case strings.HasPrefix(pe.Code, "22"), strings.HasPrefix(pe.Code, "23") && !Retryable(err):
		return fmt.Errorf("%w: %s (%s)", app.ErrLedgerRefused, pe.Message, pe.Code)
	}
	return err
}

const postSQL = `SELECT status, tx_id FROM wallet_post($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`

func post(ctx context.Context, q querier, key AuditKey, req app.PostRequest) (app.PostResult, error) {
	ps := req.Tx.Postings()
	n := len(ps)
	ids, kinds, owners, curs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	neg, amts := make([]bool, n), make([]int64, n)
	for i, p := range ps {
		ids[i], kinds[i], owners[i], curs[i] = p.Account.String(), string(p.Account.Kind), p.Account.Owner, string(p.Account.Currency)
		neg[i], amts[i] = p.Account.Kind.MayGoNegative(), p.Amount
	}
	var (
		status string
		txID   *string
	)
	err := q.QueryRow(ctx, postSQL, req.TxID, nullable(req.IdempotencyKey), req.RequestHash,
		string(req.Tx.Kind()), nullable(req.Tx.OrderID), nullable(req.RefTxID), nullable(req.Counterparty),
		req.Tx.Amount.Minor(), string(req.Tx.Amount.Currency()),
		ids, kinds, owners, curs, neg, amts, req.Actor, req.Tx.Reason, req.TraceID, key.ipad, key.opad).Scan(&status, &txID)
	if err != nil {
		return app.PostResult{}, fmt.Errorf("post %s: %w", req.Tx.Kind(), err)
	}
	return result(status, txID)
}

func result(status string, txID *string) (app.PostResult, error) {
	r := app.PostResult{}
	if txID != nil {
		r.TxID = *txID
	}
	if s, ok := strings.CutPrefix(status, "replayed:"); ok {
		r.Replayed, status = true, s
	}
	switch status {
	case "ok":
		r.Status = app.StatusOK
	case "insufficient_funds":
		r.Status = app.StatusInsufficientFunds
	case "conflict":
		return r, fmt.Errorf("idempotency key reused with a different request: %w", domain.ErrConflict)
	default:
		return r, fmt.Errorf("ledger answered unknown status %q", status)
	}
	return r, nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Balances lists every account the owner holds.
func (r *LedgerRepository) Balances(ctx context.Context, ownerID string) ([]app.AccountBalance, error) {
	rows, err := r.pool.Query(ctx, `SELECT id, balance FROM accounts WHERE owner = $1 AND kind IN ('customer_wallet', 'loyalty_points') ORDER BY id`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("balances of %s: %w", ownerID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.AccountBalance, error) {
		var (
			id string
			b  app.AccountBalance
		)
		if err := row.Scan(&id, &b.Balance); err != nil {
			return b, err
		}
		a, err := domain.ParseAccountID(id)
		b.Account = a
		return b, err
	})
}

// History pages through the owner's wallet and points postings, newest first.
func (r *LedgerRepository) History(ctx context.Context, ownerID string, before int64, limit int) ([]app.HistoryEntry, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := r.pool.Query(ctx, `
		SELECT p.seq, p.tx_id::text, t.kind, coalesce(t.order_id, ''), p.account_id, p.amount, t.reason, p.created_at
		FROM accounts a
		JOIN postings p ON p.account_id = a.id
		JOIN transactions t ON t.id = p.tx_id
		WHERE a.owner = $1 AND a.kind IN ('customer_wallet', 'loyalty_points') AND p.seq < $2
		ORDER BY p.seq DESC LIMIT $3`, ownerID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", ownerID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.HistoryEntry, error) {
		var (
			e    app.HistoryEntry
			kind string
			acct string
		)
		if err := row.Scan(&e.Seq, &e.TxID, &kind, &e.OrderID, &acct, &e.Amount, &e.Reason, &e.CreatedAt); err != nil {
			return e, err
		}
		e.Kind = domain.TxKind(kind)
		a, err := domain.ParseAccountID(acct)
		e.Account = a
		return e, err
	})
}

// PointsHolders lists owners of points accounts whose points earned before cutoff exceed
// what they have consumed (redeemed or expired) so far.
func (r *LedgerRepository) PointsHolders(ctx context.Context, cutoff time.Time) ([]string, error) {
	rows, err := r.pool.Query(ctx, `
		SELECT a.owner FROM accounts a
		WHERE a.kind = 'loyalty_points' AND a.balance > 0
		  AND (SELECT coalesce(sum(p.amount) FILTER (WHERE p.amount > 0 AND t.kind <> 'refund' AND p.created_at < $1), 0)
		            + coalesce(sum(p.amount) FILTER (WHERE p.amount < 0 OR t.kind = 'refund'), 0)
		       FROM postings p JOIN transactions t ON t.id = p.tx_id WHERE p.account_id = a.id) > 0
		ORDER BY a.owner`, cutoff)
	if err != nil {
		return nil, fmt.Errorf("points holders: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

type ledgerTx struct {
	q      querier
	tx     pgx.Tx
	outbox *outbox.Outbox
	audit  AuditKey
}

func (t ledgerTx) Post(ctx context.Context, req app.PostRequest) (app.PostResult, error) {
	r, err := post(ctx, t.q, t.audit, req)
	return r, mapError(err)
}

func (t ledgerTx) Outcome(ctx context.Context, key string, hash []byte) (app.PostResult, bool, error) {
	var (
		stored []byte
		status string
		txID   *string
	)
	err := t.q.QueryRow(ctx, `SELECT request_hash, status, tx_id::text FROM idempotency_keys WHERE key = $1`, key).Scan(&stored, &status, &txID)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.PostResult{}, false, nil
	}
	if err != nil {
		return app.PostResult{}, false, fmt.Errorf("idempotency key %s: %w", key, err)
	}
	if string(stored) != string(hash) {
		status = "conflict"
	}
	r, err := result("replayed:"+status, txID)
	return r, true, err
}

func (t ledgerTx) OrderPayment(ctx context.Context, orderID string) (domain.OrderPayment, string, error) {
	var (
		op           domain.OrderPayment
		amount       int64
		currency     string
		restaurantID *string
	)
	// Locking the payment's transaction row serializes refunds and the settlement of one
	// order; the row itself is never updated.
	err := t.q.QueryRow(ctx, `
		SELECT p.id::text, p.amount, p.currency, p.counterparty
		FROM transactions p WHERE p.kind = 'order_payment' AND p.order_id = $1 FOR UPDATE`, orderID).
		Scan(&op.PaymentTxID, &amount, &currency, &restaurantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return op, "", fmt.Errorf("payment of order %s: %w", orderID, domain.ErrNotFound)
	}
	if err != nil {
		return op, "", fmt.Errorf("payment of order %s: %w", orderID, err)
	}
	// What the payment took from the customer in each currency, what refunds gave back
	// in each, and whose wallet (or points) the payment debited: one read of the order's
	// payment and refund postings.
	var customer *string
	if err := t.q.QueryRow(ctx, `
		SELECT min(a.owner) FILTER (WHERE t.kind = 'order_payment' AND a.kind IN ('customer_wallet', 'loyalty_points')),
		       coalesce(-sum(p.amount) FILTER (WHERE t.kind = 'order_payment' AND a.kind = 'loyalty_points'), 0),
		       coalesce(-sum(p.amount) FILTER (WHERE t.kind = 'order_payment' AND a.kind = 'loyalty_funding'), 0),
		       coalesce(sum(p.amount) FILTER (WHERE t.kind = 'refund' AND a.kind = 'loyalty_points'), 0),
		       coalesce(sum(p.amount) FILTER (WHERE t.kind = 'refund' AND a.kind = 'customer_wallet'), 0)
		FROM transactions t JOIN postings p ON p.tx_id = t.id JOIN accounts a ON a.id = p.account_id
		WHERE t.order_id = $1 AND t.kind IN ('order_payment', 'refund')`, orderID).
		Scan(&customer, &op.PaidPoints, &op.PointsCovered, &op.RefundedPoints, &op.RefundedCash); err != nil {
		return op, "", fmt.Errorf("postings of order %s: %w", orderID, err)
	}
	if err := t.q.QueryRow(ctx, `
		SELECT coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0), count(*) FILTER (WHERE kind = 'settlement') > 0
		FROM transactions WHERE order_id = $1`, orderID).Scan(&op.Refunded, &op.Settled); err != nil {
		return op, "", fmt.Errorf("refunds of order %s: %w", orderID, err)
	}
	op.OrderID = orderID
	if customer != nil {
		op.CustomerID = *customer
	}
	paid, err := domain.NewMoney(amount, currency)
	if err != nil {
		return op, "", err
	}
	op.Paid = paid
	rid := ""
	if restaurantID != nil {
		rid = *restaurantID
	}
	return op, rid, nil
}

// LockOrder takes a transaction-scoped advisory lock on the order id (two orders whose
// ids hash alike merely queue behind each other), then reads the order's recorded
// ending. Two statements on purpose: under READ COMMITTED a statement's snapshot is
// taken when it starts, so only a read that starts after the lock is granted sees what
// the previous holder committed.
func (t ledgerTx) LockOrder(ctx context.Context, orderID string) (app.OrderEnding, bool, error) {
	e := app.OrderEnding{OrderID: orderID}
	if _, err := t.q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('wallet-order:' || $1, 0))`, orderID); err != nil {
		return e, false, fmt.Errorf("lock order %s: %w", orderID, err)
	}
	err := t.q.QueryRow(ctx, `SELECT status, reason FROM order_endings WHERE order_id = $1`, orderID).Scan(&e.Status, &e.Reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("ending of order %s: %w", orderID, err)
	}
	return e, true, nil
}

// LockOrders locks the orders' advisory locks in lock-key order in one statement, then,
// in a second one (whose snapshot sees what the previous holders committed), reads the
// endings of those the wallet has seen end. Both statements go in one round trip
// (pipelined: the server still runs the second only after the first has its locks).
func (t ledgerTx) LockOrders(ctx context.Context, orderIDs []string) (map[string]app.OrderEnding, error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT count(pg_advisory_xact_lock(k)) FROM (
		SELECT DISTINCT hashtextextended('wallet-order:' || id, 0) AS k FROM unnest($1::text[]) AS id ORDER BY 1) l`, orderIDs)
	b.Queue(`SELECT order_id, status, reason FROM order_endings WHERE order_id = ANY ($1)`, orderIDs)
	br := t.tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("lock %d orders: %w", len(orderIDs), err)
	}
	rows, _ := br.Query()
	ends, err := pgx.CollectRows(rows, pgx.RowToStructByPos[app.OrderEnding])
	if err != nil {
		return nil, fmt.Errorf("endings of %d orders: %w", len(orderIDs), err)
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("lock %d orders: %w", len(orderIDs), err)
	}
	out := make(map[string]app.OrderEnding, len(ends))
	for _, e := range ends {
		out[e.OrderID] = e
	}
	return out, nil
}

// lockAccountsSQL locks the existing accounts among $1, in id order (the order
// wallet_post_batch and wallet_post lock in).
const lockAccountsSQL = `SELECT count(*) FROM (SELECT 1 FROM accounts WHERE id = ANY ($1::text[]) ORDER BY id FOR UPDATE) l`

func (t ledgerTx) PostBatch(ctx context.Context, reqs []app.PostRequest) ([]app.PostResult, []error, error) {
	res := make([]app.PostResult, 0, len(reqs))
	errs := make([]error, 0, len(reqs))
	if len(reqs) > maxPostBatch {
		// Several calls: each locks its own accounts in id order, but one after another
		// they would not lock the batch's accounts in one order (the second call's
		// wallets may sort before the first's), and two transactions doing so over shared
		// wallets deadlock (the saga's partitions did, at 1 s per deadlock_timeout). So
		// every existing account of the whole batch is locked first, in id order; the
		// calls then find them held already.
		if _, err := t.q.Exec(ctx, lockAccountsSQL, batchAccounts(reqs)); err != nil {
			return nil, nil, mapError(fmt.Errorf("lock the accounts of %d operations: %w", len(reqs), err))
		}
	}
	for len(reqs) > 0 { // wallet_post_batch takes at most 64
		n := min(len(reqs), maxPostBatch)
		r, e, err := splitOutcomes(postBatch(ctx, t.q, t.audit, reqs[:n]))
		if err != nil {
			return nil, nil, err
		}
		res, errs = append(res, r...), append(errs, e...)
		reqs = reqs[n:]
	}
	return res, errs, nil
}

func (t ledgerTx) RecordOrderEnded(ctx context.Context, e app.OrderEnding) error {
	_, err := t.q.Exec(ctx, `INSERT INTO order_endings (order_id, status, reason) VALUES ($1, $2, $3)
		ON CONFLICT (order_id) DO NOTHING`, e.OrderID, e.Status, e.Reason)
	if err != nil {
		return fmt.Errorf("record the ending of order %s: %w", e.OrderID, err)
	}
	return nil
}

func (t ledgerTx) DriverOf(ctx context.Context, orderID string) (string, error) {
	var d string
	err := t.q.QueryRow(ctx, `SELECT driver_id FROM order_drivers WHERE order_id = $1`, orderID).Scan(&d)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return d, err
}

func (t ledgerTx) SetDriver(ctx context.Context, orderID, driverID string) error {
	_, err := t.q.Exec(ctx, `INSERT INTO order_drivers (order_id, driver_id) VALUES ($1, $2)
		ON CONFLICT (order_id) DO UPDATE SET driver_id = excluded.driver_id, updated_at = now()`, orderID, driverID)
	return err
}

func (t ledgerTx) PointsUsage(ctx context.Context, userID string, cutoff time.Time) (earnedBefore, consumed int64, err error) {
	id, err := domain.PointsOf(userID)
	if err != nil {
		return 0, 0, err
	}
	// Lock the points account first so a redemption cannot race the expiry.
	if _, err := t.q.Exec(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, id.String()); err != nil {
		return 0, 0, err
	}
	// Points a refund gives back keep their original expiry: the refund undoes (part of)
	// a redemption, so it reduces what was consumed instead of counting as newly earned.
	err = t.q.QueryRow(ctx, `
		SELECT coalesce(sum(p.amount) FILTER (WHERE p.amount > 0 AND t.kind <> 'refund' AND p.created_at < $2), 0),
		       coalesce(-sum(p.amount) FILTER (WHERE p.amount < 0 OR t.kind = 'refund'), 0)
		FROM postings p JOIN transactions t ON t.id = p.tx_id
		WHERE p.account_id = $1`, id.String(), cutoff).Scan(&earnedBefore, &consumed)
	return earnedBefore, consumed, err
}

func (t ledgerTx) Publish(ctx context.Context, evs ...events.Envelope) error {
	return t.outbox.Add(ctx, t.tx, evs...)
}

const intentColumns = `id, user_id, idempotency_key, gateway, amount, currency, status, reason, created_at, expires_at`

func scanIntent(row pgx.Row) (app.PaymentIntent, error) {
	var (
		in               app.PaymentIntent
		amount           int64
		currency, status string
		reason           string
	)
	err := row.Scan(&in.ID, &in.UserID, &in.Key, &in.Gateway, &amount, &currency, &status, &reason, &in.CreatedAt, &in.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return in, fmt.Errorf("top-up intent: %w", domain.ErrNotFound)
	}
	if err != nil {
		return in, fmt.Errorf("top-up intent: %w", err)
	}
	in.Status = app.IntentStatus(status)
	switch in.Status {
	case app.IntentDeclined:
		in.DeclineReason = reason
	case app.IntentFailed, app.IntentExpired:
		in.FailureReason = reason
	}
	in.CreatedAt, in.ExpiresAt = in.CreatedAt.UTC(), in.ExpiresAt.UTC()
	in.Amount, err = domain.NewMoney(amount, currency)
	return in, err
}

// TopUpIntent reads one intent.
func (r *LedgerRepository) TopUpIntent(ctx context.Context, id string) (app.PaymentIntent, error) {
	return scanIntent(r.pool.QueryRow(ctx, `SELECT `+intentColumns+` FROM topup_intents WHERE id = $1`, id))
}

// ExpireTopUpIntents marks overdue PENDING intents EXPIRED.
func (r *LedgerRepository) ExpireTopUpIntents(ctx context.Context, now time.Time) (int, error) {
	tag, err := r.pool.Exec(ctx, `UPDATE topup_intents SET status = 'EXPIRED', updated_at = now(),
		reason = 'the gateway did not confirm the top-up before it expired'
		WHERE status = 'PENDING' AND expires_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("expire top-up intents: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

func (t ledgerTx) LockUser(ctx context.Context, userID string) error {
	_, err := t.q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('wallet-user:' || $1, 0))`, userID)
	return err
}

func (t ledgerTx) TopUpIntentByKey(ctx context.Context, userID, key string) (app.PaymentIntent, bool, error) {
	in, err := scanIntent(t.q.QueryRow(ctx, `SELECT `+intentColumns+` FROM topup_intents WHERE user_id = $1 AND idempotency_key = $2`, userID, key))
	if errors.Is(err, domain.ErrNotFound) {
		return in, false, nil
	}
	return in, err == nil, err
}

func (t ledgerTx) TopUpsSince(ctx context.Context, userID string, currency domain.Currency, since time.Time) (int64, error) {
	var sum int64
	err := t.q.QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM topup_intents
		WHERE user_id = $1 AND currency = $2 AND created_at >= $3 AND status IN ('PENDING', 'SUCCEEDED')`,
		userID, string(currency), since).Scan(&sum)
	return sum, err
}

func (t ledgerTx) InsertTopUpIntent(ctx context.Context, in app.PaymentIntent) error {
	_, err := t.q.Exec(ctx, `INSERT INTO topup_intents (id, user_id, idempotency_key, gateway, amount, currency, status, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, in.ID, in.UserID, in.Key, in.Gateway, in.Amount.Minor(),
		string(in.Amount.Currency()), string(in.Status), in.CreatedAt, in.ExpiresAt)
	if err != nil {
		return fmt.Errorf("insert top-up intent: %w", err)
	}
	return nil
}

func (t ledgerTx) LockTopUpIntent(ctx context.Context, id string) (app.PaymentIntent, error) {
	return scanIntent(t.q.QueryRow(ctx, `SELECT `+intentColumns+` FROM topup_intents WHERE id = $1 FOR UPDATE`, id))
}

func (t ledgerTx) SetTopUpIntentStatus(ctx context.Context, id string, status app.IntentStatus, reason string) error {
	_, err := t.q.Exec(ctx, `UPDATE topup_intents SET status = $2, reason = $3, updated_at = now() WHERE id = $1`, id, string(status), reason)
	return err
}

func (t ledgerTx) OrderRefunds(ctx context.Context, orderID string) ([]app.RefundEntry, error) {
	rows, err := t.q.Query(ctx, `SELECT id::text, amount, currency, reason, created_at FROM transactions
		WHERE order_id = $1 AND kind = 'refund' ORDER BY created_at, id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("refunds of order %s: %w", orderID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.RefundEntry, error) {
		var (
			e        app.RefundEntry
			amount   int64
			currency string
		)
		if err := row.Scan(&e.TxID, &amount, &currency, &e.Reason, &e.CreatedAt); err != nil {
			return e, err
		}
		e.CreatedAt = e.CreatedAt.UTC()
		m, err := domain.NewMoney(amount, currency)
		e.Amount = m
		return e, err
	})
}
