package adapters

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
)

// DeliveryOutbox is the outbox of sends in PostgreSQL (app.Outbox). Claims lease rows with
// FOR UPDATE SKIP LOCKED, so two replicas never take the same message at once; a lease
// that runs out (a replica died mid-send) makes the message claimable again, and every
// outcome is fenced by the attempt number that claimed it.
type DeliveryOutbox struct {
	pool *pgxpool.Pool
}

// NewDeliveryOutbox returns the outbox.
func NewDeliveryOutbox(pool *pgxpool.Pool) *DeliveryOutbox { return &DeliveryOutbox{pool: pool} }

// Claim implements app.Outbox. Digest members are left to ClaimDigest.
func (o *DeliveryOutbox) Claim(ctx context.Context, n int, lease time.Duration) ([]domain.Delivery, error) {
	rows, _ := o.pool.Query(ctx, `UPDATE deliveries SET status = 'sending', attempts = attempts + 1,
			lease_until = now() + $2 * interval '1 millisecond', updated_at = now()
		WHERE id IN (
			SELECT id FROM deliveries
			WHERE digest_key IS NULL AND (
				(status IN ('queued', 'failed') AND next_attempt_at <= now()) OR (status = 'sending' AND lease_until < now()))
			ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
		RETURNING `+deliveryColumns, n, lease.Milliseconds())
	ds, err := pgx.CollectRows(rows, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return ds, nil
}

// ClaimDigest implements app.Outbox: under a transaction-scoped advisory lock on the
// group's key, the group's first due message becomes the summary (and is claimed like
// any other; its digest key is cleared so retries go through Claim) and the rest are
// suppressed as digested into it.
func (o *DeliveryOutbox) ClaimDigest(ctx context.Context, lease time.Duration, summarize func(domain.Delivery, int) (domain.Delivery, error)) (domain.Delivery, bool, error) {
	var out domain.Delivery
	found := false
	err := pgx.BeginFunc(ctx, o.pool, func(tx pgx.Tx) error {
		var key string
		err := tx.QueryRow(ctx, `SELECT digest_key FROM deliveries WHERE digest_key IS NOT NULL AND status = 'queued' AND next_attempt_at <= now()
			ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`).Scan(&key)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtext('notifications.digest:' || $1))`, key).Scan(&locked); err != nil || !locked {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE digest_key = $1 AND status = 'queued' ORDER BY created_at, id FOR UPDATE`, key)
		group, err := pgx.CollectRows(rows, scanDelivery)
		if err != nil || len(group) == 0 {
			return err
		}
		first, err := summarize(group[0], len(group))
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `UPDATE deliveries SET status = 'sending', attempts = attempts + 1, digest_key = NULL,
				subject = $2, body_text = $3, body_html = $4, reason = $5,
				lease_until = now() + $6 * interval '1 millisecond', updated_at = now()
			WHERE id = $1 RETURNING `+deliveryColumns, first.ID, first.Subject, first.Text, first.HTML,
			fmt.Sprintf("digest of %d", len(group)), lease.Milliseconds()).Scan(
			&out.ID, &out.NotificationID, &out.UserID, &out.EventID, &out.Channel, &out.Status, &out.IdempotencyKey, &out.To, &out.Locale,
			&out.Subject, &out.Text, &out.HTML, &out.DigestKey, &out.Provider, &out.ProviderAnswer, &out.Reason, &out.Attempts, &out.NextAttemptAt, &out.UpdatedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE deliveries SET status = 'suppressed', reason = 'digested into ' || $2, updated_at = now()
			WHERE digest_key = $1 AND status = 'queued' AND id <> $2`, key, first.ID); err != nil {
			return err
		}
		found = true
		return nil
	})
	if err != nil {
		return domain.Delivery{}, false, fmt.Errorf("claim digest: %w", err)
	}
	return out, found, nil
}

// Sent implements app.Outbox.
func (o *DeliveryOutbox) Sent(ctx context.Context, id string, attempt int, provider, answer string) error {
	return o.finish(ctx, `status = 'sent', provider = $3, provider_answer = $4, lease_until = NULL`, id, attempt, provider, answer)
}

// Retry implements app.Outbox.
func (o *DeliveryOutbox) Retry(ctx context.Context, id string, attempt int, at time.Time, provider, answer string) error {
	return o.finish(ctx, `status = 'failed', provider = $3, provider_answer = $4, lease_until = NULL, next_attempt_at = $5`, id, attempt, provider, answer, at)
}

// Dead implements app.Outbox.
func (o *DeliveryOutbox) Dead(ctx context.Context, id string, attempt int, provider, answer string) error {
	return o.finish(ctx, `status = 'dead', provider = nullif($3, ''), provider_answer = $4, lease_until = NULL`, id, attempt, provider, answer)
}

func (o *DeliveryOutbox) finish(ctx context.Context, set, id string, attempt int, args ...any) error {
	_, err := o.pool.Exec(ctx, `UPDATE deliveries SET `+set+`, updated_at = now() WHERE id = $1 AND attempts = $2 AND status = 'sending'`,
		append([]any{id, attempt}, args...)...)
	if err != nil {
		return fmt.Errorf("record delivery %s: %w", id, err)
	}
	return nil
}
