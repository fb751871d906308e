package graph

import (
	"context"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
	"github.com/dizhtime/dizhtime/subgraphs/orders/graph/model"
)

func money(m domain.Money) *model.Money {
	return &model.Money{AmountMinor: int(m.Minor), Currency: m.Currency}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func transition(t domain.Transition) *model.OrderTransition {
	out := &model.OrderTransition{Sequence: t.Seq, To: model.OrderStatus(t.To), At: t.At.Format(time.RFC3339Nano),
		Actor: t.Actor, Reason: optional(t.Reason)}
	if t.From != "" {
		from := model.OrderStatus(t.From)
		out.From = &from
	}
	return out
}

func order(o *domain.Order) *model.Order {
	if o == nil {
		return nil
	}
	a := o.DeliveryAddress
	out := &model.Order{
		ID: o.ID, Customer: &model.User{ID: o.CustomerID}, Restaurant: &model.Restaurant{ID: o.RestaurantID},
		Subtotal: money(o.Subtotal), DeliveryFee: money(o.DeliveryFee), PointsRedeemed: int(o.PointsRedeemed),
		Total: money(o.Total),
		DeliveryAddress: &model.DeliveryAddress{Line1: a.Line1, Line2: optional(a.Line2), City: a.City,
			PostalCode: optional(a.PostalCode), Country: optional(a.Country)},
		DeliveryLocation: &model.GeoPoint{Lat: o.DeliveryAt.Lat, Lng: o.DeliveryAt.Lng},
		Status:           model.OrderStatus(o.Status), DriverID: optional(o.DriverID),
		PlacedAt: o.PlacedAt.Format(time.RFC3339Nano),
	}
	if o.AcceptBy != nil {
		s := o.AcceptBy.Format(time.RFC3339Nano)
		out.AcceptBy = &s
	}
	for _, l := range o.Lines {
		ml := &model.OrderLine{MenuItem: &model.MenuItem{ID: l.MenuItemID}, Name: l.Name, Quantity: l.Quantity,
			UnitPrice: money(l.UnitPrice), LineTotal: money(l.LineTotal), Options: []*model.OrderLineOption{}}
		for _, op := range l.Options {
			ml.Options = append(ml.Options, &model.OrderLineOption{ID: op.ID, Name: op.Name, GroupID: op.GroupID, PriceDelta: money(op.PriceDelta)})
		}
		out.Lines = append(out.Lines, ml)
	}
	for _, t := range o.Timeline {
		out.Timeline = append(out.Timeline, transition(t))
	}
	return out
}

func connection(orders []*domain.Order, hasNext bool) *model.OrderConnection {
	c := &model.OrderConnection{Edges: []*model.OrderEdge{}, PageInfo: &model.PageInfo{HasNextPage: hasNext}}
	for _, o := range orders {
		c.Edges = append(c.Edges, &model.OrderEdge{Cursor: app.Cursor(o), Node: order(o)})
	}
	if len(c.Edges) > 0 {
		c.PageInfo.StartCursor = &c.Edges[0].Cursor
		c.PageInfo.EndCursor = &c.Edges[len(c.Edges)-1].Cursor
	}
	return c
}

func listFilter(first *int, after *string, status []model.OrderStatus) app.ListFilter {
	f := app.ListFilter{}
	if first != nil {
		f.First = *first
	}
	if after != nil {
		f.After = *after
	}
	for _, s := range status {
		f.Statuses = append(f.Statuses, domain.Status(s))
	}
	return f
}

// updates maps the application's stream; it stops when ctx ends, so a client that goes
// away mid-send leaves no goroutine blocked on out.
func updates(ctx context.Context, in <-chan app.OrderUpdate) <-chan *model.OrderUpdate {
	out := make(chan *model.OrderUpdate)
	go func() {
		defer close(out)
		for u := range in {
			select {
			case out <- &model.OrderUpdate{Transition: transition(u.Transition), Order: order(u.Order)}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
