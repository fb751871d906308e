package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/uber/h3-go/v4"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// UndecodableError is an event whose payload cannot be read as its type: retrying will not
// help, it goes to the dead-letter topic.
type UndecodableError struct{ Err error }

func (e UndecodableError) Error() string { return "undecodable event: " + e.Err.Error() }
func (e UndecodableError) Unwrap() error { return e.Err }

// FactsOf turns one event into its fact and, for order.created, its dish lines. Payloads
// decode into the newest contract version: versions only add optional fields, so an older
// event leaves them empty. An event type analytics has no columns for is still stored
// (envelope columns, subject) so it can be counted and replayed into a later layout.
func FactsOf(e events.Envelope) (domain.Fact, []domain.DishFact, error) {
	f := domain.Fact{
		EventID: e.ID, EventType: e.Type, EventVersion: e.Version, SchemaVersion: domain.SchemaVersion,
		Source: e.Source, Subject: e.Subject, OccurredAt: e.Time.UTC(),
	}
	at := func(t time.Time) {
		if !t.IsZero() {
			f.OccurredAt = t.UTC()
		}
	}
	var dishes []domain.DishFact
	var err error
	switch e.Type {
	case contracts.TypeOrderCreated:
		var p contracts.OrderCreatedV2
		if err = decode(e, &p); err == nil {
			at(p.PlacedAt)
			f.OrderID, f.CustomerID, f.RestaurantID = p.OrderID, p.CustomerID, p.RestaurantID
			f.AmountMinor, f.Currency, f.DeliveryFeeMinor = p.Total.AmountMinor, p.Total.Currency, p.DeliveryFee.AmountMinor
			f.Lat, f.Lng = p.DeliveryAddress.Lat, p.DeliveryAddress.Lng
			f.Zone = zoneOf(f.Lat, f.Lng)
			f.OrderPlacedAt, f.OrderTotalMinor = f.OccurredAt, f.AmountMinor
			for i, it := range p.Items {
				dishes = append(dishes, domain.DishFact{
					EventID: e.ID, Line: i, OrderID: p.OrderID, RestaurantID: p.RestaurantID, OccurredAt: f.OccurredAt,
					MenuItemID: it.MenuItemID, Name: it.Name, Quantity: int64(it.Quantity),
					AmountMinor: int64(it.Quantity) * it.UnitPrice.AmountMinor,
				})
			}
		}
	case contracts.TypeOrderStatusChanged:
		var p contracts.OrderStatusChangedV2
		if err = decode(e, &p); err == nil {
			at(p.ChangedAt)
			f.OrderID, f.CustomerID, f.RestaurantID = p.OrderID, p.CustomerID, p.RestaurantID
			f.StatusFrom, f.StatusTo, f.Reason = p.From, p.To, p.Reason
		}
	case contracts.TypePaymentSucceeded:
		var p contracts.PaymentSucceededV1
		if err = decode(e, &p); err == nil {
			at(p.PaidAt)
			f.OrderID, f.CustomerID = p.OrderID, p.CustomerID
			f.AmountMinor, f.Currency, f.Reason = p.Amount.AmountMinor, p.Amount.Currency, p.Method
		}
	case contracts.TypePaymentFailed:
		var p contracts.PaymentFailedV1
		if err = decode(e, &p); err == nil {
			at(p.FailedAt)
			f.OrderID, f.CustomerID = p.OrderID, p.CustomerID
			f.AmountMinor, f.Currency, f.Reason = p.Amount.AmountMinor, p.Amount.Currency, p.Code
		}
	case contracts.TypePaymentRefunded:
		var p contracts.PaymentRefundedV1
		if err = decode(e, &p); err == nil {
			at(p.RefundedAt)
			f.OrderID, f.CustomerID = p.OrderID, p.CustomerID
			f.AmountMinor, f.Currency, f.Reason = p.Amount.AmountMinor, p.Amount.Currency, p.Reason
		}
	case contracts.TypeDeliveryStatusChanged:
		var p contracts.DeliveryStatusChangedV1
		if err = decode(e, &p); err == nil {
			at(p.ChangedAt)
			f.OrderID, f.DriverID, f.StatusFrom, f.StatusTo = p.OrderID, p.DriverID, p.From, p.To
		}
	case contracts.TypeDispatchAssigned:
		var p contracts.DispatchAssignedV1
		if err = decode(e, &p); err == nil {
			at(p.AssignedAt)
			f.OrderID, f.DriverID, f.RestaurantID = p.OrderID, p.DriverID, p.RestaurantID
		}
	case contracts.TypeDispatchEscalated:
		var p contracts.DispatchEscalatedV1
		if err = decode(e, &p); err == nil {
			at(p.EscalatedAt)
			f.OrderID, f.Reason = p.OrderID, p.Reason
		}
	case contracts.TypeDriverLocation:
		var p contracts.DriverLocationV1
		if err = decode(e, &p); err == nil {
			at(p.RecordedAt)
			f.DriverID, f.OrderID, f.Lat, f.Lng = p.DriverID, p.OrderID, p.Lat, p.Lng
			f.Zone = zoneOf(f.Lat, f.Lng)
		}
	case contracts.TypeRestaurantUpdated, contracts.TypeRestaurantMenuUpdate:
		var p struct {
			RestaurantID string    `json:"restaurant_id"`
			UpdatedAt    time.Time `json:"updated_at"`
		}
		if err = decode(e, &p); err == nil {
			at(p.UpdatedAt)
			f.RestaurantID = p.RestaurantID
		}
	default:
		if !json.Valid(e.Data) {
			err = errors.New("payload is not JSON")
		}
	}
	if err != nil {
		return domain.Fact{}, nil, UndecodableError{Err: fmt.Errorf("%s %s v%d: %w", e.Type, e.ID, e.Version, err)}
	}
	return f, dishes, nil
}

// decode reads a payload with goccy/go-json: the same decoding as encoding/json (the same
// struct tags and types), about twice as fast, and decoding is most of ingestion's own CPU.
func decode(e events.Envelope, into any) error { return gojson.Unmarshal(e.Data, into) }

func zoneOf(lat, lng float64) string {
	if lat == 0 && lng == 0 {
		return ""
	}
	return h3.LatLngToCell(h3.NewLatLng(lat, lng), domain.ZoneResolution).String()
}

// parallelFrom is the batch size from which BatchOf decodes on every CPU: decoding (JSON
// and the H3 cell) is most of ingestion's own work.
const parallelFrom = 4096

// BatchOf turns events into one batch; an event it cannot read is returned apart with its
// error (for the dead-letter topic) and the rest are still written. Facts keep the events'
// order.
func BatchOf(envs []events.Envelope) (domain.Batch, map[int]error) {
	workers := min(runtime.GOMAXPROCS(0), len(envs)/(parallelFrom/2))
	if len(envs) < parallelFrom || workers < 2 {
		return batchOf(envs, 0)
	}
	parts := make([]domain.Batch, workers)
	bads := make([]map[int]error, workers)
	size := (len(envs) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*size, min((w+1)*size, len(envs))
		wg.Go(func() { parts[w], bads[w] = batchOf(envs[lo:hi], lo) })
	}
	wg.Wait()
	var b domain.Batch
	var bad map[int]error
	n, d := 0, 0
	for _, p := range parts {
		n, d = n+len(p.Facts), d+len(p.Dishes)
	}
	b.Facts, b.Dishes = make([]domain.Fact, 0, n), make([]domain.DishFact, 0, d)
	for w, p := range parts {
		b.Facts = append(b.Facts, p.Facts...)
		b.Dishes = append(b.Dishes, p.Dishes...)
		for i, err := range bads[w] {
			if bad == nil {
				bad = map[int]error{}
			}
			bad[i] = err
		}
	}
	return b, bad
}

// batchOf decodes envs; the indexes of bad ones are offset by base.
func batchOf(envs []events.Envelope, base int) (domain.Batch, map[int]error) {
	b := domain.Batch{Facts: make([]domain.Fact, 0, len(envs))}
	var bad map[int]error
	for i, e := range envs {
		f, dishes, err := FactsOf(e)
		if err != nil {
			if bad == nil {
				bad = map[int]error{}
			}
			bad[base+i] = err
			continue
		}
		b.Facts = append(b.Facts, f)
		b.Dishes = append(b.Dishes, dishes...)
	}
	return b, bad
}
