package contracts

// TypeNotificationRequested: subject is the recipient id, so one person's notifications
// are sent in order.
const TypeNotificationRequested = "notification.requested"

// Notification channels.
const (
	ChannelPush  = "push"
	ChannelSMS   = "sms"
	ChannelEmail = "email"
)

// NotificationRequestedV1 asks the notification service to render Template with Params
// and deliver it on Channel.
type NotificationRequestedV1 struct {
	NotificationID string            `json:"notification_id"`
	RecipientID    string            `json:"recipient_id"`
	Channel        string            `json:"channel"`
	Template       string            `json:"template"`
	Params         map[string]string `json:"params,omitempty"`
	OrderID        string            `json:"order_id,omitempty"`
}

func (NotificationRequestedV1) EventType() string { return TypeNotificationRequested }
func (NotificationRequestedV1) EventVersion() int { return 1 }
