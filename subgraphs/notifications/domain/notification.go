package domain

import (
	"fmt"
	"time"
)

// Category is what a notification is about; preferences are kept per category.
type Category string

const (
	CategoryOrders     Category = "orders"
	CategoryPromotions Category = "promotions"
	CategoryAccount    Category = "account"
)

// Categories lists every category.
var Categories = []Category{CategoryOrders, CategoryPromotions, CategoryAccount}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

// Channel is where a message goes. InApp is the inbox itself and is always on.
type Channel string

const (
	ChannelInApp Channel = "in_app"
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
	ChannelPush  Channel = "push"
)

// Channels lists every channel; SendChannels those that go through providers.
var (
	Channels     = []Channel{ChannelInApp, ChannelEmail, ChannelSMS, ChannelPush}
	SendChannels = []Channel{ChannelEmail, ChannelSMS, ChannelPush}
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, k := range Channels {
		if k == c {
			return true
		}
	}
	return false
}

// Notification is one inbox entry of one user. Seq numbers a user's entries 1, 2, 3...
// without gaps in commit order, which is what lets a live subscriber resume after the
// last one it saw.
type Notification struct {
	ID        string
	UserID    string
	Seq       int64
	EventID   string
	Category  Category
	Kind      string
	Title     string
	Body      string
	Locale    string
	OrderID   string
	Read      bool
	Archived  bool
	CreatedAt time.Time
}

// DeliveryStatus is a message's way through its channel's providers.
type DeliveryStatus string

const (
	DeliveryQueued     DeliveryStatus = "queued"
	DeliverySending    DeliveryStatus = "sending"
	DeliverySent       DeliveryStatus = "sent"
	DeliveryFailed     DeliveryStatus = "failed"
	DeliveryDead       DeliveryStatus = "dead"
	DeliverySuppressed DeliveryStatus = "suppressed"
)

// DeliveryStatuses lists every status.
var DeliveryStatuses = []DeliveryStatus{DeliveryQueued, DeliverySending, DeliverySent, DeliveryFailed, DeliveryDead, DeliverySuppressed}

// Delivery is one message on one channel for one notification. IdempotencyKey is the
// same for every attempt (and every replica): providers that take a key send it once.
type Delivery struct {
	ID             string
	NotificationID string
	UserID         string
	EventID        string
	Channel        Channel
	Status         DeliveryStatus
	IdempotencyKey string
	To             string
	Subject        string
	Text           string
	HTML           string
	// Locale is the language the texts are in.
	Locale string
	// DigestKey groups deliveries that go out as one summary when their window ends.
	DigestKey      string
	Provider       string
	ProviderAnswer string
	Reason         string
	Attempts       int
	NextAttemptAt  time.Time
	UpdatedAt      time.Time
}

// IdempotencyKey is the key of the message of eventID to userID on channel.
func IdempotencyKey(eventID, userID string, ch Channel) string {
	return fmt.Sprintf("%s:%s:%s", eventID, userID, ch)
}
