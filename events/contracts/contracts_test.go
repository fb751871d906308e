package contracts_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
)

var at = time.Date(2026, 11, 28, 12, 30, 0, 0, time.UTC)

func uzs(minor int64) contracts.Money { return contracts.Money{AmountMinor: minor, Currency: "UZS"} }

// samples holds one realistic payload of every contract version; a new version must add
// one here (TestEveryContractVersionHasASampleAndAGoType fails otherwise).
var samples = []events.Payload{
	contracts.OrderCreatedV1{
		OrderID: "o-1", CustomerID: "c-1", RestaurantID: "r-1",
		Items:    []contracts.OrderItem{{MenuItemID: "plov", Name: "Plov", Quantity: 2, UnitPrice: uzs(4500000)}},
		Subtotal: uzs(9000000), DeliveryFee: uzs(1000000), Total: uzs(10000000),
		DeliveryAddress: contracts.Address{Line1: "Amir Temur 1", City: "Tashkent", Lat: 41.31, Lng: 69.27},
		PlacedAt:        at,
	},
	contracts.OrderStatusChangedV1{OrderID: "o-1", From: contracts.OrderPlaced, To: contracts.OrderPaid, ChangedAt: at},
	contracts.OrderCreatedV2{
		OrderID: "o-3", CustomerID: "c-1", RestaurantID: "r-1",
		Items:    []contracts.OrderItem{{MenuItemID: "plov", Name: "Plov", Quantity: 1, UnitPrice: uzs(4500000)}},
		Subtotal: uzs(4500000), DeliveryFee: uzs(1000000), Total: uzs(5500000), PointsRedeemed: 200,
		DeliveryAddress: contracts.Address{Line1: "Amir Temur 1", City: "Tashkent", Lat: 41.31, Lng: 69.27},
		PlacedAt:        at,
	},
	contracts.OrderStatusChangedV2{OrderID: "o-1", CustomerID: "c-1", RestaurantID: "r-1", From: contracts.OrderPaid,
		To: contracts.OrderRejected, Actor: "user:staff-9", Reason: "out of rice", ChangedAt: at},
	contracts.PaymentSucceededV1{PaymentID: "p-1", OrderID: "o-1", CustomerID: "c-1", Amount: uzs(10000000), Method: "wallet", PaidAt: at},
	contracts.PaymentFailedV1{PaymentID: "p-2", OrderID: "o-2", CustomerID: "c-1", Amount: uzs(500), Code: contracts.PaymentInsufficientFunds, FailedAt: at},
	contracts.PaymentRefundedV1{RefundID: "rf-1", PaymentID: "p-1", OrderID: "o-1", CustomerID: "c-1", Amount: uzs(1000000), Reason: "late", RefundedAt: at},
	contracts.PaymentRefundRequestedV1{OrderID: "o-1", PaymentID: "p-1", CustomerID: "c-1", Amount: uzs(1000000), Reason: contracts.RefundLatePayment, Message: "the order was cancelled before the payment arrived", RequestedAt: at},
	contracts.DriverLocationV1{DriverID: "d-1", Lat: 41.3, Lng: 69.2, HeadingDeg: ptr(90.0), SpeedKph: ptr(32.5), OrderID: "o-1", RecordedAt: at},
	contracts.DispatchAssignedV1{OrderID: "o-1", DriverID: "d-1", RestaurantID: "r-1", PickupETA: at.Add(10 * time.Minute), AssignedAt: at},
	contracts.RestaurantUpdatedV1{RestaurantID: "r-1", Name: "Osh Markazi", Cuisines: []string{"uzbek"}, IsOpen: true, Lat: 41.3, Lng: 69.2, UpdatedAt: at},
	contracts.RestaurantMenuUpdateV1{RestaurantID: "r-1", MenuVersion: 7, Items: []contracts.MenuItem{
		{MenuItemID: "plov", Name: "Plov", Price: uzs(4500000), Available: true, Tags: []string{"signature"}},
	}, UpdatedAt: at},
	contracts.RestaurantUpdatedV2{RestaurantID: "r-1", Name: "Osh Markazi", Description: "Plov since 1990",
		Address: "Amir Temur 1, Tashkent", Cuisines: []string{"uzbek"}, IsOpen: true, Lat: 41.3, Lng: 69.2,
		PriceLevel: 2, Rating: 4.7, PrepMinutes: 20, DietaryTags: []string{"halal"}, Tags: []string{"DizhTime Special"},
		TimeZone: "Asia/Tashkent", OpeningHours: []contracts.OpeningSpan{{Day: "MONDAY", Open: "10:00", Close: "23:00"},
			{Day: "FRIDAY", Open: "18:00", Close: "02:00"}}, UpdatedAt: at},
	contracts.DeliveryStatusChangedV1{DeliveryID: "dl-1", OrderID: "o-1", DriverID: "d-1", From: contracts.DeliveryConfirmed,
		To: contracts.DeliveryEnrouteToPickup, Actor: "user:d-1", ChangedAt: at},
	contracts.DispatchEscalatedV1{DeliveryID: "dl-2", OrderID: "o-2", Rounds: 3, Reason: "no driver within 5 km", EscalatedAt: at},
	contracts.NotificationRequestedV1{NotificationID: "n-1", RecipientID: "c-1", Channel: contracts.ChannelPush,
		Template: "order_on_its_way", Params: map[string]string{"eta": "12 min"}, OrderID: "o-1"},
}

func ptr[T any](v T) *T { return &v }

func compile(t *testing.T, eventType string, version int) *jsonschema.Schema {
	t.Helper()
	raw, err := contracts.Schema(eventType, version)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s v%d: %v", eventType, version, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := fmt.Sprintf("mem://%s/v%d.json", eventType, version)
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s v%d does not compile: %v", eventType, version, err)
	}
	return s
}

func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestEveryContractVersionHasASampleAndAGoType(t *testing.T) {
	versions, err := contracts.SchemaVersions()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"order.created", "order.status.changed", "payment.success", "payment.failed", "payment.refunded",
		"driver.location", "dispatch.assigned", "restaurant.updated", "restaurant.menu.update", "notification.requested"}
	for _, typ := range want {
		if len(versions[typ]) == 0 {
			t.Errorf("no schema for %s", typ)
		}
	}
	have := map[string]bool{}
	for _, s := range samples {
		have[fmt.Sprintf("%s/v%d", s.EventType(), s.EventVersion())] = true
	}
	for typ, vs := range versions {
		for i, v := range vs {
			if v != i+1 {
				t.Errorf("%s: versions %v must be numbered from 1 without gaps", typ, vs)
			}
			if !have[fmt.Sprintf("%s/v%d", typ, v)] {
				t.Errorf("%s v%d has a schema but no sample payload in this test", typ, v)
			}
		}
	}
	for k := range have {
		typ, v, _ := strings.Cut(k, "/v")
		if !strings.Contains(fmt.Sprint(versions[typ]), v) {
			t.Errorf("Go type for %s has no schema file schema/%s.json", k, k)
		}
	}
}

func TestPayloadsValidateAgainstTheirSchema(t *testing.T) {
	for _, p := range samples {
		t.Run(fmt.Sprintf("%s v%d", p.EventType(), p.EventVersion()), func(t *testing.T) {
			s := compile(t, p.EventType(), p.EventVersion())
			if err := s.Validate(asJSON(t, p)); err != nil {
				t.Errorf("sample %T does not validate: %v", p, err)
			}
		})
	}
}

func TestSchemasRejectAPayloadMissingARequiredField(t *testing.T) {
	s := compile(t, contracts.TypeOrderStatusChanged, 1)
	doc := asJSON(t, contracts.OrderStatusChangedV1{OrderID: "o-1", From: "placed", To: "paid", ChangedAt: at}).(map[string]any)
	delete(doc, "to")
	if err := s.Validate(doc); err == nil {
		t.Fatal("a payload without `to` validated")
	}
	money := compile(t, contracts.TypePaymentSucceeded, 1)
	bad := asJSON(t, contracts.PaymentSucceededV1{PaymentID: "p", OrderID: "o", CustomerID: "c", Method: "wallet", PaidAt: at}).(map[string]any)
	bad["amount"] = map[string]any{"amount_minor": 12.5, "currency": "UZS"}
	if err := money.Validate(bad); err == nil {
		t.Fatal("a fractional amount_minor validated: money must be integer minor units")
	}
}

// The Go type and the schema of one version must describe the same properties, with the
// same ones required (a Go field without omitempty is always present, so required).
func TestGoTypesAndSchemasDescribeTheSameProperties(t *testing.T) {
	for _, p := range samples {
		t.Run(fmt.Sprintf("%s v%d", p.EventType(), p.EventVersion()), func(t *testing.T) {
			raw, _ := contracts.Schema(p.EventType(), p.EventVersion())
			var root map[string]any
			if err := json.Unmarshal(raw, &root); err != nil {
				t.Fatal(err)
			}
			compareStruct(t, root, "$", reflect.TypeOf(p), root)
		})
	}
}

func compareStruct(t *testing.T, root map[string]any, at string, typ reflect.Type, schema map[string]any) {
	t.Helper()
	schema = deref(root, schema)
	props, _ := schema["properties"].(map[string]any)
	var required []string
	for _, r := range schema["required"].([]any) {
		required = append(required, r.(string))
	}
	seen := map[string]bool{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			t.Errorf("%s: field %s has no json name", at, f.Name)
			continue
		}
		seen[name] = true
		ps, ok := props[name].(map[string]any)
		if !ok {
			t.Errorf("%s.%s: Go field %s.%s is not in the schema", at, name, typ.Name(), f.Name)
			continue
		}
		isReq := contains(required, name)
		if omit := strings.Contains(opts, "omitempty"); omit == isReq {
			t.Errorf("%s.%s: required in schema = %v but Go field omitempty = %v", at, name, isReq, omit)
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}):
			compareStruct(t, root, at+"."+name, ft, ps)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			items, _ := deref(root, ps)["items"].(map[string]any)
			compareStruct(t, root, at+"."+name+"[]", ft.Elem(), items)
		}
	}
	for name := range props {
		if !seen[name] {
			t.Errorf("%s.%s: in the schema but not in Go type %s", at, name, typ.Name())
		}
	}
}

func deref(root, s map[string]any) map[string]any {
	if ref, ok := s["$ref"].(string); ok {
		defs := root["$defs"].(map[string]any)
		return defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
	}
	return s
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestNoPayloadCarriesMoneyAsAFloat(t *testing.T) {
	moneyish := []string{"price", "amount", "total", "fee", "balance", "cost"}
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, at string) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Float32 || ft.Kind() == reflect.Float64 {
				for _, m := range moneyish {
					if strings.Contains(strings.ToLower(f.Name), m) {
						t.Errorf("%s.%s is a float: money is contracts.Money (integer minor units + currency)", at, f.Name)
					}
				}
			}
			if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}) {
				walk(ft, at+"."+f.Name)
			}
		}
	}
	for _, p := range samples {
		walk(reflect.TypeOf(p), reflect.TypeOf(p).Name())
	}
}

// Every version must be compatible with the one before it.
func TestEachSchemaVersionIsCompatibleWithThePreviousOne(t *testing.T) {
	versions, err := contracts.SchemaVersions()
	if err != nil {
		t.Fatal(err)
	}
	for typ, vs := range versions {
		for _, v := range vs[1:] {
			prev, _ := contracts.Schema(typ, v-1)
			next, _ := contracts.Schema(typ, v)
			breaks, err := contracts.CheckCompatible(prev, next)
			if err != nil {
				t.Fatalf("%s v%d: %v", typ, v, err)
			}
			for _, b := range breaks {
				t.Errorf("%s v%d breaks v%d: %s (make it compatible, or make it a new event type)", typ, v, v-1, b)
			}
		}
	}
}

// A published schema is immutable: its bytes are pinned in schema/SHA256SUMS. Adding a
// version means adding its line (sha256sum */v*.json > SHA256SUMS in contracts/schema).
func TestPublishedSchemasNeverChange(t *testing.T) {
	sums, err := contracts.Schemas.ReadFile("schema/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	pinned := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, file, ok := strings.Cut(sc.Text(), "  ")
		if ok {
			pinned[file] = sum
		}
	}
	versions, _ := contracts.SchemaVersions()
	for typ, vs := range versions {
		for _, v := range vs {
			file := fmt.Sprintf("%s/v%d.json", typ, v)
			raw, _ := contracts.Schema(typ, v)
			got := sha256.Sum256(raw)
			switch want, ok := pinned[file]; {
			case !ok:
				t.Errorf("%s is not pinned in schema/SHA256SUMS: add its line when you publish it", file)
			case want != hex.EncodeToString(got[:]):
				t.Errorf("%s changed after it was published: revert it and add v%d.json instead", file, v+1)
			}
			delete(pinned, file)
		}
	}
	for file := range pinned {
		t.Errorf("%s was published (pinned in SHA256SUMS) and then deleted: consumers may still rely on it", file)
	}
}
