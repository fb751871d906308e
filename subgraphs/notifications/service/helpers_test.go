package service_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres/pgtest"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/providersandbox"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/service"
)

// mailpitURL and mailpitSMTP are the Mailpit of deploy/local/services.sh up mailpit.
func mailpitURL() string {
	if v := os.Getenv("DIZHTIME_MAILPIT_URL"); v != "" {
		return v
	}
	return "http://127.0.0.1:8025"
}

func mailpitSMTP() string {
	if v := os.Getenv("DIZHTIME_MAILPIT_SMTP_ADDR"); v != "" {
		return v
	}
	return "127.0.0.1:1025"
}

// identityStaff is an in-process server speaking identity's relation subjects API over a
// fixed restaurant -> staff map; the real adapters.StaffDirectoryClient asks it.
func identityStaff(t testing.TB, staff map[string][]string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/internal/relations/subjects" || q.Get("namespace") != "restaurant" || q.Get("relation") != "staff" {
			http.NotFound(w, r)
			return
		}
		subjects := []string{}
		for _, u := range staff[q.Get("object")] {
			subjects = append(subjects, "user:"+u)
		}
		_ = json.NewEncoder(w).Encode(map[string][]string{"subjects": subjects})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// sandbox is a provider sandbox on its own server.
type sandbox struct {
	*providersandbox.Server
	URL string
}

func newSandbox(t testing.TB) *sandbox {
	s := providersandbox.New()
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &sandbox{Server: s, URL: srv.URL}
}

// env is one notifications deployment under test: a schema, consumer groups of its own,
// SMTP to the real Mailpit, SMS and push to sandboxes (each with a fallback sandbox).
type env struct {
	schema             string
	pool               *pgxpool.Pool
	cfg                service.Config
	producer           *kafka.Producer
	sms, smsFallback   *sandbox
	push, pushFallback *sandbox
	restaurant         string
	staff              []string
	tokens             *routertest.Issuer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	schema, pool := pgtest.Schema(t, "notifications")
	e := &env{schema: schema, pool: pool, tokens: routertest.NewIssuer(t),
		sms: newSandbox(t), smsFallback: newSandbox(t), push: newSandbox(t), pushFallback: newSandbox(t),
		restaurant: "rest-" + strings.ToLower(rand.Text()[:8]),
		staff:      []string{"staff-" + strings.ToLower(rand.Text()[:8]), "owner-" + strings.ToLower(rand.Text()[:8])}}
	cfg := service.DefaultConfig()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.IdentityURL = identityStaff(t, map[string][]string{e.restaurant: e.staff})
	cfg.ConsumerGroupPrefix = "notifications-test-" + strings.ToLower(rand.Text()[:10])
	cfg.ConsumeFromBeginning = false
	cfg.SMTPAddr = mailpitSMTP()
	cfg.SMSURL, cfg.SMSFallbackURL = e.sms.URL, e.smsFallback.URL
	cfg.PushURL, cfg.PushFallbackURL = e.push.URL, e.pushFallback.URL
	cfg.DispatchPollInterval = 50 * time.Millisecond
	cfg.InitialBackoff, cfg.MaxBackoff = 100*time.Millisecond, 200*time.Millisecond
	cfg.MaxAttempts = 3
	cfg.DigestWindow = 0
	cfg.LivePollInterval = 5 * time.Second
	e.cfg = cfg
	e.producer = kafka.NewProducer(endpoints.Kafka())
	t.Cleanup(func() { _ = e.producer.Close() })
	return e
}

// instance is one running notifications process (in this test process).
type instance struct {
	url    string
	svc    *service.Service
	cancel context.CancelFunc
	done   chan struct{}
}

// start runs an instance with every component but those named in without.
func (e *env) start(t *testing.T, opts service.Options, without ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pool := pgtest.Pool(t, e.schema)
	var logOut io.Writer = io.Discard
	if os.Getenv("NOTIFICATIONS_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	svc, err := service.New(ctx, e.cfg, pool, slog.New(slog.NewTextHandler(logOut, nil)), opts)
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
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close(); _ = svc.Close() })
	return &instance{url: srv.URL + "/query", svc: svc, cancel: cancel, done: done}
}

// waitForConsumers publishes probe events until every consumer has recorded one: the
// groups start at the newest offset, so this is when they listen.
func (e *env) waitForConsumers(t *testing.T) {
	t.Helper()
	// Groups that start at the newest offset miss what is published before a topic exists.
	specs := make([]kafka.TopicSpec, 0, len(app.Topics))
	for _, topic := range app.Topics {
		specs = append(specs, kafka.TopicSpec{Name: topic})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, endpoints.Kafka(), specs...); err != nil {
		t.Fatalf("create the topics: %v", err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		_ = e.pool.QueryRow(context.Background(), `SELECT count(DISTINCT consumer) FROM processed_events`).Scan(&n)
		if n == len(app.Topics) {
			return
		}
		if os.Getenv("NOTIFICATIONS_TEST_LOG") != "" {
			rows, _ := e.pool.Query(context.Background(), `SELECT DISTINCT consumer FROM processed_events`)
			names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
			t.Logf("consumers listening: %v", names)
		}
		probe := "probe-" + uuid.NewString()
		e.publish(t, probe, contracts.OrderCreatedV2{OrderID: probe, CustomerID: probe, RestaurantID: "none"})
		e.publish(t, probe, contracts.OrderStatusChangedV2{OrderID: probe, To: contracts.OrderPaid})
		e.publish(t, probe, contracts.PaymentRefundedV1{OrderID: probe, CustomerID: probe, Amount: contracts.Money{Currency: "UZS"}})
		e.publish(t, probe, contracts.DispatchAssignedV1{OrderID: probe, DriverID: probe})
		e.publish(t, probe, contracts.DeliveryStatusChangedV1{OrderID: probe, To: contracts.DeliveryConfirmed})
		e.publish(t, probe, contracts.NotificationRequestedV1{RecipientID: probe, Template: "promo.offer", Params: map[string]string{"Headline": "p", "Details": "p"}})
		e.publish(t, probe, contracts.TopUpSucceededV1{IntentID: probe, UserID: probe, Amount: contracts.Money{Currency: "UZS"}, Gateway: "probe"})
		e.publish(t, probe, contracts.TopUpFailedV1{IntentID: probe, UserID: probe, Amount: contracts.Money{Currency: "UZS"}, Gateway: "probe", Outcome: contracts.TopUpDeclined})
		e.publish(t, probe, contracts.DispatchOfferedV1{OrderID: probe, DriverID: probe})
		e.publish(t, probe, contracts.DispatchUnassignedV1{OrderID: probe, DriverID: probe})
		time.Sleep(time.Second)
	}
	t.Fatal("the consumers did not start listening within 90s")
}

// publish sends an event as another service would.
func (e *env) publish(t testing.TB, subject string, p events.Payload) events.Envelope {
	t.Helper()
	ev, err := events.New(context.Background(), "test", subject, p)
	if err != nil {
		t.Fatal(err)
	}
	e.publishEnvelope(t, ev)
	return ev
}

func (e *env) publishEnvelope(t testing.TB, ev events.Envelope) {
	t.Helper()
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

var noOptions = service.Options{}

// withRouter starts the real router in front of in.
func withRouter(t *testing.T, e *env, in *instance) *routertest.Router {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return routertest.Start(t, []routertest.Subgraph{{
		Name: "notifications", URL: in.url, SDLFile: filepath.Join(root, "schema", "notifications.graphqls"),
		SubscriptionURL: "ws" + strings.TrimPrefix(in.url, "http"),
	}}, routertest.Options{RouterYAML: e.tokens.RouterYAML()})
}

// user is a signed-in person with contact points set through the API.
type user struct {
	id, email, phone, push string
	headers                http.Header
	token                  string
}

func (e *env) newUser(t *testing.T, r *routertest.Router, prefix string, roles ...string) user {
	t.Helper()
	id := prefix + "-" + strings.ToLower(rand.Text()[:10])
	tok := e.tokens.Token(t, id, roles...)
	u := user{id: id, email: id + "@example.test", phone: "+99890" + fmt.Sprint(time.Now().UnixNano()%10000000),
		push: "push-" + id, headers: routertest.Bearer(tok), token: tok}
	resp := r.Do(t, `mutation($in: NotificationSettingsInput!) { updateNotificationSettings(input: $in) { email } }`,
		map[string]any{"in": map[string]any{"email": u.email, "phone": u.phone, "pushToken": u.push}}, u.headers)
	wantNoErrors(t, resp)
	return u
}

func wantNoErrors(t testing.TB, resp *routertest.Response) {
	t.Helper()
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v (data %s)", resp.Errors, resp.Data)
	}
}

// eventually polls cond until it holds or within passes.
func eventually(t *testing.T, what string, within time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last state: %s", what, within, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mail is one message Mailpit received.
type mail struct {
	ID        string `json:"ID"`
	MessageID string `json:"MessageID"`
	Subject   string `json:"Subject"`
	Snippet   string `json:"Snippet"`
}

// mailTo lists what Mailpit received for addr, oldest first.
func mailTo(t testing.TB, addr string) []mail {
	t.Helper()
	resp, err := http.Get(mailpitURL() + "/api/v1/search?query=" + url.QueryEscape("to:"+addr))
	if err != nil {
		t.Fatalf("Mailpit is not reachable at %s (deploy/local/services.sh up mailpit): %v", mailpitURL(), err)
	}
	defer resp.Body.Close()
	var out struct {
		Messages []mail `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(out.Messages) // Mailpit lists newest first
	return out.Messages
}

// mailBodies returns a message's text and HTML parts as Mailpit parsed them.
func mailBodies(t testing.TB, id string) (text, html string) {
	t.Helper()
	resp, err := http.Get(mailpitURL() + "/api/v1/message/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ Text, HTML string }
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m.Text, m.HTML
}
