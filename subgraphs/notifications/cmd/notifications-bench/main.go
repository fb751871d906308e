// Command notifications-bench measures the notifications subgraph end to end against the
// real services (PostgreSQL, Kafka) and the real router:
//
//   - notifications/s: order.status.changed events published to Kafka as fast as the
//     producer takes them, until every one is an inbox row, an event on its customer's
//     myNotifications subscription through the router, and a call to the push provider
//     (the in-repo FCM-style sandbox);
//   - latency: at a paced rate, from publishing a transition to the myNotifications event
//     arriving through the router, p50/p99;
//
// with -subscribers connected customers, each on its own myNotifications subscription
// through the router (so the router holds as many upstream subscriptions to the subgraph).
//
//	go run ./cmd/notifications-bench -subscribers 10000 -events 5000 -rate 200 -duration 10s
package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/providersandbox"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/service"
)

func main() {
	subscribers := flag.Int("subscribers", 10000, "connected customers, one myNotifications subscription each, through the router")
	burst := flag.Int("events", 5000, "events in the throughput phase")
	rate := flag.Int("rate", 100, "events per second in the latency phase")
	duration := flag.Duration("duration", 10*time.Second, "length of the latency phase")
	perTopic := flag.Int("consumers-per-topic", 3, "consumer group members per topic (the topics have 3 partitions)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	b := &bench{seen: map[string]time.Time{}}
	consumersPerTopic = *perTopic
	// Each subscriber is two sockets in the router (client, upstream) and two here (the
	// client end, the subgraph's end of the upstream); the router inherits this limit.
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		if need := uint64(2**subscribers + 500); need > lim.Cur {
			fmt.Fprintf(os.Stderr, "notifications-bench: %d subscribers need about %d open files in the router and in this process; the limit here is %d (at most %d subscribers)\n",
				*subscribers, need, lim.Cur, (lim.Cur-500)/2)
			os.Exit(2)
		}
	}
	err := b.run(ctx, *subscribers, *burst, *rate, *duration)
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "notifications-bench:", err)
		os.Exit(1)
	}
}

var consumersPerTopic = 3

type bench struct {
	cleanups []func()
	key      ed25519.PrivateKey
	jwks     string
	router   string
	routerWS string
	pool     *pgxpool.Pool
	sandbox  *providersandbox.Server
	producer *kafka.Producer

	mu       sync.Mutex
	seen     map[string]time.Time // order id -> when its event reached its subscriber
	received atomic.Int64
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "[bench] "+format+"\n", args...) }

func (b *bench) onClose(f func()) { b.cleanups = append(b.cleanups, f) }

func (b *bench) run(ctx context.Context, subscribers, burst, rate int, duration time.Duration) error {
	root, err := routertest.RepoRoot()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "notifications-bench-")
	if err != nil {
		return err
	}
	b.onClose(func() { _ = os.RemoveAll(work) })
	logf("building the router")
	routerBin := filepath.Join(work, "router")
	build := exec.CommandContext(ctx, "go", "build", "-o", routerBin, "./router/cmd/router")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build router: %w\n%s", err, out)
	}

	// A schema of its own on the real PostgreSQL.
	admin, err := postgres.Open(ctx, endpoints.Postgres())
	if err != nil {
		return err
	}
	b.onClose(admin.Close)
	schema := "notifications_bench_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		return err
	}
	b.onClose(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	b.pool, err = postgres.Open(ctx, endpoints.Postgres(), func(c *pgxpool.Config) {
		c.ConnConfig.RuntimeParams["search_path"] = schema
		c.MaxConns = 32
	})
	if err != nil {
		return err
	}
	b.onClose(b.pool.Close)

	// The push provider sandbox and the token issuer the router verifies against.
	b.sandbox = providersandbox.New()
	sandboxURL, err := serve(b, b.sandbox.Handler())
	if err != nil {
		return err
	}
	if err := b.issuer(); err != nil {
		return err
	}

	// The subgraph, in this process.
	cfg := service.DefaultConfig()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.ConsumerGroupPrefix = "notifications-bench-" + strings.ToLower(rand.Text()[:8])
	cfg.ConsumeFromBeginning = false
	cfg.PushURL, cfg.SMSURL = sandboxURL, sandboxURL
	cfg.PushPerSec = 0
	cfg.ConsumersPerTopic = consumersPerTopic
	cfg.DispatchPollInterval = 20 * time.Millisecond
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := service.New(ctx, cfg, b.pool, logger, service.Options{Staff: noStaff{}})
	if err != nil {
		return err
	}
	b.onClose(func() { _ = svc.Close() })
	subgraphURL, err := serve(b, svc.Handler)
	if err != nil {
		return err
	}
	runCtx, cancelRun := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, c := range svc.Components {
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.Run(runCtx) }()
	}
	b.onClose(func() { cancelRun(); wg.Wait() })
	b.producer = kafka.NewProducer(endpoints.Kafka())
	b.onClose(func() { _ = b.producer.Close() })
	if err := b.waitForConsumers(ctx); err != nil {
		return err
	}
	logf("starting the router")
	if err := b.startRouter(ctx, routerBin, work, subgraphURL+"/query", root); err != nil {
		return err
	}

	// The customers: push tokens set, each subscribed through the router.
	users := make([]string, subscribers)
	inbox := adapters.NewInboxRepository(b.pool)
	for i := range users {
		users[i] = fmt.Sprintf("bench-%s-%d", cfg.ConsumerGroupPrefix[len(cfg.ConsumerGroupPrefix)-8:], i)
		s := domain.DefaultSettings(users[i])
		s.PushToken = "push-" + users[i]
		if err := inbox.SaveSettings(ctx, s); err != nil {
			return err
		}
	}
	logf("connecting %d subscribers through the router", subscribers)
	connected := time.Now()
	sem := make(chan struct{}, 64)
	var subErr atomic.Value
	for i, u := range users {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			if err := b.subscribe(runCtx, u); err != nil {
				subErr.Store(fmt.Errorf("subscriber %d: %w", i, err))
			}
		}()
		if e, _ := subErr.Load().(error); e != nil {
			return e
		}
	}
	for range cap(sem) {
		sem <- struct{}{}
	}
	if e, _ := subErr.Load().(error); e != nil {
		return e
	}
	logf("%d subscribers connected in %s; upstream subscriptions on the subgraph: %d", subscribers, time.Since(connected).Round(time.Millisecond),
		waitSubscribers(svc, subscribers, 60*time.Second))

	// Throughput: a burst, all at once.
	sent0 := len(b.sandbox.Sent())
	recv0 := b.received.Load()
	start := time.Now()
	if err := b.publish(ctx, users, burst, 0); err != nil {
		return err
	}
	published := time.Since(start)
	if err := waitFor(ctx, 5*time.Minute, func() bool {
		return b.received.Load()-recv0 >= int64(burst) && len(b.sandbox.Sent())-sent0 >= burst && b.rows(ctx) >= burst
	}); err != nil {
		return fmt.Errorf("throughput phase: %d of %d events reached subscribers, %d pushes, %d rows: %w",
			b.received.Load()-recv0, burst, len(b.sandbox.Sent())-sent0, b.rows(ctx), err)
	}
	elapsed := time.Since(start)

	// Latency: a paced stream.
	b.mu.Lock()
	clear(b.seen)
	b.mu.Unlock()
	total := int(duration.Seconds() * float64(rate))
	sentAt := map[string]time.Time{}
	var sentMu sync.Mutex
	if err := b.publishPaced(ctx, users, total, rate, func(orderID string, at time.Time) {
		sentMu.Lock()
		sentAt[orderID] = at
		sentMu.Unlock()
	}); err != nil {
		return err
	}
	_ = waitFor(ctx, 60*time.Second, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.seen) >= total
	})
	var lat []time.Duration
	b.mu.Lock()
	for id, at := range sentAt {
		if got, ok := b.seen[id]; ok {
			lat = append(lat, got.Sub(at))
		}
	}
	b.mu.Unlock()
	slices.Sort(lat)
	fmt.Printf("\nnotifications-bench: %d subscribers through the router (one myNotifications each)\n", subscribers)
	fmt.Printf("%-44s %s\n", "throughput (event -> row + live event + push)",
		fmt.Sprintf("%.0f notifications/s (%d events in %s; published in %s)", float64(burst)/elapsed.Seconds(), burst, elapsed.Round(time.Millisecond), published.Round(time.Millisecond)))
	if len(lat) == 0 {
		return fmt.Errorf("latency phase: no event arrived")
	}
	fmt.Printf("%-44s p50 %s p99 %s (%d of %d events at %d/s)\n", "transition -> myNotifications via router",
		pct(lat, 50), pct(lat, 99), len(lat), total, rate)
	return nil
}

// noStaff: the bench publishes no new orders for staff; identity is not running.
type noStaff struct{}

func (noStaff) Staff(context.Context, string) ([]string, error) { return nil, nil }

func pct(d []time.Duration, p int) time.Duration {
	return d[min(len(d)-1, len(d)*p/100)].Round(100 * time.Microsecond)
}

func (b *bench) rows(ctx context.Context) int {
	var n int
	_ = b.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE kind = 'order.paid'`).Scan(&n)
	return n
}

func waitFor(ctx context.Context, within time.Duration, cond func() bool) error {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %s", within)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

func waitSubscribers(svc *service.Service, n int, within time.Duration) int {
	deadline := time.Now().Add(within)
	for svc.App.LiveSubscribers() < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	return svc.App.LiveSubscribers()
}

// transition is one order's paid transition for a user.
func transition(user string) (string, events.Envelope, error) {
	orderID := uuid.NewString()
	ev, err := events.New(context.Background(), "bench", orderID, contracts.OrderStatusChangedV2{OrderID: orderID, CustomerID: user,
		RestaurantID: "bench", From: contracts.OrderPlaced, To: contracts.OrderPaid, ChangedAt: time.Now().UTC()})
	return orderID, ev, err
}

func (b *bench) publish(ctx context.Context, users []string, n int, _ int) error {
	var batch []kafka.Message
	for i := range n {
		_, ev, err := transition(users[i%len(users)])
		if err != nil {
			return err
		}
		m, err := ev.Message()
		if err != nil {
			return err
		}
		batch = append(batch, m)
		if len(batch) == 500 || i == n-1 {
			if err := b.producer.Publish(ctx, batch...); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

func (b *bench) publishPaced(ctx context.Context, users []string, n, rate int, sent func(string, time.Time)) error {
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for i := range n {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			orderID, ev, err := transition(users[(i*7919)%len(users)])
			if err == nil {
				var m kafka.Message
				if m, err = ev.Message(); err == nil {
					at := time.Now()
					if err = b.producer.Publish(ctx, m); err == nil {
						sent(orderID, at)
					}
				}
			}
			if err != nil {
				select {
				case errs <- err:
				default:
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// subscribe opens user's myNotifications through the router and records arrivals.
func (b *bench) subscribe(ctx context.Context, user string) error {
	sub, err := routertest.Subscribe(ctx, b.routerWS, `subscription { myNotifications { notification { orderId } } }`, nil,
		map[string]any{"Authorization": "Bearer " + b.token(user)})
	if err != nil {
		return err
	}
	go func() {
		defer sub.Close()
		for {
			resp, err := sub.Next(ctx)
			if err != nil {
				return
			}
			at := time.Now()
			var ev struct {
				MyNotifications struct{ Notification struct{ OrderID string } }
			}
			if resp.Decode(&ev) == nil {
				b.received.Add(1)
				b.mu.Lock()
				b.seen[ev.MyNotifications.Notification.OrderID] = at
				b.mu.Unlock()
			}
		}
	}()
	return nil
}

func (b *bench) waitForConsumers(ctx context.Context) error {
	specs := make([]kafka.TopicSpec, 0, len(app.Topics))
	for _, t := range app.Topics {
		specs = append(specs, kafka.TopicSpec{Name: t})
	}
	if err := kafka.EnsureTopics(ctx, endpoints.Kafka(), specs...); err != nil {
		return err
	}
	logf("waiting for the consumer groups to join")
	return waitFor(ctx, 2*time.Minute, func() bool {
		var n int
		_ = b.pool.QueryRow(ctx, `SELECT count(DISTINCT consumer) FROM processed_events`).Scan(&n)
		if n == len(app.Topics) {
			return true
		}
		probe := "probe-" + uuid.NewString()
		for _, p := range []events.Payload{
			contracts.OrderCreatedV2{OrderID: probe, CustomerID: probe},
			contracts.OrderStatusChangedV2{OrderID: probe, To: contracts.OrderPaid},
			contracts.PaymentRefundedV1{OrderID: probe, CustomerID: probe, Amount: contracts.Money{Currency: "UZS"}},
			contracts.DispatchAssignedV1{OrderID: probe, DriverID: probe},
			contracts.DeliveryStatusChangedV1{OrderID: probe, To: contracts.DeliveryConfirmed},
			contracts.NotificationRequestedV1{RecipientID: probe, Template: "promo.offer", Params: map[string]string{"Headline": "p", "Details": "p"}},
		} {
			ev, _ := events.New(ctx, "bench", probe, p)
			m, _ := ev.Message()
			_ = b.producer.Publish(ctx, m)
		}
		time.Sleep(time.Second)
		return false
	})
}

func serve(b *bench, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.onClose(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), nil
}

const (
	tokenIssuer   = "https://identity.notifications-bench"
	tokenAudience = "dizhtime"
)

func (b *bench) issuer() error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	b.key = priv
	jwks, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{"kty": "OKP", "crv": "Ed25519",
		"x": base64.RawURLEncoding.EncodeToString(pub), "kid": "bench-key", "alg": "EdDSA", "use": "sig"}}})
	b.jwks, err = serve(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	}))
	return err
}

func (b *bench) token(user string) string {
	enc := func(v any) string { j, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(j) }
	signing := enc(map[string]any{"alg": "EdDSA", "kid": "bench-key", "typ": "JWT"}) + "." +
		enc(map[string]any{"sub": user, "roles": []string{"CUSTOMER"}, "iss": tokenIssuer, "aud": tokenAudience,
			"exp": time.Now().Add(2 * time.Hour).Unix()})
	return signing + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(b.key, []byte(signing)))
}

var listening = regexp.MustCompile(`router listening on (http://\S+/graphql)`)

func (b *bench) startRouter(ctx context.Context, bin, work, subgraphURL, root string) error {
	supergraph, routerYAML := filepath.Join(work, "supergraph.yaml"), filepath.Join(work, "router.yaml")
	sg := fmt.Sprintf("subgraphs:\n  - name: notifications\n    routing_url: %s\n    subscription: {url: %s, protocol: graphql-transport-ws}\n    schema: {file: %q}\n",
		subgraphURL, "ws"+strings.TrimPrefix(subgraphURL, "http"), filepath.Join(root, "schema", "notifications.graphqls"))
	if err := os.WriteFile(supergraph, []byte(sg), 0o644); err != nil {
		return err
	}
	ry := fmt.Sprintf("listen_addr: 127.0.0.1:0\nsupergraph_file: %q\n%s", supergraph, routertest.AuthYAML(b.jwks, tokenIssuer, tokenAudience))
	if err := os.WriteFile(routerYAML, []byte(ry), 0o644); err != nil {
		return err
	}
	logPath := filepath.Join(work, "router.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve", "-config", routerYAML, "-supergraph", supergraph)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "DIZHTIME_LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			_, _ = fmt.Fprintln(logFile, sc.Text())
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(exited) }()
	b.onClose(func() { _ = cmd.Process.Kill(); <-exited; _ = logFile.Close() })
	select {
	case u := <-addr:
		b.router, b.routerWS = u, "ws"+strings.TrimPrefix(u, "http")
		return nil
	case <-exited:
		return fmt.Errorf("the router exited before listening; see %s", logPath)
	case <-time.After(60 * time.Second):
		return fmt.Errorf("the router did not listen within 60s; see %s", logPath)
	case <-ctx.Done():
		return ctx.Err()
	}
}
