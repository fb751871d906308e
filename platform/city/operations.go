package city

import (
	"context"
	"fmt"
	"strconv"
)

// Money is an amount in minor units.
type Money struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
}

// walletMoney is the wallet's Money: Int64 amounts travel as strings.
type walletMoney struct {
	AmountMinor string `json:"amountMinor"`
	Currency    string `json:"currency"`
}

func (m walletMoney) money() Money {
	n, _ := strconv.ParseInt(m.AmountMinor, 10, 64)
	return Money{AmountMinor: n, Currency: m.Currency}
}

// TopUp starts a wallet top-up through the sandbox gateway; the wallet is credited when the
// gateway's webhook lands, shortly after.
func (s *Session) TopUp(ctx context.Context, amount Money, key string) (status string, err error) {
	var out struct {
		TopUp struct{ ID, Status string }
	}
	err = s.Do(ctx, `mutation TopUp($amount: WalletMoneyInput!, $key: String!) { topUp(amount: $amount, idempotencyKey: $key) { id status } }`,
		map[string]any{"amount": map[string]any{"amountMinor": strconv.FormatInt(amount.AmountMinor, 10), "currency": amount.Currency}, "key": key}, &out)
	return out.TopUp.Status, err
}

// WalletTransaction is one posting on the signed-in user's wallet.
type WalletTransaction struct {
	Kind    string
	OrderID string
	Amount  Money
}

// Wallet is a wallet's balances and recent movements.
type Wallet struct {
	Balances     map[string]int64
	Transactions []WalletTransaction
}

// Wallet reads the session's own wallet.
func (s *Session) Wallet(ctx context.Context) (Wallet, error) {
	var out struct {
		Wallet *struct {
			Balances     []walletMoney
			Transactions struct {
				Edges []struct {
					Node struct {
						Kind    string
						OrderID *string
						Amount  walletMoney
					}
				}
			}
		}
	}
	err := s.Do(ctx, `query Wallet($id: ID!) { wallet(userId: $id) { balances { amountMinor currency }
  transactions(first: 50) { edges { node { kind orderId amount { amountMinor currency } } } } } }`,
		map[string]any{"id": s.UserID}, &out)
	w := Wallet{Balances: map[string]int64{}}
	if err != nil || out.Wallet == nil {
		return w, err
	}
	for _, b := range out.Wallet.Balances {
		w.Balances[b.Currency] = b.money().AmountMinor
	}
	for _, e := range out.Wallet.Transactions.Edges {
		t := WalletTransaction{Kind: e.Node.Kind, Amount: e.Node.Amount.money()}
		if e.Node.OrderID != nil {
			t.OrderID = *e.Node.OrderID
		}
		w.Transactions = append(w.Transactions, t)
	}
	return w, nil
}

// Dish is a menu item a search found.
type Dish struct {
	ID    string
	Name  string
	Price Money
}

// SearchHit is a restaurant a search found, completed by the router from restaurants.
type SearchHit struct {
	RestaurantID string
	Name         string
	IsOpen       bool
	Location     Point
	Distance     float64
	Dishes       []Dish
}

// SearchRestaurants searches restaurants by text near a point, the way the app's search box does.
func (s *Session) SearchRestaurants(ctx context.Context, text string, near Point, first int) ([]SearchHit, error) {
	var out struct {
		SearchRestaurants struct {
			Edges []struct {
				Node struct {
					Restaurant struct {
						ID, Name string
						IsOpen   bool
						Location Point
						Menu     struct {
							Categories []struct {
								Items []struct {
									ID, Name     string
									Price        Money
									Available    bool
									OptionGroups []struct{ MinChoices int }
								}
							}
						}
					}
					DistanceMeters *float64
					MatchedDishes  []struct {
						Dish  struct{ ID string }
						Name  string
						Price Money
					}
				}
			}
		}
	}
	err := s.Do(ctx, `query SearchRestaurants($q: String, $near: GeoPointInput, $first: Int) {
  searchRestaurants(query: $q, near: $near, first: $first) { edges { node {
    distanceMeters matchedDishes { dish { id } name price { amountMinor currency } }
    restaurant { id name isOpen location { lat lng }
      menu { categories { items { id name available price { amountMinor currency } optionGroups { minChoices } } } } } } } } }`,
		map[string]any{"q": text, "near": near.input(), "first": first}, &out)
	if err != nil {
		return nil, err
	}
	var hits []SearchHit
	for _, e := range out.SearchRestaurants.Edges {
		r := e.Node.Restaurant
		h := SearchHit{RestaurantID: r.ID, Name: r.Name, IsOpen: r.IsOpen, Location: r.Location}
		if e.Node.DistanceMeters != nil {
			h.Distance = *e.Node.DistanceMeters
		}
		// Orderable without choosing options: available, and no option group requires a choice
		// (the simulated customers order plain dishes).
		var orderable []Dish
		plain := map[string]bool{}
		for _, c := range r.Menu.Categories {
			for _, it := range c.Items {
				required := false
				for _, g := range it.OptionGroups {
					required = required || g.MinChoices > 0
				}
				if it.Available && !required {
					plain[it.ID] = true
					orderable = append(orderable, Dish{ID: it.ID, Name: it.Name, Price: it.Price})
				}
			}
		}
		for _, d := range e.Node.MatchedDishes {
			if plain[d.Dish.ID] {
				h.Dishes = append(h.Dishes, Dish{ID: d.Dish.ID, Name: d.Name, Price: d.Price})
			}
		}
		if len(h.Dishes) == 0 {
			h.Dishes = orderable
		}
		hits = append(hits, h)
	}
	return hits, nil
}

// Quote prices a cart of one dish, quantity times; it reports whether it can be ordered.
func (s *Session) Quote(ctx context.Context, restaurantID, dishID string, quantity int) (subtotal Money, available bool, err error) {
	var out struct {
		Quote struct {
			Subtotal  Money
			Available bool
		}
	}
	err = s.Do(ctx, `query Quote($input: QuoteInput!) { quote(input: $input) { subtotal { amountMinor currency } available } }`,
		map[string]any{"input": map[string]any{"restaurantId": restaurantID, "lines": []any{map[string]any{"menuItemId": dishID, "quantity": quantity}}}}, &out)
	return out.Quote.Subtotal, out.Quote.Available, err
}

// Order is an order as its customer or restaurant sees it.
type Order struct {
	ID       string
	Status   string
	Total    Money
	DriverID *string
	Timeline []Transition
}

// Transition is one step of an order's timeline.
type Transition struct {
	Sequence int
	From     *string
	To       string
	Actor    string
}

const orderFields = `id status total { amountMinor currency } driverId timeline { sequence from to actor }`

// PlaceOrder orders quantity of one dish delivered to drop.
func (s *Session) PlaceOrder(ctx context.Context, restaurantID, dishID string, quantity int, drop Point, key string) (Order, error) {
	var out struct{ PlaceOrder Order }
	err := s.Do(ctx, `mutation PlaceOrder($input: PlaceOrderInput!, $key: String!) { placeOrder(input: $input, idempotencyKey: $key) { `+orderFields+` } }`,
		map[string]any{"key": key, "input": map[string]any{
			"restaurantId":     restaurantID,
			"lines":            []any{map[string]any{"menuItemId": dishID, "quantity": quantity}},
			"deliveryAddress":  map[string]any{"line1": "Amir Temur 1", "city": "Tashkent", "country": "UZ"},
			"deliveryLocation": drop.input(),
		}}, &out)
	return out.PlaceOrder, err
}

// Order reads an order.
func (s *Session) Order(ctx context.Context, id string) (Order, error) {
	var out struct{ Order *Order }
	err := s.Do(ctx, `query Order($id: ID!) { order(id: $id) { `+orderFields+` } }`, map[string]any{"id": id}, &out)
	if err == nil && out.Order == nil {
		err = fmt.Errorf("order %s not found", id)
	}
	if out.Order == nil {
		return Order{}, err
	}
	return *out.Order, err
}

// OrderStatus reads only an order's status: what a courier at the counter asks.
func (s *Session) OrderStatus(ctx context.Context, id string) (string, error) {
	var out struct{ Order *struct{ Status string } }
	if err := s.Do(ctx, `query OrderStatus($id: ID!) { order(id: $id) { status } }`, map[string]any{"id": id}, &out); err != nil {
		return "", err
	}
	if out.Order == nil {
		return "", fmt.Errorf("order %s not found", id)
	}
	return out.Order.Status, nil
}

// RestaurantOrders lists a restaurant's latest orders in the given statuses (id and status
// only), the way its tablet reloads its list; the session must be its staff's or an admin's.
func (s *Session) RestaurantOrders(ctx context.Context, restaurantID string, statuses []string, first int) ([]Order, error) {
	var out struct {
		Restaurant *struct {
			Orders struct {
				Edges []struct{ Node Order }
			}
		}
	}
	err := s.Do(ctx, `query RestaurantOrders($id: ID!, $status: [OrderStatus!], $first: Int) {
  restaurant(id: $id) { orders(first: $first, status: $status) { edges { node { id status } } } } }`,
		map[string]any{"id": restaurantID, "status": statuses, "first": first}, &out)
	if err != nil || out.Restaurant == nil {
		return nil, err
	}
	orders := make([]Order, 0, len(out.Restaurant.Orders.Edges))
	for _, e := range out.Restaurant.Orders.Edges {
		orders = append(orders, e.Node)
	}
	return orders, nil
}

// MoveOrder is a restaurant's step on an order: acceptOrder, markPreparing or markReady.
func (s *Session) MoveOrder(ctx context.Context, mutation, orderID string) (Order, error) {
	var out map[string]Order
	err := s.Do(ctx, `mutation `+mutation+`($id: ID!) { `+mutation+`(id: $id) { `+orderFields+` } }`, map[string]any{"id": orderID}, &out)
	return out[mutation], err
}

// GoOnline makes the session's courier available at where.
func (s *Session) GoOnline(ctx context.Context, where Point) error {
	return s.Do(ctx, `mutation GoOnline($at: LocationInput!) { goOnline(location: $at, vehicle: SCOOTER) { id status } }`,
		map[string]any{"at": where.input()}, nil)
}

// GoOffline ends the courier's shift.
func (s *Session) GoOffline(ctx context.Context) error {
	return s.Do(ctx, `mutation GoOffline { goOffline { id status } }`, nil, nil)
}

// UpdateLocation reports the courier's position.
func (s *Session) UpdateLocation(ctx context.Context, where Point) error {
	_, err := s.ReportPosition(ctx, where)
	return err
}

// ReportPosition reports the courier's position and returns the courier's status as
// dispatch sees it: OFFLINE once dispatch has dropped a courier it did not hear from.
func (s *Session) ReportPosition(ctx context.Context, where Point) (status string, err error) {
	var out struct{ UpdateLocation struct{ Status string } }
	err = s.Do(ctx, `mutation UpdateLocation($at: LocationInput!) { updateLocation(location: $at) { id status } }`,
		map[string]any{"at": where.input()}, &out)
	return out.UpdateLocation.Status, err
}

// Offer is an order offered to a courier.
type Offer struct {
	OrderID   string `json:"orderId"`
	ExpiresAt string `json:"expiresAt"`
	Pickup    *Point `json:"pickup"`
	Dropoff   *Point `json:"dropoff"`
}

// OffersSubscription is the courier's driverOffers subscription document.
const OffersSubscription = `subscription DriverOffers { driverOffers { orderId expiresAt pickup { lat lng } dropoff { lat lng } } }`

// Delivery is a courier's job.
type Delivery struct {
	ID      string
	Status  string
	Pickup  Point
	Dropoff Point
}

const deliveryFields = `id status pickup { lat lng } dropoff { lat lng }`

// AcceptOffer takes an offered order.
func (s *Session) AcceptOffer(ctx context.Context, orderID string) (Delivery, error) {
	var out struct{ AcceptOffer Delivery }
	err := s.Do(ctx, `mutation AcceptOffer($id: ID!) { acceptOffer(orderId: $id) { `+deliveryFields+` } }`, map[string]any{"id": orderID}, &out)
	return out.AcceptOffer, err
}

// DeclineOffer hands an offered order back; matching moves on to the next courier.
func (s *Session) DeclineOffer(ctx context.Context, orderID string) error {
	return s.Do(ctx, `mutation DeclineOffer($id: ID!) { declineOffer(orderId: $id) }`, map[string]any{"id": orderID}, nil)
}

// MoveDelivery is a courier's step: markPickedUp, markDelivered, markArrivedAtPickup, ...,
// or unassignDelivery (handing it back before pickup).
func (s *Session) MoveDelivery(ctx context.Context, mutation, deliveryID string) (Delivery, error) {
	var out map[string]Delivery
	err := s.Do(ctx, `mutation `+mutation+`($id: ID!) { `+mutation+`(deliveryId: $id) { `+deliveryFields+` } }`, map[string]any{"id": deliveryID}, &out)
	return out[mutation], err
}
