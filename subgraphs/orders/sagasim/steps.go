package sagasim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	ddomain "github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
	oapp "github.com/dizhtime/dizhtime/subgraphs/orders/app"
	odomain "github.com/dizhtime/dizhtime/subgraphs/orders/domain"
	wapp "github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	wdomain "github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// Kind is what a step does.
type Kind uint8

// The steps. Their arguments A, B, C are chosen at random and read modulo whatever they
// index, so any step list (a shrunk one too) is a valid run.
const (
	TopUp Kind = iota
	Place
	RetryPlace
	Cancel
	Accept
	Reject
	Prepare
	Ready
	GoOnline
	Offer
	AcceptOffer
	DeclineOffer
	Unassign
	Advance
	AdminRefund
	Consume
	Relay
	Tick
	AcceptanceDeadlines
	DispatchRound
	SweepOffers
	CancelDelivery
	PaymentDeadlines
	Webhook
	ExpireIntents
	PauseConsumer
	kinds
)

var kindNames = [...]string{"top-up", "place", "retry-place", "cancel", "accept", "reject", "prepare", "ready",
	"go-online", "offer", "accept-offer", "decline-offer", "unassign", "advance", "admin-refund", "consume", "relay",
	"tick", "acceptance-deadlines", "dispatch-round", "sweep-offers", "cancel-delivery", "payment-deadlines", "webhook", "expire-intents", "pause-consumer"}

func (k Kind) String() string { return kindNames[k] }

// Step is one thing that happens.
type Step struct {
	Kind    Kind
	A, B, C uint32
}

// weights of the kinds in a generated workload: the bus gets most of the steps.
var weights = [kinds]int{TopUp: 2, Place: 3, RetryPlace: 1, Cancel: 2, Accept: 6, Reject: 1, Prepare: 3, Ready: 3,
	GoOnline: 2, Offer: 5, AcceptOffer: 5, DeclineOffer: 1, Unassign: 1, Advance: 8, AdminRefund: 2, Consume: 45,
	Relay: 30, Tick: 5, AcceptanceDeadlines: 2, DispatchRound: 3, SweepOffers: 1, CancelDelivery: 1, PaymentDeadlines: 2, Webhook: 3, ExpireIntents: 1, PauseConsumer: 1}

var totalWeight = func() int {
	n := 0
	for _, w := range weights {
		n += w
	}
	return n
}()

// Generate is the seed's workload of n steps.
func Generate(seed uint64, n int) []Step {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]Step, n)
	for i := range out {
		x := r.IntN(totalWeight)
		k := Kind(0)
		for ; x >= weights[k]; k++ {
			x -= weights[k]
		}
		out[i] = Step{Kind: k, A: r.Uint32(), B: r.Uint32(), C: r.Uint32()}
	}
	return out
}

// pct reads v as a percentage roll.
func pct(v uint32) int { return int(v % 100) }

// Apply runs one step and describes it for the trace.
func (w *World) Apply(s Step) string {
	ctx := context.Background()
	c := int(s.A % uint32(w.cfg.Customers))
	switch s.Kind {
	case TopUp:
		// A customer starts a top-up; a retry (the same key) sometimes, or another amount
		// under a used key (refused).
		cur := Currencies[s.B%uint32(len(Currencies))]
		amount := wdomain.MustMoney(int64(1000+s.C%12000), cur)
		key := fmt.Sprintf("topup-%d", w.keys+1)
		if pct(s.B>>8) < 20 && w.keys > 0 {
			key = fmt.Sprintf("topup-%d", 1+int(s.C>>16)%w.keys)
		} else {
			w.keys++
		}
		in, err := w.Wallet.StartTopUp(ctx, customerID(c), amount, key)
		return fmt.Sprintf("%s starts a top-up of %s under %s: %s %s", customerID(c), amount, key, in.Status, refusal(err))
	case Webhook:
		// The gateway answers an intent: success, or a decline for every fifth; delivered
		// any number of times and in any order; sometimes tampered (another amount).
		if len(w.gatewayIntents) == 0 {
			return "webhook: no intent yet"
		}
		n := int(s.A % uint32(len(w.gatewayIntents)))
		in := w.gatewayIntents[n]
		res := wapp.GatewayResult{Gateway: in.Gateway, IntentID: in.ID, UserID: in.UserID, AmountMinor: in.Amount.Minor(),
			Currency: string(in.Amount.Currency()), Status: wapp.IntentSucceeded}
		if n%5 == 4 {
			res.Status, res.Reason = wapp.IntentDeclined, "card declined"
		}
		if pct(s.B) < 5 {
			res.AmountMinor++ // not what the intent asked: must not be credited
		}
		got, err := w.Wallet.ApplyGatewayResult(ctx, res)
		return fmt.Sprintf("gateway webhook %s %d %s for intent %d (%s): intent %s, %s", res.Status, res.AmountMinor, res.Currency, n, in.UserID, got.Status, refusal(err))
	case ExpireIntents:
		n, err := w.Wallet.ExpireTopUpIntents(ctx)
		return fmt.Sprintf("top-up intents expired: %d, %s", n, refusal(err))
	case Place:
		r := int(s.B % uint32(w.cfg.Restaurants))
		lines := []oapp.QuoteLine{{MenuItemID: fmt.Sprintf("item-%d", s.C%5), Quantity: 1 + int(s.C>>3)%3}}
		var points int64
		if s.C>>8%5 == 0 {
			points = int64(s.C>>10%400) + 1
		}
		w.keys++
		cmd := oapp.PlaceOrderCommand{RestaurantID: restaurantID(r), Lines: lines, PointsToRedeem: points,
			DeliveryAddress: odomain.Address{Line1: "1 Main St", City: "Berlin"}, DeliveryAt: odomain.Location{Lat: 52.51, Lng: 13.41},
			IdempotencyKey: fmt.Sprintf("checkout-%d", w.keys)}
		o, err := w.Orders.PlaceOrder(as(customerID(c)), cmd)
		if err != nil {
			return fmt.Sprintf("%s places an order at %s: %s", customerID(c), restaurantID(r), refusal(err))
		}
		if _, seen := w.orderNo[o.ID]; !seen {
			w.orderNo[o.ID] = len(w.orderIDs)
			w.orderIDs = append(w.orderIDs, o.ID)
			w.carts = append(w.carts, placed{customer: c, restaurant: r, cmd: cmd})
		}
		return fmt.Sprintf("%s places %s at %s: %s, %d points", customerID(c), w.name(o.ID), restaurantID(r), fmtMoney(o.Total), points)
	case RetryPlace:
		if len(w.carts) == 0 {
			return "retry-place: " + errNoOrder.Error()
		}
		n := int(s.A % uint32(len(w.carts)))
		p := w.carts[n]
		o, err := w.Orders.PlaceOrder(as(customerID(p.customer)), p.cmd)
		if err != nil {
			return fmt.Sprintf("%s retries the checkout of o%d: %s", customerID(p.customer), n, refusal(err))
		}
		return fmt.Sprintf("%s retries the checkout of o%d: got %s", customerID(p.customer), n, w.name(o.ID))
	case Cancel, Accept, Reject, Prepare, Ready:
		id := w.order(int(s.A))
		if id == "" {
			return s.Kind.String() + ": " + errNoOrder.Error()
		}
		n := w.orderNo[id]
		var err error
		switch s.Kind {
		case Cancel:
			if pct(s.B) < 10 {
				_, err = w.Orders.CancelOrder(as("admin-0", authz.RoleAdmin), id, "admin cancels")
			} else {
				_, err = w.Orders.CancelOrder(as(customerID(w.carts[n].customer)), id, "changed my mind")
			}
		case Accept:
			_, err = w.Orders.AcceptOrder(w.staff(n), id)
		case Reject:
			_, err = w.Orders.RejectOrder(w.staff(n), id, "out of stock")
		case Prepare:
			_, err = w.Orders.MarkPreparing(w.staff(n), id)
		case Ready:
			_, err = w.Orders.MarkReady(w.staff(n), id)
		}
		return fmt.Sprintf("%s %s: %s", s.Kind, w.name(id), refusal(err))
	case GoOnline:
		d := int(s.A % uint32(w.cfg.Drivers))
		_, err := w.Dispatch.GoOnline(ctx, driverID(d), ddomain.VehicleScooter, ddomain.Point{Lat: 52.5, Lng: 13.4})
		w.online[d] = err == nil
		return fmt.Sprintf("%s goes online: %s", driverID(d), refusal(err))
	case Offer:
		// The matcher's offer: a waiting delivery is offered to an available driver.
		var waiting []string
		for _, id := range w.DispatchDB.ids {
			if row := w.DispatchDB.deliveries[id]; row.d.Status == ddomain.DeliveryCreated {
				waiting = append(waiting, row.d.OrderID)
			}
		}
		if len(waiting) == 0 {
			return "offer: no delivery waits for a driver"
		}
		id := waiting[int(s.A%uint32(len(waiting)))]
		d := int(s.B % uint32(w.cfg.Drivers))
		err := w.Live.Reserve(ctx, id, driverID(d), w.Clock.Now().Add(2*time.Minute))
		return fmt.Sprintf("offer %s to %s: %s", w.name(id), driverID(d), refusal(err))
	case AcceptOffer, DeclineOffer, Unassign, Advance:
		// Mostly a driver the step applies to (holding an offer to answer, or a delivery
		// to move), sometimes any driver (a stale tap).
		d := int(s.A % uint32(w.cfg.Drivers))
		if pct(s.C>>8) < 85 {
			want := ddomain.DriverOnDelivery
			if s.Kind == AcceptOffer || s.Kind == DeclineOffer {
				want = ddomain.DriverOffered
			}
			var fit []int
			for x := 0; x < w.cfg.Drivers; x++ {
				if ld, _ := w.Live.Driver(ctx, driverID(x)); ld.Status == want {
					fit = append(fit, x)
				}
			}
			if len(fit) > 0 {
				d = fit[int(s.A%uint32(len(fit)))]
			}
		}
		ld, _ := w.Live.Driver(ctx, driverID(d))
		if ld.OrderID == "" {
			return fmt.Sprintf("%s %s: holds no order", driverID(d), s.Kind)
		}
		id := ld.OrderID
		var err error
		switch s.Kind {
		case AcceptOffer:
			if pct(s.B) < 8 {
				// dispatch restarts inside AcceptOffer: the live index took the acceptance,
				// PostgreSQL never heard of it (the delivery stays CREATED).
				err = w.Live.Accept(ctx, id, driverID(d), w.Clock.Now())
				return fmt.Sprintf("%s accept-offer %s: dispatch crashed after the live index accepted: %s", driverID(d), w.name(id), refusal(err))
			}
			_, err = w.Dispatch.AcceptOffer(ctx, driverID(d), id)
		case DeclineOffer:
			err = w.Dispatch.DeclineOffer(ctx, driverID(d), id)
		case Unassign:
			_, err = w.Dispatch.Unassign(ctx, driverID(d), dappDeliveryID(id))
		case Advance:
			// Mostly the delivery's next step; sometimes any (a stale or repeated tap).
			to := advanceTargets[s.B%uint32(len(advanceTargets))]
			if pct(s.C) < 80 {
				if row := w.DispatchDB.deliveries[dappDeliveryID(id)]; row != nil {
					to = nextDeliveryStep(row.d.Status)
				}
			}
			_, err = w.Dispatch.Advance(ctx, driverID(d), dappDeliveryID(id), to)
			return fmt.Sprintf("%s moves the delivery of %s to %s: %s", driverID(d), w.name(id), to, refusal(err))
		}
		return fmt.Sprintf("%s %s %s: %s", driverID(d), s.Kind, w.name(id), refusal(err))
	case AdminRefund:
		id := w.order(int(s.A))
		if id == "" {
			return "admin-refund: " + errNoOrder.Error()
		}
		n := w.orderNo[id]
		cur := Currencies[w.carts[n].restaurant%len(Currencies)]
		amount := wdomain.MustMoney(int64(1+s.B%600), cur)
		w.keys++
		_, err := w.Wallet.Refund(ctx, wapp.RefundCommand{OrderID: id, Amount: &amount, Reason: "goodwill",
			IdempotencyKey: fmt.Sprintf("admin-refund-%d", w.keys), Actor: "admin:admin-0"})
		return fmt.Sprintf("admin refunds %s of %s: %s", amount, w.name(id), refusal(err))
	case PauseConsumer:
		n := 20 + int(s.B%300)
		return fmt.Sprintf("%s lags for the next %d consume steps (rebalance, backlog)", w.Bus.Pause(int(s.A), n), n)
	case Consume:
		w.Bus.Tick()
		lags := w.Bus.Lags()
		if len(lags) == 0 {
			return "consume: nothing in flight"
		}
		l := lags[int(s.A%uint32(len(lags)))]
		fault := NoFault
		switch p := pct(s.B); {
		case p < 4:
			fault = CrashBeforeCommit
		case p < 8:
			fault = CrashAfterCommit
		}
		return fmt.Sprintf("%s consumes %s", l.Group, w.Bus.Deliver(ctx, l, fault))
	case Relay:
		ob := w.outboxes[int(s.A%uint32(len(w.outboxes)))]
		i := 0
		if pct(s.B) < 15 {
			i = int(s.C) // a relay publishing out of order
		}
		return fmt.Sprintf("%s relay publishes %s", ob.Service, ob.Relay(i, pct(s.C>>16) < 4))
	case Tick:
		d := time.Duration(1+s.A%90) * time.Second
		if pct(s.B) < 10 {
			d = time.Duration(1+s.A%15) * time.Minute
		}
		w.Clock.Advance(d)
		return fmt.Sprintf("clock +%s", d)
	case AcceptanceDeadlines:
		n, err := w.Orders.ExpireAcceptances(ctx, 50)
		return fmt.Sprintf("acceptance deadlines: %d rejected, %s", n, refusal(err))
	case PaymentDeadlines:
		n, err := w.Orders.ExpirePayments(ctx, 50)
		return fmt.Sprintf("payment deadlines: %d failed, %s", n, refusal(err))
	case DispatchRound:
		n, err := w.Dispatch.DispatchRound(ctx, 1)
		return fmt.Sprintf("dispatch round: %d claimed, %s", n, refusal(err))
	case CancelDelivery:
		// Operations stop a delivery (dispatch's admin cancelDelivery); orders then fails it.
		if len(w.DispatchDB.ids) == 0 {
			return "cancel-delivery: no delivery yet"
		}
		row := w.DispatchDB.deliveries[w.DispatchDB.ids[int(s.A%uint32(len(w.DispatchDB.ids)))]]
		_, err := w.Dispatch.CancelDelivery(ctx, "admin-0", row.d.ID)
		return fmt.Sprintf("operations cancel the delivery of %s: %s", w.name(row.d.OrderID), refusal(err))
	case SweepOffers:
		var ids []string
		for d := 0; d < w.cfg.Drivers; d++ {
			ids = append(ids, driverID(d))
		}
		return fmt.Sprintf("offer sweep: %d released", w.Live.Sweep(w.Clock.Now(), ids))
	}
	return "unknown step"
}

var advanceTargets = []ddomain.DeliveryStatus{ddomain.DeliveryEnrouteToPickup, ddomain.DeliveryPickedUp,
	ddomain.DeliveryPickedUp, ddomain.DeliveryDelivered, ddomain.DeliveryDelivered}

func nextDeliveryStep(s ddomain.DeliveryStatus) ddomain.DeliveryStatus {
	switch s {
	case ddomain.DeliveryConfirmed:
		return ddomain.DeliveryEnrouteToPickup
	case ddomain.DeliveryEnrouteToPickup, ddomain.DeliveryArrivedAtPickup:
		return ddomain.DeliveryPickedUp
	}
	return ddomain.DeliveryDelivered
}

func dappDeliveryID(orderID string) string { return "dlv-" + orderID }

func (w *World) staff(n int) context.Context {
	r := w.carts[n].restaurant
	return as("staff-" + restaurantID(r))
}

func fmtMoney(m odomain.Money) string { return fmt.Sprintf("%d %s", m.Minor, m.Currency) }
