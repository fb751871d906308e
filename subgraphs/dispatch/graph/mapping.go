package graph

import (
	"context"
	"errors"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/graph/model"
)

// clientError turns app and domain errors into errors with extensions.code; anything
// unexpected stays internal (logged, shown as "internal error").
func clientError(err error) error {
	var ge *graphqlerr.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ge):
		return err
	case errors.Is(err, app.ErrNotFound):
		return graphqlerr.NotFound("not found")
	case errors.Is(err, app.ErrBadLocation):
		return graphqlerr.BadUserInput("location", "not a valid coordinate")
	case errors.Is(err, domain.ErrNotYourDelivery):
		return graphqlerr.Forbidden("this delivery belongs to another courier")
	case errors.Is(err, domain.ErrDriverOffline):
		return graphqlerr.Conflict("go online first")
	case errors.Is(err, domain.ErrNoOffer):
		return graphqlerr.Conflict("no such offer (it may have lapsed)")
	case errors.Is(err, domain.ErrIllegalTransition), errors.Is(err, domain.ErrDriverBusy), errors.Is(err, domain.ErrOrderHasOffer):
		return &graphqlerr.Error{Code: graphqlerr.CodeConflict, Message: "not allowed in the current state", Cause: err}
	}
	return graphqlerr.Internal(err)
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := rfc3339(t)
	return &s
}

func location(p domain.Point) *model.Location { return &model.Location{Lat: p.Lat, Lng: p.Lng} }

func point(l model.LocationInput) domain.Point { return domain.Point{Lat: l.Lat, Lng: l.Lng} }

// toDriver shows position and last ping to the courier and admins only.
func toDriver(ctx context.Context, d domain.Driver, live domain.LiveDriver) *model.Driver {
	out := &model.Driver{ID: d.ID, User: &model.User{ID: d.UserID}, Vehicle: model.Vehicle(d.Vehicle), Status: model.DriverStatus(d.Status)}
	if id, ok := authz.FromContext(ctx); ok && (id.UserID == d.ID || id.HasRole(authz.RoleAdmin)) && live.At.Valid() {
		out.LastLocation = location(live.At)
		out.LastSeenAt = optTime(live.LastSeen)
	}
	return out
}

func toDelivery(d *domain.Delivery) *model.Delivery {
	out := &model.Delivery{
		ID: d.ID, Order: &model.Order{ID: d.OrderID}, Status: model.DeliveryStatus(d.Status),
		Pickup: location(d.Pickup), Dropoff: location(d.Dropoff),
		PickupEta: optTime(d.PickupETA), DropoffEta: optTime(d.DropoffETA),
	}
	if d.DriverID != "" {
		out.Driver = &model.Driver{ID: d.DriverID}
	}
	for _, t := range d.Timeline {
		tr := &model.DeliveryTransition{To: model.DeliveryStatus(t.To), At: rfc3339(t.At), Actor: t.Actor}
		if t.From != "" {
			from := model.DeliveryStatus(t.From)
			tr.From = &from
		}
		out.Timeline = append(out.Timeline, tr)
	}
	return out
}

// mayView: the order's customer, its courier and admins see a delivery.
func mayView(ctx context.Context, d *domain.Delivery) error {
	id, err := authz.RequireAuthenticated(ctx)
	if err != nil {
		return err
	}
	if id.UserID == d.CustomerID || (d.DriverID != "" && id.UserID == d.DriverID) || id.HasRole(authz.RoleAdmin) {
		return nil
	}
	return graphqlerr.Forbidden("you may not see this delivery")
}

func toOffer(o *app.PendingOffer) *model.Offer {
	out := &model.Offer{OrderID: o.OrderID, ExpiresAt: rfc3339(o.Until)}
	if o.Delivery != nil {
		out.Pickup, out.Dropoff = location(o.Delivery.Pickup), location(o.Delivery.Dropoff)
	}
	return out
}
