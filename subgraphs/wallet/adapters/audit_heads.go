package adapters

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// AuditHead is the tip of one account's audit chain.
type AuditHead struct {
	Account string `json:"account"`
	Seq     int64  `json:"seq"`
	Hash    string `json:"hash"` // hex
}

// AuditHeads is one export: every chain's head at a moment, signed with the audit key
// so the file itself cannot be edited to match a rewritten history.
type AuditHeads struct {
	ExportedAt time.Time   `json:"exported_at"`
	Heads      []AuditHead `json:"heads"`
	// Signature is hex HMAC-SHA256(key, exported_at || each account|seq|hash line).
	Signature string `json:"signature"`
}

func (h AuditHeads) signed(key AuditKey) string {
	var b bytes.Buffer
	b.WriteString(h.ExportedAt.UTC().Format(time.RFC3339Nano))
	for _, x := range h.Heads {
		b.WriteString("\n" + x.Account + "|" + strconv.FormatInt(x.Seq, 10) + "|" + x.Hash)
	}
	return hex.EncodeToString(key.Sum(b.Bytes()))
}

// ExportAuditHeads writes every account's chain head to dir as
// audit-heads-<unix nanoseconds>.json, signed with key, and returns the file's path. A
// later verify-audit -heads FILE checks that history still passes through each of them:
// a database administrator who rewrites rows (even re-hashing them with a stolen key)
// cannot also rewrite the files already shipped off the database host.
func ExportAuditHeads(ctx context.Context, pool *pgxpool.Pool, key []byte, dir string, now time.Time) (string, error) {
	rows, err := pool.Query(ctx, `SELECT id, audit_seq, audit_head FROM accounts WHERE audit_seq > 0 ORDER BY id`)
	if err != nil {
		return "", fmt.Errorf("export audit heads: %w", err)
	}
	heads, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditHead, error) {
		var (
			h    AuditHead
			hash []byte
		)
		err := row.Scan(&h.Account, &h.Seq, &hash)
		h.Hash = hex.EncodeToString(hash)
		return h, err
	})
	if err != nil {
		return "", fmt.Errorf("export audit heads: %w", err)
	}
	out := AuditHeads{ExportedAt: now.UTC(), Heads: heads}
	out.Signature = out.signed(NewAuditKey(key))
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("export audit heads: %w", err)
	}
	path := filepath.Join(dir, "audit-heads-"+strconv.FormatInt(now.UnixNano(), 10)+".json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o640); err != nil {
		return "", fmt.Errorf("export audit heads: %w", err)
	}
	return path, os.Rename(tmp, path)
}

// CheckAuditHeads reports every exported head the audit log no longer passes through
// (row missing or with another hash), and a file whose signature does not verify.
func CheckAuditHeads(ctx context.Context, pool *pgxpool.Pool, key []byte, path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var in AuditHeads
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if in.Signature != in.signed(NewAuditKey(key)) {
		return []string{fmt.Sprintf("%s: signature does not verify with the audit key (file edited, or another key)", path)}, nil
	}
	var problems []string
	for _, h := range in.Heads {
		var hash []byte
		err := pool.QueryRow(ctx, `SELECT hash FROM audit_log WHERE account_id = $1 AND seq = $2`, h.Account, h.Seq).Scan(&hash)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			problems = append(problems, fmt.Sprintf("exported head (account_id=%s, seq=%d) of %s is gone from the audit log", h.Account, h.Seq, in.ExportedAt.Format(time.RFC3339)))
		case err != nil:
			return problems, err
		case hex.EncodeToString(hash) != h.Hash:
			problems = append(problems, fmt.Sprintf("audit_log row (account_id=%s, seq=%d) no longer has the hash exported at %s (history rewritten)", h.Account, h.Seq, in.ExportedAt.Format(time.RFC3339)))
		}
	}
	return problems, nil
}
