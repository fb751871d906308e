package adapters

import (
	"strings"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// The payloads the orders service publishes, built from the aggregate. v2 of both
// contracts: v1 of order.status.changed has no payment_failed, rejected or
// delivery_failed, and v1 of order.created has no points.

// orderCreated is order.created v2. Total is the order's price with the points NOT
// deducted; the wallet collects Total, redeeming PointsRedeemed points (valued by its
// loyalty rules) for part of it and charging the rest to the customer's wallet balance.
// This is what the wallet's domain.Pay does with the two fields.
func orderCreated(o *domain.Order) contracts.OrderCreatedV2 {
	items := make([]contracts.OrderItem, len(o.Lines))
	for i, l := range o.Lines {
		items[i] = contracts.OrderItem{MenuItemID: l.MenuItemID, Name: l.Name, Quantity: l.Quantity,
			UnitPrice: contractMoney(l.UnitPrice)}
	}
	a := o.DeliveryAddress
	return contracts.OrderCreatedV2{
		OrderID: o.ID, CustomerID: o.CustomerID, RestaurantID: o.RestaurantID, Items: items,
		Subtotal: contractMoney(o.Subtotal), DeliveryFee: contractMoney(o.DeliveryFee), Total: contractMoney(o.Total),
		PointsRedeemed:  o.PointsRedeemed,
		DeliveryAddress: contracts.Address{Line1: a.Line1, City: a.City, Lat: o.DeliveryAt.Lat, Lng: o.DeliveryAt.Lng},
		PlacedAt:        o.PlacedAt,
	}
}

// orderStatusChanged is order.status.changed v2 for transition t of o.
func orderStatusChanged(o *domain.Order, t domain.Transition) contracts.OrderStatusChangedV2 {
	return contracts.OrderStatusChangedV2{
		OrderID: o.ID, CustomerID: o.CustomerID, RestaurantID: o.RestaurantID,
		From: t.From.EventName(), To: t.To.EventName(), Actor: ContractActor(t.Actor), Reason: t.Reason,
		ChangedAt: t.At,
	}
}

// refundRequested is payment.refund.requested v1 for refund-request entry t of o: the
// payment arrived when o could no longer be paid. Amount is the order's total, what
// payment.success charges.
func refundRequested(o *domain.Order, t domain.Transition) contracts.PaymentRefundRequestedV1 {
	return contracts.PaymentRefundRequestedV1{
		OrderID: o.ID, PaymentID: t.RefundOf, CustomerID: o.CustomerID, Amount: contractMoney(o.Total),
		Reason: contracts.RefundLatePayment, Message: t.Reason, RequestedAt: t.At,
	}
}

func contractMoney(m domain.Money) contracts.Money {
	return contracts.Money{AmountMinor: m.Minor, Currency: m.Currency}
}

// ContractActor spells a timeline actor the way the event contracts do ("user:<id>" for a
// person, "system:<component>" for a service). The timeline keeps the role
// ("customer:", "staff:", "admin:") because the order's own readers want it; consumers of
// the event who need the role look the user up.
func ContractActor(actor string) string {
	kind, id, found := strings.Cut(actor, ":")
	switch {
	case !found:
		return "system:" + actor // "wallet", "dispatch"
	case kind == "customer" || kind == "staff" || kind == "admin":
		return "user:" + id
	}
	return actor // already "system:<component>"
}
