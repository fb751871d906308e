package graph

import (
	"context"
	"fmt"

	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/graph/model"
)

// driver reads a courier with their live state (app.ErrNotFound passes through).
func (r *Resolver) driver(ctx context.Context, id string) (*model.Driver, error) {
	d, live, err := r.App.Driver(ctx, id)
	if err != nil {
		return nil, err
	}
	return toDriver(ctx, d, live), nil
}

func (r *Resolver) advance(ctx context.Context, deliveryID string, to domain.DeliveryStatus) (*model.Delivery, error) {
	id, err := authz.RequireRole(ctx, authz.RoleDriver)
	if err != nil {
		return nil, err
	}
	d, err := r.App.Advance(ctx, id.UserID, deliveryID, to)
	if err != nil {
		return nil, clientError(err)
	}
	return toDelivery(d), nil
}

func (r *Resolver) viewDelivery(ctx context.Context, id string) (*model.Delivery, error) {
	if _, err := authz.RequireAuthenticated(ctx); err != nil {
		return nil, err
	}
	d, err := r.App.Store().Delivery(ctx, id)
	if err != nil {
		return nil, clientError(err)
	}
	if err := mayView(ctx, d); err != nil {
		return nil, err
	}
	return toDelivery(d), nil
}

// selfOrAdmin: a courier's work is shown to the courier and admins only.
func selfOrAdmin(ctx context.Context, driverID string) bool {
	id, ok := authz.FromContext(ctx)
	return ok && (id.UserID == driverID || id.HasRole(authz.RoleAdmin))
}

func (r *Resolver) currentOffer(ctx context.Context, driverID string) (*model.Offer, error) {
	if !selfOrAdmin(ctx, driverID) {
		return nil, nil
	}
	o, err := r.App.CurrentOffer(ctx, driverID)
	if err != nil || o == nil {
		return nil, clientError(err)
	}
	return toOffer(o), nil
}

func (r *Resolver) currentDelivery(ctx context.Context, driverID string) (*model.Delivery, error) {
	if !selfOrAdmin(ctx, driverID) {
		return nil, nil
	}
	d, err := r.App.CurrentDelivery(ctx, driverID)
	if err != nil || d == nil {
		return nil, clientError(err)
	}
	return toDelivery(d), nil
}

func (r *Resolver) deliveries(ctx context.Context, driverID string, first *int) ([]*model.Delivery, error) {
	n := 20
	if first != nil {
		n = *first
	}
	if n < 1 || n > app.MaxHistory {
		return nil, graphqlerr.BadUserInput("first", fmt.Sprintf("must be between 1 and %d", app.MaxHistory))
	}
	out := []*model.Delivery{}
	if !selfOrAdmin(ctx, driverID) {
		return out, nil
	}
	ds, err := r.App.DeliveriesOf(ctx, driverID, n)
	if err != nil {
		return nil, clientError(err)
	}
	for _, d := range ds {
		out = append(out, toDelivery(d))
	}
	return out, nil
}
