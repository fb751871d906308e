package adapters

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// AuditReport is what VerifyAudit checked and the first broken row of each broken chain.
type AuditReport struct {
	Accounts int
	Rows     int
	Problems []string
}

// OK reports an intact log.
func (r AuditReport) OK() bool { return len(r.Problems) == 0 }

// VerifyAudit recomputes every account's audit chain in Go, independently of the SQL that
// wrote it, and checks that each row's hash is sha256(prev_hash || canonical row), that
// prev_hash is the previous row's hash, that sequence numbers have no gap, that
// balance_after follows from the amounts, and that the account's stored head is the last
// hash and its balance the last balance_after. It also re-derives every balance from
// the postings alone, and checks that every transaction and every currency sums to
// zero, reporting each difference.
//
// Rows written since migration 0005 are keyed: their hash is HMAC-SHA256(key,
// prev_hash || canonical row), with key the configuration's audit key, which the
// database never holds; older rows are plain sha256 links. A wrong key reports every
// keyed row as altered.
//
// Everything is read in one REPEATABLE READ snapshot: the ledger keeps taking writes
// while it is verified, and reading accounts and audit rows at different moments would
// report a head one link behind a chain that a commit in between had just extended.
func VerifyAudit(ctx context.Context, pool *pgxpool.Pool, key []byte) (AuditReport, error) {
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return AuditReport{}, fmt.Errorf("verify audit: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	return verifyAudit(ctx, tx, key)
}

func verifyAudit(ctx context.Context, db pgx.Tx, key []byte) (AuditReport, error) {
	var rep AuditReport
	audit := NewAuditKey(key)
	heads := map[string]struct {
		head    []byte
		seq     int64
		balance int64
	}{}
	rows, err := db.Query(ctx, `SELECT id, audit_head, audit_seq, balance FROM accounts`)
	if err != nil {
		return rep, fmt.Errorf("verify audit: %w", err)
	}
	for rows.Next() {
		var (
			id      string
			head    []byte
			seq     int64
			balance int64
		)
		if err := rows.Scan(&id, &head, &seq, &balance); err != nil {
			return rep, err
		}
		heads[id] = struct {
			head    []byte
			seq     int64
			balance int64
		}{head, seq, balance}
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	rep.Accounts = len(heads)
	var keyedSince int64
	if err := db.QueryRow(ctx, `SELECT coalesce(min(keyed_since_us), 0) FROM audit_keying`).Scan(&keyedSince); err != nil {
		return rep, fmt.Errorf("verify audit: %w", err)
	}

	rows, err = db.Query(ctx, `SELECT account_id, seq, tx_id::text, kind, currency, amount, balance_after,
		actor, reason, trace_id, at_us, prev_hash, hash, keyed FROM audit_log ORDER BY account_id, seq`)
	if err != nil {
		return rep, fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()
	var (
		current   string
		prev      []byte
		wantSeq   int64
		balance   int64
		broken    bool
		keyedSeen bool
		problemOf = func(account string, seq int64, what string) {
			rep.Problems = append(rep.Problems, fmt.Sprintf("audit_log row (account_id=%s, seq=%d): %s", account, seq, what))
		}
	)
	finish := func() {
		if current == "" || broken {
			return
		}
		h, ok := heads[current]
		switch {
		case !ok:
			problemOf(current, wantSeq-1, "account row is missing")
		case h.seq != wantSeq-1 || !bytes.Equal(h.head, prev):
			problemOf(current, wantSeq-1, fmt.Sprintf("chain ends at seq %d but the account's head says seq %d (rows deleted or head altered)", wantSeq-1, h.seq))
		case h.balance != balance:
			problemOf(current, wantSeq-1, fmt.Sprintf("account balance %d differs from the audited balance %d", h.balance, balance))
		}
	}
	var r struct {
		account, txID, kind, currency, actor, reason, traceID string
		seq, amount, balanceAfter, atUS                       int64
		prevHash, hash                                        []byte
		keyed                                                 bool
	}
	for rows.Next() {
		if err := rows.Scan(&r.account, &r.seq, &r.txID, &r.kind, &r.currency, &r.amount, &r.balanceAfter,
			&r.actor, &r.reason, &r.traceID, &r.atUS, &r.prevHash, &r.hash, &r.keyed); err != nil {
			return rep, err
		}
		rep.Rows++
		if r.account != current {
			finish()
			current, prev, wantSeq, balance, broken, keyedSeen = r.account, []byte{}, 1, 0, false, false
		}
		if broken {
			continue
		}
		canonical := strings.Join([]string{r.account, strconv.FormatInt(r.seq, 10), r.txID, r.kind, r.currency,
			strconv.FormatInt(r.amount, 10), strconv.FormatInt(r.balanceAfter, 10), r.actor, r.reason, r.traceID,
			strconv.FormatInt(r.atUS, 10)}, "|")
		sum := sha256.Sum256(append(append([]byte{}, prev...), canonical...))
		want := sum[:]
		if r.keyed {
			want = audit.Sum(prev, []byte(canonical))
		}
		switch {
		case !r.keyed && (keyedSeen || keyedSince == 0 || r.atUS >= keyedSince):
			problemOf(r.account, r.seq, "an unkeyed row where every row must be keyed (the keyed flag was altered or the row forged)")
		case r.seq != wantSeq:
			problemOf(r.account, r.seq, fmt.Sprintf("sequence gap: expected seq %d", wantSeq))
		case !bytes.Equal(r.prevHash, prev):
			problemOf(r.account, r.seq, "prev_hash does not match the previous row's hash")
		case !bytes.Equal(r.hash, want):
			problemOf(r.account, r.seq, "hash does not match the row's contents (row was altered)")
		case r.balanceAfter != balance+r.amount:
			problemOf(r.account, r.seq, fmt.Sprintf("balance_after %d does not follow from %d%+d", r.balanceAfter, balance, r.amount))
		default:
			prev, wantSeq, balance, keyedSeen = r.hash, wantSeq+1, r.balanceAfter, keyedSeen || r.keyed
			continue
		}
		broken = true
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	finish()
	rows.Close()
	return rep, verifyPostings(ctx, db, &rep)
}

// verifyPostings re-derives balances from postings, independently of the audit chain
// and of the materialized balances.
func verifyPostings(ctx context.Context, db pgx.Tx, rep *AuditReport) error {
	for _, q := range []string{
		`SELECT 'account ' || a.id || ': balance ' || a.balance || ' but its postings sum to ' || coalesce(sum(p.amount), 0)
		 FROM accounts a LEFT JOIN postings p ON p.account_id = a.id
		 GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(p.amount), 0) ORDER BY a.id`,
		`SELECT 'transaction ' || tx_id || ': ' || currency || ' postings sum to ' || sum(amount)
		 FROM postings GROUP BY tx_id, currency HAVING sum(amount) <> 0 ORDER BY tx_id`,
		`SELECT 'currency ' || currency || ': all postings sum to ' || sum(amount)
		 FROM postings GROUP BY currency HAVING sum(amount) <> 0 ORDER BY currency`,
		// The rule postings_references enforces on insert (migration 0012), checked again
		// in case someone disabled the triggers.
		`SELECT 'posting ' || p.seq || ': its transaction ' || p.tx_id || ' does not exist'
		 FROM postings p WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.id = p.tx_id) ORDER BY p.seq`,
		`SELECT 'posting ' || p.seq || ': its account ' || p.account_id || ' does not exist'
		 FROM postings p WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = p.account_id) ORDER BY p.seq`,
	} {
		rows, err := db.Query(ctx, q)
		if err != nil {
			return fmt.Errorf("verify postings: %w", err)
		}
		problems, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("verify postings: %w", err)
		}
		rep.Problems = append(rep.Problems, problems...)
	}
	return nil
}
