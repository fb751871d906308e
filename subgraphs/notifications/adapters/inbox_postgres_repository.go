package adapters

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
)

// InboxChannel is the PostgreSQL NOTIFY channel a committed inbox entry rings (payload:
// the user id).
const InboxChannel = "notifications_inbox"

type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// InboxRepository is the inbox, the settings and the admin view of deliveries in
// PostgreSQL (app.Inbox), and, bound to a transaction with InTx, app.Recorder.
type InboxRepository struct {
	pool *pgxpool.Pool
	tx   pgx.Tx
}

// NewInboxRepository returns the repository.
func NewInboxRepository(pool *pgxpool.Pool) *InboxRepository { return &InboxRepository{pool: pool} }

// InTx returns the repository working inside tx.
func (r *InboxRepository) InTx(tx pgx.Tx) *InboxRepository {
	return &InboxRepository{pool: r.pool, tx: tx}
}

func (r *InboxRepository) q() querier {
	if r.tx != nil {
		return r.tx
	}
	return r.pool
}

const notificationColumns = `id::text, user_id, seq, event_id, category, kind, title, body, locale, coalesce(order_id, ''), read_at IS NOT NULL, archived_at IS NOT NULL, created_at`

func scanNotification(row pgx.CollectableRow) (domain.Notification, error) {
	var n domain.Notification
	err := row.Scan(&n.ID, &n.UserID, &n.Seq, &n.EventID, &n.Category, &n.Kind, &n.Title, &n.Body, &n.Locale, &n.OrderID, &n.Read, &n.Archived, &n.CreatedAt)
	return n, err
}

// Record implements app.Recorder: the user's next seq under the head row's lock, the entry,
// its deliveries and a NOTIFY that PostgreSQL sends when the transaction commits.
func (r *InboxRepository) Record(ctx context.Context, n *domain.Notification, ds []domain.Delivery) (bool, error) {
	q := r.q()
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM notifications WHERE event_id = $1 AND user_id = $2 AND kind = $3)`,
		n.EventID, n.UserID, n.Kind).Scan(&exists); err != nil {
		return false, fmt.Errorf("look for notification of event %s: %w", n.EventID, err)
	}
	if exists {
		return false, nil
	}
	if err := q.QueryRow(ctx, `INSERT INTO inbox_heads (user_id, last_seq) VALUES ($1, 1)
		ON CONFLICT (user_id) DO UPDATE SET last_seq = inbox_heads.last_seq + 1 RETURNING last_seq`, n.UserID).Scan(&n.Seq); err != nil {
		return false, fmt.Errorf("next seq of %s: %w", n.UserID, err)
	}
	if _, err := q.Exec(ctx, `INSERT INTO notifications (id, user_id, seq, event_id, category, kind, title, body, locale, order_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, nullif($10, ''), $11)`,
		n.ID, n.UserID, n.Seq, n.EventID, n.Category, n.Kind, n.Title, n.Body, n.Locale, n.OrderID, n.CreatedAt); err != nil {
		return false, fmt.Errorf("insert notification: %w", err)
	}
	for _, d := range ds {
		if _, err := q.Exec(ctx, `INSERT INTO deliveries (id, notification_id, user_id, event_id, channel, status, idempotency_key,
			address, locale, subject, body_text, body_html, digest_key, reason, next_attempt_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, nullif($13, ''), nullif($14, ''), $15)
			ON CONFLICT (idempotency_key) DO NOTHING`,
			d.ID, d.NotificationID, d.UserID, d.EventID, d.Channel, d.Status, d.IdempotencyKey, d.To, d.Locale, d.Subject, d.Text, d.HTML,
			d.DigestKey, d.Reason, d.NextAttemptAt); err != nil {
			return false, fmt.Errorf("insert delivery: %w", err)
		}
	}
	if _, err := q.Exec(ctx, `SELECT pg_notify($1, $2)`, InboxChannel, n.UserID); err != nil {
		return false, fmt.Errorf("notify: %w", err)
	}
	return true, nil
}

// List implements app.Inbox.
func (r *InboxRepository) List(ctx context.Context, userID string, afterSeq int64, limit int, unreadOnly bool) ([]domain.Notification, error) {
	if afterSeq == 0 {
		afterSeq = 1 << 62
	}
	rows, _ := r.q().Query(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE user_id = $1 AND seq < $2 AND archived_at IS NULL AND (NOT $3 OR read_at IS NULL)
		ORDER BY seq DESC LIMIT $4`, userID, afterSeq, unreadOnly, limit+1)
	ns, err := pgx.CollectRows(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("inbox of %s: %w", userID, err)
	}
	return ns, nil
}

// After implements app.Inbox.
func (r *InboxRepository) After(ctx context.Context, userID string, seq int64, limit int) ([]domain.Notification, error) {
	rows, _ := r.q().Query(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		userID, seq, limit)
	ns, err := pgx.CollectRows(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("inbox of %s after %d: %w", userID, seq, err)
	}
	return ns, nil
}

// Head implements app.Inbox.
func (r *InboxRepository) Head(ctx context.Context, userID string) (int64, error) {
	var seq int64
	err := r.q().QueryRow(ctx, `SELECT last_seq FROM inbox_heads WHERE user_id = $1`, userID).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

// UnreadCount implements app.Inbox.
func (r *InboxRepository) UnreadCount(ctx context.Context, userID string) (int, error) {
	var n int
	err := r.q().QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL AND archived_at IS NULL`, userID).Scan(&n)
	return n, err
}

// MarkRead implements app.Inbox: already-read entries keep their first read time.
func (r *InboxRepository) MarkRead(ctx context.Context, userID string, ids []string) ([]domain.Notification, error) {
	return r.change(ctx, `UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE user_id = $1 AND id = ANY($2::uuid[]) RETURNING `, userID, ids)
}

// Archive implements app.Inbox.
func (r *InboxRepository) Archive(ctx context.Context, userID string, ids []string) ([]domain.Notification, error) {
	return r.change(ctx, `UPDATE notifications SET archived_at = coalesce(archived_at, now()) WHERE user_id = $1 AND id = ANY($2::uuid[]) RETURNING `, userID, ids)
}

func (r *InboxRepository) change(ctx context.Context, sql, userID string, ids []string) ([]domain.Notification, error) {
	rows, _ := r.q().Query(ctx, sql+notificationColumns, userID, ids)
	ns, err := pgx.CollectRows(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("change notifications of %s: %w", userID, err)
	}
	return ns, nil
}

// MarkAllRead implements app.Inbox.
func (r *InboxRepository) MarkAllRead(ctx context.Context, userID string) (int, error) {
	tag, err := r.q().Exec(ctx, `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL AND archived_at IS NULL`, userID)
	if err != nil {
		return 0, fmt.Errorf("mark all read of %s: %w", userID, err)
	}
	return int(tag.RowsAffected()), nil
}

// Settings implements app.Inbox and app.Recorder: defaults for a user who set none.
func (r *InboxRepository) Settings(ctx context.Context, userID string) (domain.Settings, error) {
	s := domain.DefaultSettings(userID)
	var (
		qs, qe  *int
		optOuts []string
	)
	err := r.q().QueryRow(ctx, `SELECT email, phone, push_token, locale, time_zone, quiet_start, quiet_end, opt_outs
		FROM notification_settings WHERE user_id = $1`, userID).Scan(&s.Email, &s.Phone, &s.PushToken, &s.Locale, &s.TimeZone, &qs, &qe, &optOuts)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("settings of %s: %w", userID, err)
	}
	if qs != nil && qe != nil {
		s.Quiet = &domain.QuietHours{Start: *qs, End: *qe}
	}
	for _, o := range optOuts {
		cat, ch, _ := strings.Cut(o, ":")
		if s.OptOuts[domain.Category(cat)] == nil {
			s.OptOuts[domain.Category(cat)] = map[domain.Channel]bool{}
		}
		s.OptOuts[domain.Category(cat)][domain.Channel(ch)] = true
	}
	return s, nil
}

// SaveSettings implements app.Inbox.
func (r *InboxRepository) SaveSettings(ctx context.Context, s domain.Settings) error {
	var qs, qe *int
	if s.Quiet != nil {
		qs, qe = &s.Quiet.Start, &s.Quiet.End
	}
	optOuts := []string{}
	for cat, chans := range s.OptOuts {
		for ch, off := range chans {
			if off {
				optOuts = append(optOuts, string(cat)+":"+string(ch))
			}
		}
	}
	_, err := r.q().Exec(ctx, `INSERT INTO notification_settings (user_id, email, phone, push_token, locale, time_zone, quiet_start, quiet_end, opt_outs, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
		ON CONFLICT (user_id) DO UPDATE SET email = $2, phone = $3, push_token = $4, locale = $5, time_zone = $6,
			quiet_start = $7, quiet_end = $8, opt_outs = $9, updated_at = now()`,
		s.UserID, s.Email, s.Phone, s.PushToken, s.Locale, s.TimeZone, qs, qe, optOuts)
	if err != nil {
		return fmt.Errorf("save settings of %s: %w", s.UserID, err)
	}
	return nil
}

const deliveryColumns = `id::text, coalesce(notification_id::text, ''), user_id, event_id, channel, status, idempotency_key, address, locale,
	subject, body_text, body_html, coalesce(digest_key, ''), coalesce(provider, ''), coalesce(provider_answer, ''), coalesce(reason, ''),
	attempts, next_attempt_at, updated_at`

func scanDelivery(row pgx.CollectableRow) (domain.Delivery, error) {
	var d domain.Delivery
	err := row.Scan(&d.ID, &d.NotificationID, &d.UserID, &d.EventID, &d.Channel, &d.Status, &d.IdempotencyKey, &d.To, &d.Locale,
		&d.Subject, &d.Text, &d.HTML, &d.DigestKey, &d.Provider, &d.ProviderAnswer, &d.Reason, &d.Attempts, &d.NextAttemptAt, &d.UpdatedAt)
	return d, err
}

// Deliveries implements app.Inbox: newest first by id order of creation.
func (r *InboxRepository) Deliveries(ctx context.Context, f app.DeliveryFilter) ([]domain.Delivery, error) {
	statuses := make([]string, 0, len(f.Statuses))
	for _, s := range f.Statuses {
		statuses = append(statuses, string(s))
	}
	after := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	afterID := "ffffffff-ffff-ffff-ffff-ffffffffffff"
	if f.AfterID != "" {
		if err := r.q().QueryRow(ctx, `SELECT created_at, id::text FROM deliveries WHERE id = $1`, f.AfterID).Scan(&after, &afterID); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
	}
	rows, _ := r.q().Query(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE (cardinality($1::text[]) = 0 OR status = ANY($1)) AND ($2 = '' OR channel = $2) AND ($3 = '' OR user_id = $3)
		  AND (created_at, id) < ($4, $5::uuid)
		ORDER BY created_at DESC, id DESC LIMIT $6`, statuses, string(f.Channel), f.UserID, after, afterID, f.First+1)
	ds, err := pgx.CollectRows(rows, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	return ds, nil
}

// DeliveriesOf implements app.Inbox.
func (r *InboxRepository) DeliveriesOf(ctx context.Context, ids []string) (map[string][]domain.Delivery, error) {
	rows, _ := r.q().Query(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE notification_id = ANY($1::uuid[]) ORDER BY channel`, ids)
	ds, err := pgx.CollectRows(rows, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("deliveries of notifications: %w", err)
	}
	out := map[string][]domain.Delivery{}
	for _, d := range ds {
		out[d.NotificationID] = append(out[d.NotificationID], d)
	}
	return out, nil
}
