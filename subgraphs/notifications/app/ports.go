package app

import (
	"context"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
)

// Page asks for a newest-first page: First entries after the cursor After ("" = newest).
type Page struct {
	First int
	After string
}

// DeliveryFilter narrows the admin listing of deliveries.
type DeliveryFilter struct {
	Statuses []domain.DeliveryStatus
	Channel  domain.Channel
	UserID   string
	// AfterID pages by id, newest first.
	AfterID string
	First   int
}

// Inbox is the store the GraphQL port reads and changes.
type Inbox interface {
	// List returns a user's entries (not archived), newest first, from the one after
	// afterSeq (0: the newest), limit+1 at most so the caller sees whether there is more.
	List(ctx context.Context, userID string, afterSeq int64, limit int, unreadOnly bool) ([]domain.Notification, error)
	UnreadCount(ctx context.Context, userID string) (int, error)
	// After returns a user's entries with seq > seq, oldest first, at most limit.
	After(ctx context.Context, userID string, seq int64, limit int) ([]domain.Notification, error)
	// Head is the user's newest seq (0 when the inbox is empty).
	Head(ctx context.Context, userID string) (int64, error)
	MarkRead(ctx context.Context, userID string, ids []string) ([]domain.Notification, error)
	MarkAllRead(ctx context.Context, userID string) (int, error)
	Archive(ctx context.Context, userID string, ids []string) ([]domain.Notification, error)
	Settings(ctx context.Context, userID string) (domain.Settings, error)
	SaveSettings(ctx context.Context, s domain.Settings) error
	Deliveries(ctx context.Context, f DeliveryFilter) ([]domain.Delivery, error)
	DeliveriesOf(ctx context.Context, notificationIDs []string) (map[string][]domain.Delivery, error)
}

// Recorder writes notifications inside the event consumer's transaction.
type Recorder interface {
	Settings(ctx context.Context, userID string) (domain.Settings, error)
	// Record inserts n, giving it the user's next seq, and its deliveries. It returns
	// false, writing nothing, when the user already has a notification of n.EventID and
	// n.Kind (a redelivered event).
	Record(ctx context.Context, n *domain.Notification, ds []domain.Delivery) (bool, error)
}

// StaffDirectory lists who works at a restaurant (identity's relation tuples).
type StaffDirectory interface {
	Staff(ctx context.Context, restaurantID string) ([]string, error)
}

// Outbox is the queue of messages to send, shared by every replica.
type Outbox interface {
	// Claim leases up to n due messages (queued, failed and due, or sending with an
	// expired lease) to this caller for lease, counting an attempt on each.
	Claim(ctx context.Context, n int, lease time.Duration) ([]domain.Delivery, error)
	// ClaimDigest leases one due digest group: its first message carries the summary, the
	// others are marked suppressed as digested into it. ok is false when none is due.
	ClaimDigest(ctx context.Context, lease time.Duration, summarize func(first domain.Delivery, n int) (domain.Delivery, error)) (d domain.Delivery, ok bool, err error)
	// Sent, Retry and Dead record an attempt's outcome; attempt fences out a worker whose
	// lease expired and whose message someone else took.
	Sent(ctx context.Context, id string, attempt int, provider, answer string) error
	Retry(ctx context.Context, id string, attempt int, at time.Time, provider, answer string) error
	Dead(ctx context.Context, id string, attempt int, provider, answer string) error
}

// Message is what a Sender sends.
type Message struct {
	// IdempotencyKey is the same on every attempt; providers that take one send once.
	IdempotencyKey string
	To             string
	Subject        string
	Text           string
	HTML           string
}

// Sender is one provider of one channel (SMTP, an SMS API, a push API).
type Sender interface {
	Name() string
	// Send delivers m and returns the provider's answer (its message id).
	Send(ctx context.Context, m Message) (string, error)
}
