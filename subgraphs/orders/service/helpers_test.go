package service_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres/pgtest"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/orders/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/orders/internal/restaurantstest"
	"github.com/dizhtime/dizhtime/subgraphs/orders/service"
)

// relations is an in-process server speaking identity's relation check API
// (GET /internal/relations/check) over a fixed set of staff tuples; the real
// authz.RelationClient asks it.
func relations(t testing.TB, staff map[string]string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ok := q.Get("namespace") == "restaurant" && q.Get("relation") == "staff" &&
			staff[q.Get("subject")] == q.Get("object")
		_ = json.NewEncoder(w).Encode(map[string]bool{"allowed": ok})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// env is one orders deployment under test: a schema, consumer groups of its own, a
// quote server and a relations server.
type env struct {
	schema      string
	pool        *pgxpool.Pool
	cfg         service.Config
	restaurants *restaurantstest.Server
	producer    *kafka.Producer
	restaurant  string
	staff       authz.Identity
	tokens      *issuer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	schema, pool := pgtest.Schema(t, "orders")
	e := &env{schema: schema, pool: pool, restaurants: restaurantstest.Start(t), tokens: newIssuer(t),
		restaurant: "rest-" + strings.ToLower(rand.Text()[:8]),
		staff:      authz.Identity{UserID: "staff-" + rand.Text()[:6], Roles: []authz.Role{authz.RoleRestaurantStaff}}}
	cfg := service.DefaultConfig()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.RestaurantsURL = e.restaurants.URL
	cfg.IdentityURL = relations(t, map[string]string{e.staff.Subject(): e.restaurant})
	cfg.ConsumerGroupPrefix = "orders-test-" + strings.ToLower(rand.Text()[:10])
	cfg.ConsumeFromBeginning = false
	cfg.DeadlineScanInterval = 200 * time.Millisecond
	cfg.DeliveryFeeMinor = 1000
	e.cfg = cfg
	e.producer = kafka.NewProducer(endpoints.Kafka())
	t.Cleanup(func() { _ = e.producer.Close() })
	return e
}

// instance is one running orders process (in this test process).
type instance struct {
	url    string
	cancel context.CancelFunc
}

// start runs an instance with every component but those named in without (a
// lifecycle.Component name, such as "live-feed").
func (e *env) start(t *testing.T, without ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pool := pgtest.Pool(t, e.schema)
	svc, err := service.New(ctx, e.cfg, pool, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler)
	var wg sync.WaitGroup
	for _, c := range svc.Components {
		if slices.Contains(without, c.Name()) {
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.Run(ctx) }()
	}
	t.Cleanup(func() { cancel(); wg.Wait(); srv.Close(); _ = svc.Close() })
	return &instance{url: srv.URL + "/query", cancel: cancel}
}

// waitForConsumers publishes probe events about unknown orders until every saga consumer
// has recorded one: the groups start at the newest offset, so this is when they listen.
func (e *env) waitForConsumers(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		_ = e.pool.QueryRow(context.Background(), `SELECT count(DISTINCT consumer) FROM processed_events`).Scan(&n)
		if n == len(adapters.SagaTopics) {
			return
		}
		probe := uuid.NewString()
		e.publish(t, probe, contracts.PaymentSucceededV1{OrderID: probe})
		e.publish(t, probe, contracts.PaymentFailedV1{OrderID: probe})
		e.publish(t, probe, contracts.DispatchAssignedV1{OrderID: probe, DriverID: "d"})
		e.publish(t, probe, contracts.DeliveryStatusChangedV1{OrderID: probe, To: contracts.DeliveryEnrouteToPickup})
		e.publish(t, probe, contracts.DispatchEscalatedV1{OrderID: probe})
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatal("the saga consumers did not start listening within 60s")
}

// publish sends an event as another service would (wallet, dispatch).
func (e *env) publish(t testing.TB, orderID string, p events.Payload) {
	t.Helper()
	ev, err := events.New(context.Background(), "test", orderID, p)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ev.Message()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.producer.Publish(ctx, m); err != nil {
		t.Fatalf("Kafka is not reachable at %v (deploy/local/services.sh up kafka): %v", endpoints.Kafka(), err)
	}
}

func sdlFile(t testing.TB) string {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "schema", "orders.graphqls")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func customer() authz.Identity {
	return authz.Identity{UserID: "cust-" + strings.ToLower(rand.Text()[:8]), Roles: []authz.Role{authz.RoleCustomer}}
}

func wantNoErrors(t testing.TB, resp *routertest.Response) {
	t.Helper()
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v (data %s)", resp.Errors, resp.Data)
	}
}

func wantCode(t testing.TB, resp *routertest.Response, code string) {
	t.Helper()
	if !resp.HasCode(code) {
		t.Fatalf("want an error with code %s, got %+v (data %s)", code, resp.Errors, resp.Data)
	}
}

type orderJSON struct {
	ID       string                      `json:"id"`
	Status   string                      `json:"status"`
	Total    struct{ AmountMinor int64 } `json:"total"`
	Timeline []struct {
		Sequence int
		To       string
		Actor    string
		Reason   *string
	} `json:"timeline"`
}

const orderFields = `id status total { amountMinor currency } timeline { sequence to actor reason }`

const placeMutation = `mutation($in: PlaceOrderInput!, $key: String!) { placeOrder(input: $in, idempotencyKey: $key) { ` + orderFields + ` } }`

func placeInput(restaurant string) map[string]any {
	return map[string]any{"restaurantId": restaurant,
		"lines": []any{
			map[string]any{"menuItemId": "plov", "quantity": 2, "optionIds": []string{"plov-big"}},
			map[string]any{"menuItemId": "tea", "quantity": 1},
		},
		"deliveryAddress":  map[string]any{"line1": "Amir Temur 1", "city": "Tashkent"},
		"deliveryLocation": map[string]any{"lat": 41.31, "lng": 69.28}}
}

func field(t testing.TB, resp *routertest.Response, name string) orderJSON {
	t.Helper()
	wantNoErrors(t, resp)
	var data map[string]orderJSON
	if err := resp.Decode(&data); err != nil {
		t.Fatal(err)
	}
	return data[name]
}

// waitForCommittedOffsets probes until every saga consumer group has committed an offset
// on every partition of its topic. A group that starts at the newest offset (as the
// tests configure it) and restarts before committing on a partition would start that
// partition at the newest offset again, skipping what arrived while it was down; a
// deployment reading from the beginning (the default) has no such gap.
func (e *env) waitForCommittedOffsets(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	client := &kafkago.Client{Addr: kafkago.TCP(endpoints.Kafka()...), Timeout: 10 * time.Second}
	probes := map[string]func(id string) events.Payload{
		contracts.TypePaymentSucceeded: func(id string) events.Payload { return contracts.PaymentSucceededV1{OrderID: id} },
		contracts.TypePaymentFailed:    func(id string) events.Payload { return contracts.PaymentFailedV1{OrderID: id} },
		contracts.TypeDispatchAssigned: func(id string) events.Payload {
			return contracts.DispatchAssignedV1{OrderID: id, DriverID: "d"}
		},
		contracts.TypeDeliveryStatusChanged: func(id string) events.Payload {
			return contracts.DeliveryStatusChangedV1{OrderID: id, To: contracts.DeliveryCreated}
		},
		contracts.TypeDispatchEscalated: func(id string) events.Payload { return contracts.DispatchEscalatedV1{OrderID: id} },
	}
	for ctx.Err() == nil {
		missing := 0
		for _, topic := range adapters.SagaTopics {
			md, err := client.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{topic}})
			if err != nil || len(md.Topics) != 1 {
				continue
			}
			parts := make([]int, len(md.Topics[0].Partitions))
			for i, p := range md.Topics[0].Partitions {
				parts[i] = p.ID
			}
			resp, err := client.OffsetFetch(ctx, &kafkago.OffsetFetchRequest{
				GroupID: e.cfg.ConsumerGroupPrefix + "." + topic, Topics: map[string][]int{topic: parts}})
			if err != nil {
				missing++
				continue
			}
			for _, p := range resp.Topics[topic] {
				if p.CommittedOffset < 0 {
					missing++
					// A few random keys: one of them lands on this partition sooner or later.
					for range 4 {
						e.publish(t, uuid.NewString(), probes[topic](uuid.NewString()))
					}
				}
			}
		}
		if missing == 0 {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatal("the saga consumer groups did not commit on every partition within 90s")
}
