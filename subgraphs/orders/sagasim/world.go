package sagasim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/authz"
	dapp "github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	ddomain "github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
	oapp "github.com/dizhtime/dizhtime/subgraphs/orders/app"
	odomain "github.com/dizhtime/dizhtime/subgraphs/orders/domain"
	wapp "github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	wdomain "github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// Config sizes a simulated world.
type Config struct {
	Customers, Restaurants, Drivers int
	// AcceptanceTimeout is the orders service's restaurant deadline.
	AcceptanceTimeout time.Duration
	// MatchPatience is how long dispatch waits for a driver before escalating.
	MatchPatience time.Duration
	// PaymentTimeout is the orders service's payment deadline for PLACED orders.
	PaymentTimeout time.Duration
	// ReplayDeadLetters lets an operator replay dead letters during the drain
	// (events/consumer.Replay). Off by default: the saga must finish on its own, so an
	// event a consumer gave up on is a liveness failure.
	ReplayDeadLetters bool
	// Plant names a bug to plant on purpose ("" for none; see Plants), to show the
	// invariants catch it.
	Plant string
}

// Plants are the bugs a run can plant on purpose, each with what it does. They live in
// the simulator's stores and glue only: production code carries no switch for them.
var Plants = map[string]string{
	"skip-ending-check": "the wallet's ledger never reports an order's recorded ending, so OnOrderCreated's " +
		"cancelled-order check never fires (the refund request from orders still compensates)",
	"skip-ending-check+ignore-refund-requests": "as skip-ending-check, and the wallet drops payment.refund.requested: " +
		"the race of issue 15 as it was on main",
	"refund-forgets-refunds": "the ledger's OrderPayment leaves earlier refunds out, so a second refund of one order " +
		"pays out again",
	"drop-early-acceptances": "dispatch's store cannot keep an acceptance that overtook order.created, so it is retried " +
		"and dead-lettered (dispatch before its fix)",
}

// DefaultConfig is a small, crowded city: few actors, so they collide on orders.
func DefaultConfig() Config {
	return Config{Customers: 6, Restaurants: 3, Drivers: 4, AcceptanceTimeout: 5 * time.Minute, MatchPatience: 10 * time.Minute,
		PaymentTimeout: 2 * time.Minute}
}

// Currencies the restaurants price in (restaurant i uses Currencies[i%2]).
var Currencies = []string{"EUR", "USD"}

// Loyalty and Split are the wallet rules of the simulation: a point pays 2 minor units
// (so refunds split between money and points with rounding), fees round down.
var (
	Loyalty = wdomain.LoyaltyRules{EarnPerMinorUnits: 100, PointValueMinor: 2, MaxRedeemBps: 5000, ExpireAfter: 365 * 24 * time.Hour}
	Split   = wdomain.Split{PlatformFeeBps: 1500, DriverBps: 1000}
)

// World is the three services, their stores, the bus and the clock.
type World struct {
	cfg      Config
	Clock    *Clock
	Bus      *Bus
	Orders   *oapp.Application
	Wallet   *wapp.Application
	Dispatch *dapp.Application

	OrdersDB   *OrdersStore
	Ledger     *LedgerStore
	DispatchDB *DispatchStore
	Live       *LiveIndex
	outboxes   []*Outbox

	// orderIDs in creation order; orderNo names them o0, o1, ... in traces.
	orderIDs []string
	orderNo  map[string]int
	carts    []placed
	online   map[int]bool
	keys     int
	// gatewayIntents are the top-ups the gateway was asked to collect, in order.
	gatewayIntents []wapp.PaymentIntent
}

type placed struct {
	customer, restaurant int
	cmd                  oapp.PlaceOrderCommand
}

func customerID(i int) string   { return fmt.Sprintf("cust-%d", i) }
func restaurantID(i int) string { return fmt.Sprintf("rest-%d", i) }
func driverID(i int) string     { return fmt.Sprintf("drv-%d", i) }

// NewWorld wires the real applications to in-memory stores.
func NewWorld(cfg Config) (*World, error) {
	w := &World{cfg: cfg, Clock: NewClock(), orderNo: map[string]int{}, online: map[int]bool{}}
	w.Bus = NewBus(w.partitionOf, w.name)
	ob := func(name string) *Outbox {
		o := &Outbox{Service: name, bus: w.Bus}
		w.outboxes = append(w.outboxes, o)
		return o
	}
	w.OrdersDB = NewOrdersStore(ob("orders"))
	if _, ok := Plants[cfg.Plant]; cfg.Plant != "" && !ok {
		return nil, fmt.Errorf("no planted bug named %q", cfg.Plant)
	}
	w.Ledger = NewLedgerStore(w.Clock, ob("wallet"))
	w.Ledger.plant = cfg.Plant
	w.DispatchDB = NewDispatchStore(w.Clock, ob("dispatch"))
	w.DispatchDB.plant = cfg.Plant
	w.Live = NewLiveIndex()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	var err error
	w.Orders, err = oapp.New(w.OrdersDB.Repository(), quoter{}, staffChecker{}, oapp.NewHub(),
		oapp.Config{AcceptanceTimeout: cfg.AcceptanceTimeout, PaymentTimeout: cfg.PaymentTimeout, DeliveryFeeMinor: 299}, log)
	if err != nil {
		return nil, err
	}
	w.Orders.SetClock(w.Clock.Now)
	w.Wallet, err = wapp.New(w.Ledger, gateway{&w.gatewayIntents}, wapp.Config{Loyalty: Loyalty, Split: Split,
		TopUp: wapp.TopUpLimits{PerOperation: 10_000, PerDay: 40_000, IntentTTL: 30 * time.Minute}})
	if err != nil {
		return nil, err
	}
	w.Wallet.SetClock(w.Clock.Now)
	dcfg := dapp.DefaultConfig()
	dcfg.MatchPatience = cfg.MatchPatience
	w.Dispatch, err = dapp.New(w.DispatchDB.Store(), w.Live, dcfg, log)
	if err != nil {
		return nil, err
	}
	w.Dispatch.SetClock(w.Clock.Now)

	ctx := context.Background()
	for r := 0; r < cfg.Restaurants; r++ {
		p := ddomain.Point{Lat: 52.5 + float64(r)*0.01, Lng: 13.4}
		if err := w.DispatchDB.Store().SaveRestaurantLocation(ctx, restaurantID(r), p, w.Clock.Now()); err != nil {
			return nil, err
		}
	}
	for c := 0; c < cfg.Customers; c++ {
		for _, cur := range Currencies {
			if _, err := w.Wallet.TopUpCredited(ctx, customerID(c), "sandbox", fmt.Sprintf("opening-%d-%s", c, cur), wdomain.MustMoney(20000, cur)); err != nil {
				return nil, err
			}
		}
	}
	w.Bus.AddGroup("wallet", []string{contracts.TypeOrderCreated, contracts.TypeOrderStatusChanged, contracts.TypeDispatchAssigned,
		contracts.TypePaymentRefundRequested},
		w.Ledger.processed, w.walletHandler)
	w.Bus.AddGroup("orders", []string{contracts.TypePaymentSucceeded, contracts.TypePaymentFailed, contracts.TypeDispatchAssigned,
		contracts.TypeDeliveryStatusChanged, contracts.TypeDispatchEscalated}, w.OrdersDB.processed, w.ordersHandler)
	w.Bus.AddGroup("dispatch", []string{contracts.TypeOrderCreated, contracts.TypeOrderStatusChanged},
		w.DispatchDB.processed, func(ctx context.Context, j *journal, e events.Envelope) error {
			return w.Dispatch.HandleEvent(ctx, w.DispatchDB.Bound(j), e)
		})
	return w, nil
}

func (w *World) partitionOf(subject string) int {
	if n, ok := w.orderNo[subject]; ok {
		return n % Partitions
	}
	h := fnv.New32a()
	h.Write([]byte(subject))
	return int(h.Sum32() % Partitions)
}

// name is an order's trace name.
func (w *World) name(orderID string) string {
	if n, ok := w.orderNo[orderID]; ok {
		return fmt.Sprintf("o%d", n)
	}
	return shortID(orderID)
}

// permanent marks a handler error that the consumer dead-letters at once.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// walletHandler is wallet/service.Subscriptions over the in-memory ledger.
func (w *World) walletHandler(ctx context.Context, j *journal, e events.Envelope) error {
	tx := w.Ledger.Bound(j)
	var err error
	switch e.Type {
	case contracts.TypeOrderCreated:
		var p contracts.OrderCreatedV2
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return permanent{err}
		}
		err = w.Wallet.OnOrderCreated(ctx, tx, p)
	case contracts.TypeOrderStatusChanged:
		var p contracts.OrderStatusChangedV2
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return permanent{err}
		}
		err = w.Wallet.OnOrderStatusChanged(ctx, tx, p)
	case contracts.TypeDispatchAssigned:
		var p contracts.DispatchAssignedV1
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return permanent{err}
		}
		err = w.Wallet.OnDispatchAssigned(ctx, tx, p)
	case contracts.TypePaymentRefundRequested:
		var p contracts.PaymentRefundRequestedV1
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return permanent{err}
		}
		if w.cfg.Plant == "skip-ending-check+ignore-refund-requests" {
			return nil // planted bug
		}
		err = w.Wallet.OnPaymentRefundRequested(ctx, tx, p)
	}
	if wdomain.IsInputError(err) {
		return permanent{err}
	}
	return err
}

// ordersHandler is orders/adapters.SagaConsumers over the in-memory repository.
func (w *World) ordersHandler(ctx context.Context, j *journal, e events.Envelope) error {
	repo := ordersTx{s: w.OrdersDB, j: j}
	orderOf := func(id string) string {
		if id != "" {
			return id
		}
		return e.Subject
	}
	switch e.Type {
	case contracts.TypePaymentSucceeded:
		var p contracts.PaymentSucceededV1
		if err := e.Decode(&p); err != nil {
			return permanent{err}
		}
		return w.Orders.OnPaymentSucceeded(ctx, repo, orderOf(p.OrderID), p.PaymentID)
	case contracts.TypePaymentFailed:
		var p contracts.PaymentFailedV1
		if err := e.Decode(&p); err != nil {
			return permanent{err}
		}
		return w.Orders.OnPaymentFailed(ctx, repo, orderOf(p.OrderID), p.Code)
	case contracts.TypeDispatchAssigned:
		var p contracts.DispatchAssignedV1
		if err := e.Decode(&p); err != nil {
			return permanent{err}
		}
		return w.Orders.OnDispatchAssigned(ctx, repo, orderOf(p.OrderID), p.DriverID)
	case contracts.TypeDeliveryStatusChanged:
		var p contracts.DeliveryStatusChangedV1
		if err := e.Decode(&p); err != nil {
			return permanent{err}
		}
		return w.Orders.OnDeliveryStatusChanged(ctx, repo, orderOf(p.OrderID), p.To, p.DriverID, "")
	case contracts.TypeDispatchEscalated:
		var p contracts.DispatchEscalatedV1
		if err := e.Decode(&p); err != nil {
			return permanent{err}
		}
		return w.Orders.OnDispatchEscalated(ctx, repo, orderOf(p.OrderID), p.Reason)
	}
	return nil
}

// quoter prices a fixed menu: item k costs 500 + 250k minor units.
type quoter struct{}

func (quoter) Quote(_ context.Context, restaurantID string, lines []oapp.QuoteLine) (oapp.Quote, error) {
	var r int
	fmt.Sscanf(restaurantID, "rest-%d", &r)
	cur := Currencies[r%len(Currencies)]
	q := oapp.Quote{RestaurantID: restaurantID, Currency: cur, Available: true, RestaurantOpen: true,
		Subtotal: odomain.Money{Currency: cur}}
	for _, l := range lines {
		var k int
		fmt.Sscanf(l.MenuItemID, "item-%d", &k)
		unit := odomain.Money{Minor: int64(500 + 250*k), Currency: cur}
		total := odomain.Money{Minor: unit.Minor * int64(l.Quantity), Currency: cur}
		q.Lines = append(q.Lines, odomain.Line{MenuItemID: l.MenuItemID, Name: l.MenuItemID, Quantity: l.Quantity,
			UnitPrice: unit, LineTotal: total})
		q.Subtotal.Minor += total.Minor
	}
	return q, nil
}

// staffChecker: staff-<r> works at rest-<r>.
type staffChecker struct{}

func (staffChecker) Check(_ context.Context, t authz.Tuple) (bool, error) {
	return t.Namespace == "restaurant" && t.Relation == "staff" && t.Subject == "user:staff-"+t.Object, nil
}

// gateway is the simulated card gateway: it remembers the intents the wallet asked it
// to collect; the simulation's webhook steps answer them.
type gateway struct{ intents *[]wapp.PaymentIntent }

func (gateway) Name() string { return "sandbox" }
func (g gateway) CreateIntent(_ context.Context, in wapp.PaymentIntent) error {
	for _, x := range *g.intents {
		if x.ID == in.ID {
			return nil // asked again (a retried start): same intent
		}
	}
	*g.intents = append(*g.intents, in)
	return nil
}

func as(userID string, roles ...authz.Role) context.Context {
	return authz.WithIdentity(context.Background(), authz.Identity{UserID: userID, Roles: roles})
}

// order picks an order for an actor: mostly one still in progress (actors act on live
// orders), sometimes any (late, stale clicks), "" when none exists.
func (w *World) order(n int) string {
	if len(w.orderIDs) == 0 {
		return ""
	}
	if n%8 != 0 {
		var live []string
		for i := len(w.orderIDs) - 1; i >= 0 && len(live) < 16; i-- {
			if id := w.orderIDs[i]; !w.OrdersDB.orders[id].Status.Terminal() {
				live = append(live, id)
			}
		}
		if len(live) > 0 {
			return live[(n/8)%len(live)]
		}
	}
	return w.orderIDs[n%len(w.orderIDs)]
}

// refusal shortens an expected refusal (a client error) for the trace.
func refusal(err error) string {
	if err == nil {
		return "ok"
	}
	return "refused: " + err.Error()
}

var errNoOrder = errors.New("no order yet")
