package observability

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/city"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

const password = "observe-pass-1234"

// TestObservedJourney_isTracedScrapedAndAlertable starts the platform beside Jaeger (a real
// OTLP receiver), Prometheus (with the shipped rules and exemplar storage) and Loki (fed by
// the log shipper, platform/observability/logship), drives an order through the router,
// then checks what an operator relies on:
//   - ONE trace: placeOrder, sent with a traceparent of the test's own as a traced front end
//     would, reaches from the router through the orders subgraph, its outbox relay and Kafka
//     to the wallet's consumer of order.created, the payment event the wallet wrote in that
//     handler, and the orders consumer that marks the order paid; the log lines written on
//     the way carry the trace id;
//   - Loki finds the journey's log lines by that trace id (structured metadata): the
//     router's, the orders subgraph's and the wallet's Kafka consumer's, each stream
//     labelled with its service and level;
//   - the latency histograms of the router (the operation, the subgraph fetch) and of the
//     orders subgraph hold the journey's trace id as an exemplar in Prometheus;
//   - dispatch's matching latency is recorded once the restaurant accepts the order;
//   - every process is a healthy scrape target;
//   - every rule's expression (an alert's without its threshold) returns data.
func TestObservedJourney_isTracedScrapedAndAlertable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	dir := t.TempDir()
	jg := startJaeger(t, ctx, dir)
	lk := startLoki(t, ctx, dir)
	p := startPlatform(t, ctx, jg.OTLP)
	shipLogs(t, lk, p.LogDir)
	prom := startPrometheus(t, ctx, dir, p.targets)
	restaurantID, dishID, owner, customer := orderReady(t, ctx, p)

	traceID, parentSpan := randomHex(16), randomHex(8)
	headers := routertest.Bearer(customer.Token)
	headers.Set("traceparent", "00-"+traceID+"-"+parentSpan+"-01")
	res, err := routertest.Post(ctx, p.RouterURL, `mutation PlaceOrder($input: PlaceOrderInput!, $key: String!) { placeOrder(input: $input, idempotencyKey: $key) { id status } }`,
		map[string]any{"key": p.run + "-order", "input": map[string]any{
			"restaurantId":     restaurantID,
			"lines":            []any{map[string]any{"menuItemId": dishID, "quantity": 1}},
			"deliveryAddress":  map[string]any{"line1": "Amir Temur 1", "city": "Tashkent", "country": "UZ"},
			"deliveryLocation": map[string]any{"lat": 41.30, "lng": 69.25},
		}}, headers)
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("placeOrder: err=%v errors=%v", err, res)
	}
	var placed struct{ PlaceOrder struct{ ID, Status string } }
	if err := res.Decode(&placed); err != nil || placed.PlaceOrder.ID == "" {
		t.Fatalf("placeOrder data: %v %+v", err, placed)
	}
	t.Logf("order %s placed in trace %s", placed.PlaceOrder.ID, traceID)
	// Before any other request reaches orders (a bucket keeps its latest exemplar only).
	t.Run("the latency histograms hold the journey's trace id as an exemplar", func(t *testing.T) {
		for _, series := range []string{
			`router_operation_duration_seconds_bucket{operation_name="PlaceOrder"}`,
			`router_subgraph_fetch_duration_seconds_bucket{subgraph="orders"}`,
			`http_server_request_duration_seconds_bucket{job="orders"}`,
		} {
			var last map[string][]string
			eventually(t, ctx, series+" has an exemplar with trace_id "+traceID, 30*time.Second, func() (bool, error) {
				got, err := prom.exemplarTraceIDs(ctx, series)
				last = got
				for _, ids := range got {
					if slices.Contains(ids, traceID) {
						return true, nil
					}
				}
				return false, err
			})
			t.Logf("%s exemplars: %v", series, last)
		}
	})
	eventually(t, ctx, "the order is paid (wallet paid it, orders consumed payment.success)", 60*time.Second, func() (bool, error) {
		status, err := customer.OrderStatus(ctx, placed.PlaceOrder.ID)
		return status == "PAID", err
	})

	// A live subscription through the router: its spans, and the active-subscriptions series.
	updates, err := customer.Subscribe(ctx, `subscription OrderUpdated($id: ID!) { orderUpdated(id: $id, since: 0) { order { status } } }`,
		map[string]any{"id": placed.PlaceOrder.ID})
	if err != nil {
		t.Fatalf("subscribe to orderUpdated: %v", err)
	}
	defer updates.Close()
	if _, err := updates.Next(ctx); err != nil {
		t.Fatalf("first orderUpdated event: %v", err)
	}
	// The restaurant accepts: dispatch matches the order and offers it to the courier.
	if _, err := owner.MoveOrder(ctx, "acceptOrder", placed.PlaceOrder.ID); err != nil {
		t.Fatalf("acceptOrder: %v", err)
	}

	t.Run("one trace from the router's placeOrder to the wallet's consumer", func(t *testing.T) {
		oneTrace(t, ctx, jg, p, traceID)
	})
	t.Run("the journey's log lines are in Loki by its trace id", func(t *testing.T) {
		journeyLogsInLoki(t, ctx, lk, traceID)
	})
	t.Run("dispatch records its matching latency when it offers the accepted order", func(t *testing.T) {
		eventually(t, ctx, "dizhtime_dispatch_matching_duration_seconds_count > 0", 60*time.Second, func() (bool, error) {
			n, err := prom.query(ctx, `dizhtime_dispatch_matching_duration_seconds_count{job="dispatch"} > 0`)
			return n > 0, err
		})
	})
	t.Run("the subscription has spans in the router and in orders, with its events", func(t *testing.T) {
		updates.Close() // a span is exported when it ends: end the subscription
		for _, service := range []string{"router", "orders"} {
			eventually(t, ctx, service+" reports a span of the OrderUpdated subscription with an event", 30*time.Second, func() (bool, error) {
				// The client sends no operationName (only the document names it): "anonymous".
				n, err := jg.spansWithEvents(ctx, service, "GraphQL subscription anonymous")
				return n > 0, err
			})
		}
	})
	t.Run("every process is a healthy scrape target", func(t *testing.T) {
		var last map[string]string
		eventually(t, ctx, "every process scraped and up", 60*time.Second, func() (bool, error) {
			got, err := prom.targets(ctx)
			last = got
			if err != nil {
				return false, err
			}
			for job := range p.targets {
				if got[job] != "up" {
					return false, fmt.Errorf("targets %v", got)
				}
			}
			return true, nil
		})
		t.Logf("targets: %v", last)
	})
	t.Run("every dashboard panel's expression returns at least one series", func(t *testing.T) {
		for name, expr := range panelExpressions(t) {
			if !hasData(ctx, prom, expr) {
				t.Errorf("%s: %s returned no series", name, expr)
			}
		}
	})
	t.Run("every rule expression returns at least one series", func(t *testing.T) {
		for _, r := range rules(t) {
			if expr := signal(r); !hasData(ctx, prom, expr) {
				t.Errorf("%s%s: %s returned no series", r.Record, r.Alert, expr)
			}
		}
	})
}

func oneTrace(t *testing.T, ctx context.Context, jg jaeger, p *platform, traceID string) {
	// Every hop of the saga, by service and span name, in the one trace.
	want := []hop{
		{"router", "GraphQL mutation PlaceOrder"},
		{"router", "subgraph fetch orders"},
		{"orders", "POST graphql"},
		{"orders", "GraphQL mutation *"}, // the router names upstream operations its own way
		{"orders", "order.created publish"},
		{"wallet", "order.created process"},
		{"wallet", "payment.success publish"},
		{"orders", "payment.success process"},
	}
	var got *jaegerTrace
	eventually(t, ctx, "Jaeger holds every hop of trace "+traceID, 60*time.Second, func() (bool, error) {
		tr, err := jg.trace(ctx, traceID)
		if err != nil || tr == nil {
			return false, err
		}
		got = tr
		return len(tr.missing(want)) == 0, nil
	})
	if got == nil {
		t.Fatal("no trace")
	}
	if m := got.missing(want); len(m) > 0 {
		t.Fatalf("trace %s lacks %v; it has %v", traceID, m, got.hops())
	}
	// The wallet consumer's span descends from the router's: one causal chain, not just a
	// shared id.
	chain := got.ancestry(hop{"wallet", "order.created process"})
	if len(chain) == 0 || chain[len(chain)-1] != (hop{"router", "GraphQL mutation PlaceOrder"}) {
		t.Fatalf("the wallet consumer's ancestry is %v; want it to end at the router's operation span", chain)
	}
	t.Logf("wallet consumer <- %v", chain)

	// The log lines written on the way carry the trace id (each process logs JSON).
	withTrace := map[string]int{}
	for _, proc := range p.Processes {
		data, err := os.ReadFile(proc.LogPath())
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, `"trace_id":"`+traceID+`"`) {
				withTrace[proc.Name()]++
			}
		}
	}
	t.Logf("log lines with trace %s: %v", traceID, withTrace)
	if withTrace["orders"] == 0 || withTrace["wallet"] == 0 {
		t.Errorf("log lines carrying trace %s per process = %v; want the orders' and the wallet's (their consumers log each event at debug)", traceID, withTrace)
	}
}

// orderReady makes what an order needs through the router: an admin, an owner with a
// restaurant and one dish, a customer with money in the wallet.
func orderReady(t *testing.T, ctx context.Context, p *platform) (restaurantID, dishID string, owner, customer *city.Session) {
	t.Helper()
	c := city.NewClient(p.RouterURL)
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	admin, err := c.Register(ctx, p.run+"-admin@dizhtime.test", password, "Admin")
	check("register admin", err)
	check("grant admin", city.GrantAdminWith(p.Stack)(ctx, admin.Email))
	admin, err = c.Login(ctx, admin.Email, password)
	check("admin signs in again", err)
	owner, err = c.Register(ctx, p.run+"-owner@dizhtime.test", password, "Owner")
	check("register owner", err)
	check("assign owner", admin.AssignRole(ctx, owner.UserID, "RESTAURANT_OWNER"))
	owner, err = c.Login(ctx, owner.Email, password)
	check("owner signs in again", err)
	restaurantID, err = owner.CreateRestaurant(ctx, city.NewRestaurant{
		Name: "Trace pizzeria " + p.run, Cuisines: []string{"pizza"}, At: city.Point{Lat: 41.31, Lng: 69.24},
		Dishes: []city.NewDish{{Name: "Pizza Margherita", PriceMinor: 65_000}},
	})
	check("create the restaurant", err)
	var menu struct {
		Restaurant struct {
			Menu struct {
				Categories []struct{ Items []struct{ ID string } }
			}
		}
	}
	check("read the menu", owner.Do(ctx, `query Menu($id: ID!) { restaurant(id: $id) { menu { categories { items { id } } } } }`,
		map[string]any{"id": restaurantID}, &menu))
	if len(menu.Restaurant.Menu.Categories) == 0 || len(menu.Restaurant.Menu.Categories[0].Items) == 0 {
		t.Fatalf("the new restaurant's menu is empty: %+v", menu)
	}
	dishID = menu.Restaurant.Menu.Categories[0].Items[0].ID
	// A courier online: dispatch serves requests too (its dashboard reads them).
	driver, err := c.Register(ctx, p.run+"-driver@dizhtime.test", password, "Driver")
	check("register driver", err)
	check("assign driver", admin.AssignRole(ctx, driver.UserID, "DRIVER"))
	driver, err = c.Login(ctx, driver.Email, password)
	check("driver signs in again", err)
	check("driver goes online", driver.GoOnline(ctx, city.Point{Lat: 41.305, Lng: 69.245}))
	customer, err = c.Register(ctx, p.run+"-customer@dizhtime.test", password, "Customer")
	check("register customer", err)
	_, err = customer.TopUp(ctx, city.Money{AmountMinor: 1_000_000, Currency: "UZS"}, p.run+"-topup")
	check("top up", err)
	eventually(t, ctx, "the top-up is credited", 30*time.Second, func() (bool, error) {
		w, err := customer.Wallet(ctx)
		return w.Balances["UZS"] == 1_000_000, err
	})
	return restaurantID, dishID, owner, customer
}

type hop struct{ Service, Span string }

type jaegerSpan struct {
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	ProcessID     string `json:"processID"`
	References    []struct {
		RefType string `json:"refType"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
}

type jaegerTrace struct {
	Spans     []jaegerSpan `json:"spans"`
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
	} `json:"processes"`
}

// trace reads one trace from Jaeger's query API; nil while Jaeger does not know it.
func (j jaeger) trace(ctx context.Context, traceID string) (*jaegerTrace, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.Query+"/api/traces/"+traceID, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jaeger: GET trace %s: %s", traceID, res.Status)
	}
	var body struct{ Data []jaegerTrace }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, err
	}
	if len(body.Data) != 1 {
		return nil, fmt.Errorf("jaeger: %d traces for id %s", len(body.Data), traceID)
	}
	return &body.Data[0], nil
}

// spansWithEvents counts the spans named operation that service reported with at least
// one event (a log, in Jaeger's words). A subscription's span is still open while the
// client listens, so this closes nothing: it reads what the services already exported.
func (j jaeger) spansWithEvents(ctx context.Context, service, operation string) (int, error) {
	q := "service=" + service + "&operation=" + strings.ReplaceAll(operation, " ", "%20") + "&limit=20&lookback=1h"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.Query+"/api/traces?"+q, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var body struct {
		Data []struct {
			Spans []struct {
				OperationName string            `json:"operationName"`
				Logs          []json.RawMessage `json:"logs"`
			} `json:"spans"`
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return 0, err
	}
	n := 0
	for _, tr := range body.Data {
		for _, sp := range tr.Spans {
			if sp.OperationName == operation && len(sp.Logs) > 0 {
				n++
			}
		}
	}
	return n, nil
}

func (tr *jaegerTrace) hopOf(s jaegerSpan) hop {
	return hop{tr.Processes[s.ProcessID].ServiceName, s.OperationName}
}

func (tr *jaegerTrace) hops() []hop {
	out := make([]hop, 0, len(tr.Spans))
	for _, s := range tr.Spans {
		out = append(out, tr.hopOf(s))
	}
	return out
}

// missing lists the hops of want the trace lacks; a span name ending in "*" is a prefix.
func (tr *jaegerTrace) missing(want []hop) []hop {
	var out []hop
	for _, w := range want {
		found := false
		for _, h := range tr.hops() {
			prefix, isPrefix := strings.CutSuffix(w.Span, "*")
			if h.Service == w.Service && (h.Span == w.Span || isPrefix && strings.HasPrefix(h.Span, prefix)) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, w)
		}
	}
	return out
}

// ancestry walks from the first span that is h up its CHILD_OF parents, root last.
func (tr *jaegerTrace) ancestry(h hop) []hop {
	byID := map[string]jaegerSpan{}
	var cur *jaegerSpan
	for i, s := range tr.Spans {
		byID[s.SpanID] = s
		if cur == nil && tr.hopOf(s) == h {
			cur = &tr.Spans[i]
		}
	}
	var chain []hop
	for cur != nil && len(chain) < 64 {
		var next *jaegerSpan
		for _, r := range cur.References {
			if p, ok := byID[r.SpanID]; ok && r.RefType == "CHILD_OF" {
				next = &p
			}
		}
		if next != nil {
			chain = append(chain, tr.hopOf(*next))
		}
		cur = next
	}
	return chain
}

// hasData polls expr for up to 40 s (a few scrapes and rule evaluations) until it returns
// at least one series.
func hasData(ctx context.Context, prom prometheus, expr string) bool {
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if n, err := prom.query(ctx, expr); err == nil && n > 0 {
			return true
		}
		time.Sleep(time.Second)
	}
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// eventually polls cond every 300 ms until it holds or within passes.
func eventually(t *testing.T, ctx context.Context, what string, within time.Duration, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(within)
	var lastErr error
	for time.Now().Before(deadline) && ctx.Err() == nil {
		ok, err := cond()
		if ok {
			return
		}
		lastErr = err
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s (last error: %v)", what, within, lastErr)
}
