package app

import (
	"context"
	"fmt"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// Source is the envelope source of dispatch's events.
const Source = "dispatch"

// contractStatuses spells each delivery status the way delivery.status.changed does.
// Spelled out rather than lower-cased so a status added to the domain without a
// contract counterpart fails loudly instead of publishing a string no consumer knows.
var contractStatuses = map[domain.DeliveryStatus]string{
	domain.DeliveryCreated:          contracts.DeliveryCreated,
	domain.DeliveryConfirmed:        contracts.DeliveryConfirmed,
	domain.DeliveryEnrouteToPickup:  contracts.DeliveryEnrouteToPickup,
	domain.DeliveryArrivedAtPickup:  contracts.DeliveryArrivedAtPickup,
	domain.DeliveryPickedUp:         contracts.DeliveryPickedUp,
	domain.DeliveryEnrouteToDropoff: contracts.DeliveryEnrouteToDropoff,
	domain.DeliveryArrivedAtDropoff: contracts.DeliveryArrivedAtDropoff,
	domain.DeliveryDelivered:        contracts.DeliveryDelivered,
	domain.DeliveryCancelled:        contracts.DeliveryCancelled,
}

func contractStatus(s domain.DeliveryStatus) (string, error) {
	c, ok := contractStatuses[s]
	if !ok {
		return "", fmt.Errorf("delivery status %q has no delivery.status.changed spelling", s)
	}
	return c, nil
}

// statusEvent describes d's last transition as delivery.status.changed (subject: the
// order id, so it is ordered with the order's own events). The first transition, into
// created, has no "from": the contract leaves it out.
func statusEvent(ctx context.Context, d *domain.Delivery) ([]events.Envelope, error) {
	last := d.Timeline[len(d.Timeline)-1]
	to, err := contractStatus(last.To)
	if err != nil {
		return nil, err
	}
	from := ""
	if last.From != "" {
		if from, err = contractStatus(last.From); err != nil {
			return nil, err
		}
	}
	e, err := events.New(ctx, Source, d.OrderID, contracts.DeliveryStatusChangedV1{
		DeliveryID: d.ID, OrderID: d.OrderID, DriverID: d.DriverID,
		From: from, To: to, Actor: last.Actor, ChangedAt: last.At,
	})
	if err != nil {
		return nil, err
	}
	return []events.Envelope{e}, nil
}
