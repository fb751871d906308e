package contracts

import "time"

// Event types of the order aggregate (subject: the order id).
const (
	TypeOrderCreated       = "order.created"
	TypeOrderStatusChanged = "order.status.changed"
)

// OrderCreatedV1: a customer placed an order.
type OrderCreatedV1 struct {
	OrderID         string      `json:"order_id"`
	CustomerID      string      `json:"customer_id"`
	RestaurantID    string      `json:"restaurant_id"`
	Items           []OrderItem `json:"items"`
	Subtotal        Money       `json:"subtotal"`
	DeliveryFee     Money       `json:"delivery_fee"`
	Total           Money       `json:"total"`
	DeliveryAddress Address     `json:"delivery_address"`
	PlacedAt        time.Time   `json:"placed_at"`
}

func (OrderCreatedV1) EventType() string { return TypeOrderCreated }
func (OrderCreatedV1) EventVersion() int { return 1 }

// OrderItem is one line of an order, priced when the order was placed.
type OrderItem struct {
	MenuItemID string `json:"menu_item_id"`
	Name       string `json:"name"`
	Quantity   int    `json:"quantity"`
	UnitPrice  Money  `json:"unit_price"`
}

// Address is where an order is delivered.
type Address struct {
	Line1 string  `json:"line1"`
	City  string  `json:"city"`
	Lat   float64 `json:"lat"`
	Lng   float64 `json:"lng"`
}

// Order statuses, in saga order.
const (
	OrderPlaced         = "placed"
	OrderPaid           = "paid"
	OrderAccepted       = "accepted"
	OrderPreparing      = "preparing"
	OrderReadyForPickup = "ready_for_pickup"
	OrderPickedUp       = "picked_up"
	OrderDelivered      = "delivered"
	OrderCancelled      = "cancelled"
	// Statuses added in order.status.changed v2.
	OrderPaymentFailed  = "payment_failed"
	OrderRejected       = "rejected"
	OrderDeliveryFailed = "delivery_failed"
)

// OrderStatusChangedV1: an order moved from one status to another.
type OrderStatusChangedV1 struct {
	OrderID   string    `json:"order_id"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Reason    string    `json:"reason,omitempty"`
	ChangedAt time.Time `json:"changed_at"`
}

func (OrderStatusChangedV1) EventType() string { return TypeOrderStatusChanged }
func (OrderStatusChangedV1) EventVersion() int { return 1 }

// OrderCreatedV2 adds the loyalty points a customer redeems at checkout.
type OrderCreatedV2 struct {
	OrderID         string      `json:"order_id"`
	CustomerID      string      `json:"customer_id"`
	RestaurantID    string      `json:"restaurant_id"`
	Items           []OrderItem `json:"items"`
	Subtotal        Money       `json:"subtotal"`
	DeliveryFee     Money       `json:"delivery_fee"`
	Total           Money       `json:"total"`
	PointsRedeemed  int64       `json:"points_redeemed,omitempty"`
	DeliveryAddress Address     `json:"delivery_address"`
	PlacedAt        time.Time   `json:"placed_at"`
}

func (OrderCreatedV2) EventType() string { return TypeOrderCreated }
func (OrderCreatedV2) EventVersion() int { return 2 }

// OrderStatusChangedV2 adds the statuses of the full saga (payment_failed, rejected,
// delivery_failed), the actor of the transition, and the order's customer and restaurant so
// consumers (wallet refunds, dashboards) need not look them up.
type OrderStatusChangedV2 struct {
	OrderID      string    `json:"order_id"`
	CustomerID   string    `json:"customer_id,omitempty"`
	RestaurantID string    `json:"restaurant_id,omitempty"`
	From         string    `json:"from"`
	To           string    `json:"to"`
	Actor        string    `json:"actor,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	ChangedAt    time.Time `json:"changed_at"`
}

func (OrderStatusChangedV2) EventType() string { return TypeOrderStatusChanged }
func (OrderStatusChangedV2) EventVersion() int { return 2 }
