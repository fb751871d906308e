// Command notifications-bench measures the notifications subgraph end to end against the
// real services (PostgreSQL, Kafka) and the real router:
//
//   - notifications/s: order.status.changed events published to Kafka as fast as the
//     producer takes them, until every one is an inbox row, an event on its customer's
//     myNotifications subscription through the router, and a call to the push provider
//     (the in-repo FCM-style sandbox);
//   - latency: at a paced rate, from publishing a transition to the myNotifications event
//     arriving through the router, p50/p99;
//   - events missed: every event published in both phases must reach its subscriber (0).
//
// with -subscribers connected customers, each on its own myNotifications subscription
// through a router, the way production scales: -routers replicas of the router (separate
// processes; any replica serves the live inbox) share the subscribers round robin, and the
// load tool that holds the subscribers' sockets is a process of its own (this binary, run
// as "load-tool") dialling from -source-addrs loopback addresses (127.0.1.x). Each
// subscriber costs its router two sockets (client, upstream), the subgraph (this process)
// one and the load tool one; the bench prints each process's open-file budget and what it
// held at the peak, and refuses to start a plan over the per-process limit.
//
//	go run ./cmd/notifications-bench -subscribers 10000 -routers 2 -events 3000 -rate 20 -duration 10s
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
	"runtime"
	"slices"
	"strconv"
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
	"github.com/dizhtime/dizhtime/platform/authz"
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
	// The load tool: this binary again, as its own process (see load.go).
	if len(os.Args) > 1 && os.Args[1] == loadRole {
		os.Exit(runLoad(os.Args[2:]))
	}
	subscribers := flag.Int("subscribers", 10000, "connected customers, one myNotifications subscription each, through the routers")
	routers := flag.Int("routers", 2, "router replicas; subscribers are spread over them round robin (any replica serves the live inbox)")
	sources := flag.Int("source-addrs", 4, "loopback source addresses (127.0.1.1, 127.0.1.2, ...) the load tool spreads its connections over")
	burst := flag.Int("events", 5000, "events in the throughput phase")
	rate := flag.Int("rate", 100, "events per second in the latency phase")
	duration := flag.Duration("duration", 10*time.Second, "length of the latency phase")
	concurrency := flag.Int("connect-concurrency", 32, "subscription handshakes in flight while connecting")
	perTopic := flag.Int("consumers-per-topic", 3, "consumer group members per topic (the topics have 3 partitions)")
	flag.Parse()
	if *routers < 1 || *sources < 1 || *sources > 250 || *subscribers < 1 {
		fmt.Fprintln(os.Stderr, "notifications-bench: -subscribers and -routers must be >= 1, -source-addrs 1..250")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	b := &bench{sentAt: map[string]time.Time{}, seen: map[string]time.Time{}, routerCount: *routers, sourceAddrs: *sources, connectConcurrency: *concurrency}
	consumersPerTopic = *perTopic
	// Every process gets the whole hard limit as its soft limit (the routers inherit it);
	// the budgets below must fit under it, or the bench stops before starting anything.
	limit, err := raiseOpenFiles()
	if err == nil {
		b.budgets = planBudgets(*subscribers, *routers)
		err = checkBudgets(b.budgets, limit)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "notifications-bench: %d subscribers: %v\n", *subscribers, err)
		os.Exit(2)
	}
	err = b.run(ctx, *subscribers, *burst, *rate, *duration)
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
	cleanups    []func()
	key         ed25519.PrivateKey
	jwks        string
	pool        *pgxpool.Pool
	sandbox     *providersandbox.Server
	producer    *kafka.Producer
	routerCount int
	sourceAddrs int
	// connectConcurrency is how many subscription handshakes the load tool has in flight.
	connectConcurrency int
	budgets            []fdBudget
	routerKey          string // the routers' service key file (platform/authz)
	peakFDs            []int  // per budget, the most open files seen

	mu         sync.Mutex
	sentAt     map[string]time.Time // order id -> when its transition went to Kafka (both phases)
	seen       map[string]time.Time // order id -> when its event first reached its subscriber
	duplicates int
	received   atomic.Int64
	connected  chan time.Duration // the load tool's "connected" report
	dropped    atomic.Int64       // subscriptions that ended while the bench measured
	retries    atomic.Int64       // subscriptions retried while connecting
	reconnects atomic.Int64       // subscriptions that ended while measuring and resubscribed with since
	measuring  chan int           // the load tool's answer to "measure": subscriptions receiving
	loadIn     io.WriteCloser     // the load tool's stdin
	loadErr    atomic.Value       // the load tool's "error" report
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "[bench] "+format+"\n", args...) }

func (b *bench) onClose(f func()) { b.cleanups = append(b.cleanups, f) }

func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func (b *bench) run(ctx context.Context, subscribers, burst, rate int, duration time.Duration) error {
	loadStart := loadavg()
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
	self, err := os.Executable()
	if err != nil {
		return err
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

	// The push provider sandbox and the token issuer the routers verify against.
	b.sandbox = providersandbox.New()
	sandboxURL, err := serve(b, b.sandbox.Handler())
	if err != nil {
		return err
	}
	if err := b.issuer(); err != nil {
		return err
	}
	if err := b.routerServiceKey(work); err != nil {
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

	// The router replicas, each with its own listener on the subgraph (so each replica's
	// upstream connections have a destination of their own).
	b.budgets[0].pid = os.Getpid()
	var routerWS []string
	for r := range b.routerCount {
		subgraphURL, err := serve(b, svc.Handler)
		if err != nil {
			return err
		}
		logf("starting router %d of %d", r+1, b.routerCount)
		u, pid, err := b.startRouter(ctx, routerBin, work, r+1, subgraphURL+"/query", root)
		if err != nil {
			return err
		}
		b.budgets[1+r].pid = pid
		routerWS = append(routerWS, "ws"+strings.TrimPrefix(u, "http"))
	}

	// The customers: push tokens set, each subscribed through a router by the load tool.
	users := make([]string, subscribers)
	inbox := adapters.NewInboxRepository(b.pool)
	plan := loadPlan{Routers: routerWS, SourceAddrs: b.sourceAddrs, Concurrency: b.connectConcurrency,
		Query: `subscription($since: Int) { myNotifications(since: $since) { notification { orderId sequence } } }`}
	for i := range users {
		users[i] = fmt.Sprintf("bench-%s-%d", cfg.ConsumerGroupPrefix[len(cfg.ConsumerGroupPrefix)-8:], i)
		s := domain.DefaultSettings(users[i])
		s.PushToken = "push-" + users[i]
		if err := inbox.SaveSettings(ctx, s); err != nil {
			return err
		}
		plan.Subscribers = append(plan.Subscribers, loadSubject{User: users[i], Token: b.token(users[i])})
	}
	logf("connecting %d subscribers through %d routers from %d loopback source addresses (load tool: its own process)",
		subscribers, b.routerCount, b.sourceAddrs)
	connectStart := time.Now()
	if err := b.startLoad(ctx, self, work, plan); err != nil {
		return err
	}
	var sent time.Duration
	select {
	case sent = <-b.connected:
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Minute):
		return fmt.Errorf("the load tool did not connect %d subscribers within 10 minutes", subscribers)
	}
	if e, _ := b.loadErr.Load().(error); e != nil {
		return e
	}
	live := waitSubscribers(ctx, svc, subscribers, 2*time.Minute)
	setup := time.Since(connectStart)
	if live != subscribers {
		return fmt.Errorf("%d subscriptions sent, but the subgraph serves %d live inboxes after 2 minutes", subscribers, live)
	}
	// From here on a subscription that ends is a dropped subscriber, not a retry.
	if _, err := io.WriteString(b.loadIn, "measure\n"); err != nil {
		return fmt.Errorf("load tool: %w", err)
	}
	select {
	case receiving := <-b.measuring:
		if receiving != subscribers {
			return fmt.Errorf("the subgraph serves %d live inboxes but the load tool has %d of %d subscriptions receiving", live, receiving, subscribers)
		}
	case <-time.After(time.Minute):
		return fmt.Errorf("the load tool did not answer \"measure\"")
	}
	logf("%d subscribers connected in %s (load tool had them all up in %s; %d retried); live inboxes on the subgraph: %d",
		subscribers, setup.Round(time.Millisecond), sent.Round(time.Millisecond), b.retries.Load(), live)
	b.sampleFDs()

	// Throughput: a burst, all at once.
	sent0 := len(b.sandbox.Sent())
	recv0 := b.received.Load()
	start := time.Now()
	if err := b.publish(ctx, users, burst); err != nil {
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
	b.sampleFDs()

	// Latency: a paced stream.
	total := int(duration.Seconds() * float64(rate))
	pacedAt := map[string]time.Time{}
	var pacedMu sync.Mutex
	if err := b.publishPaced(ctx, users, total, rate, func(orderID string, at time.Time) {
		pacedMu.Lock()
		pacedAt[orderID] = at
		pacedMu.Unlock()
	}); err != nil {
		return err
	}
	_ = waitFor(ctx, 60*time.Second, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.seen) >= len(b.sentAt)
	})
	b.sampleFDs()
	var lat []time.Duration
	b.mu.Lock()
	for id, at := range pacedAt {
		if got, ok := b.seen[id]; ok {
			lat = append(lat, got.Sub(at))
		}
	}
	missed, duplicates, published2 := 0, b.duplicates, len(b.sentAt)
	for id := range b.sentAt {
		if _, ok := b.seen[id]; !ok {
			missed++
		}
	}
	b.mu.Unlock()
	pushes, rows := len(b.sandbox.Sent())-sent0, b.rows(ctx)
	slices.Sort(lat)

	fmt.Printf("\nnotifications-bench: %d subscribers through %d routers (one myNotifications each; load tool in its own process, %d loopback source addresses)\n",
		subscribers, b.routerCount, b.sourceAddrs)
	fmt.Printf("%-44s %s\n", "subscribers connected", fmt.Sprintf("%d in %s (live inboxes on the subgraph: %d; %d subscriptions retried while connecting, %d at a time)",
		subscribers, setup.Round(time.Millisecond), live, b.retries.Load(), b.connectConcurrency))
	fmt.Printf("%-44s %s\n", "throughput (event -> row + live event + push)",
		fmt.Sprintf("%.0f notifications/s (%d events in %s; published in %s)", float64(burst)/elapsed.Seconds(), burst, elapsed.Round(time.Millisecond), published.Round(time.Millisecond)))
	if len(lat) > 0 {
		fmt.Printf("%-44s p50 %s p99 %s (%d of %d events at %d/s)\n", "transition -> myNotifications via router",
			pct(lat, 50), pct(lat, 99), len(lat), total, rate)
	}
	fmt.Printf("%-44s %d of %d published (%d duplicates; %d subscriptions ended and resumed with since, %d dropped; %d inbox rows, %d push calls)\n", "events missed",
		missed, published2, duplicates, b.reconnects.Load(), b.dropped.Load(), rows, pushes)
	fmt.Println("open files at the peak (budget / counted in /proc / soft/hard limit):")
	for i, bu := range b.budgets {
		fmt.Printf("  %-32s budget %6d (%s + %d other), counted %6d, limit %s, pid %d\n", bu.process, bu.total(), bu.parts, bu.other,
			b.peakFDs[i], softLimit(bu.pid), bu.pid)
	}
	fmt.Printf("load average (1m 5m 15m): start %s, end %s; %d CPUs\n", loadStart, loadavg(), runtime.NumCPU())

	switch {
	case len(lat) == 0:
		return fmt.Errorf("latency phase: no event arrived")
	case missed > 0 || b.dropped.Load() > 0:
		return fmt.Errorf("%d of %d events missed, %d subscriptions dropped", missed, published2, b.dropped.Load())
	case rows < published2 || pushes < published2:
		return fmt.Errorf("%d events published, but %d inbox rows and %d push calls", published2, rows, pushes)
	}
	for i, bu := range b.budgets {
		if b.peakFDs[i] > bu.total() {
			return fmt.Errorf("%s held %d open files, over its budget of %d", bu.process, b.peakFDs[i], bu.total())
		}
	}
	return nil
}

// sampleFDs counts every bench process's open files and keeps the peak.
func (b *bench) sampleFDs() {
	if b.peakFDs == nil {
		b.peakFDs = make([]int, len(b.budgets))
	}
	for i, bu := range b.budgets {
		if bu.pid != 0 {
			b.peakFDs[i] = max(b.peakFDs[i], openFiles(bu.pid))
		}
	}
}

// startLoad starts the load tool (this binary, as its own process) on plan and reads its
// reports until it exits; the bench stops it by closing its stdin.
func (b *bench) startLoad(ctx context.Context, self, work string, plan loadPlan) error {
	raw, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	planFile := filepath.Join(work, "load-plan.json")
	if err := os.WriteFile(planFile, raw, 0o600); err != nil {
		return err
	}
	cmd := exec.Command(self, loadRole, "-plan", planFile)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	b.budgets[len(b.budgets)-1].pid = cmd.Process.Pid
	b.connected = make(chan time.Duration, 1)
	b.measuring = make(chan int, 1)
	b.loadIn = stdin
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			kind, rest, _ := strings.Cut(sc.Text(), " ")
			switch kind {
			case "event":
				id, ns, _ := strings.Cut(rest, " ")
				n, _ := strconv.ParseInt(ns, 10, 64)
				b.mu.Lock()
				if _, dup := b.seen[id]; dup {
					b.duplicates++
				} else {
					b.seen[id] = time.Unix(0, n)
				}
				b.mu.Unlock()
				b.received.Add(1)
			case "connected":
				_, ns, _ := strings.Cut(rest, " ")
				n, _ := strconv.ParseInt(ns, 10, 64)
				b.connected <- time.Duration(n)
			case "closed":
				b.dropped.Add(1)
				logf("load tool: subscription %s", rest)
			case "reconnect":
				b.reconnects.Add(1)
				logf("load tool: resubscribing with since: %s", rest)
			case "retry":
				if b.retries.Add(1) <= 5 {
					logf("load tool: retrying subscription %s", rest)
				}
			case "measuring":
				n, _ := strconv.Atoi(rest)
				b.measuring <- n
			case "error":
				b.loadErr.Store(fmt.Errorf("load tool: %s", rest))
				select {
				case b.connected <- 0:
				default:
				}
			}
		}
		_ = cmd.Wait()
	}()
	b.onClose(func() {
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	go func() {
		select {
		case <-exited:
			select {
			case b.connected <- 0:
			default:
			}
			if b.loadErr.Load() == nil {
				b.loadErr.Store(fmt.Errorf("the load tool exited (%v)", cmd.ProcessState))
			}
		case <-ctx.Done():
		}
	}()
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

func waitSubscribers(ctx context.Context, svc *service.Service, n int, within time.Duration) int {
	deadline := time.Now().Add(within)
	for svc.App.LiveSubscribers() < n && time.Now().Before(deadline) && ctx.Err() == nil {
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

func (b *bench) publish(ctx context.Context, users []string, n int) error {
	var batch []kafka.Message
	var ids []string
	for i := range n {
		orderID, ev, err := transition(users[i%len(users)])
		if err != nil {
			return err
		}
		m, err := ev.Message()
		if err != nil {
			return err
		}
		batch, ids = append(batch, m), append(ids, orderID)
		if len(batch) == 500 || i == n-1 {
			at := time.Now()
			if err := b.producer.Publish(ctx, batch...); err != nil {
				return err
			}
			b.mu.Lock()
			for _, id := range ids {
				b.sentAt[id] = at
			}
			b.mu.Unlock()
			batch, ids = batch[:0], ids[:0]
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
						b.mu.Lock()
						b.sentAt[orderID] = at
						b.mu.Unlock()
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
			contracts.TopUpSucceededV1{IntentID: probe, UserID: probe, Amount: contracts.Money{Currency: "UZS"}, Gateway: "probe"},
			contracts.TopUpFailedV1{IntentID: probe, UserID: probe, Amount: contracts.Money{Currency: "UZS"}, Gateway: "probe", Outcome: contracts.TopUpDeclined},
			contracts.DispatchOfferedV1{OrderID: probe, DriverID: probe},
			contracts.DispatchUnassignedV1{OrderID: probe, DriverID: probe},
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
	// A generous header timeout: 10,000 upstream handshakes arrive at a CPU-starved process.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: time.Minute}
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

// startRouter starts router replica n (its own process, its own config and log) in front of
// the subgraph at subgraphURL and returns its URL and pid.
func (b *bench) startRouter(ctx context.Context, bin, work string, n int, subgraphURL, root string) (string, int, error) {
	supergraph, routerYAML := filepath.Join(work, fmt.Sprintf("supergraph-%d.yaml", n)), filepath.Join(work, fmt.Sprintf("router-%d.yaml", n))
	sg := fmt.Sprintf("subgraphs:\n  - name: notifications\n    routing_url: %s\n    subscription: {url: %s, protocol: graphql-transport-ws}\n    schema: {file: %q}\n",
		subgraphURL, "ws"+strings.TrimPrefix(subgraphURL, "http"), filepath.Join(root, "schema", "notifications.graphqls"))
	if err := os.WriteFile(supergraph, []byte(sg), 0o644); err != nil {
		return "", 0, err
	}
	ry := fmt.Sprintf("listen_addr: 127.0.0.1:0\nsupergraph_file: %q\n%s", supergraph, routertest.AuthYAML(b.jwks, tokenIssuer, tokenAudience))
	if err := os.WriteFile(routerYAML, []byte(ry), 0o644); err != nil {
		return "", 0, err
	}
	logPath := filepath.Join(work, fmt.Sprintf("router-%d.log", n))
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", 0, err
	}
	cmd := exec.Command(bin, "serve", "-config", routerYAML, "-supergraph", supergraph)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "DIZHTIME_LOG_LEVEL=warn", "DIZHTIME_ROUTER_AUTH_SERVICE_KEY_FILE="+b.routerKey)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", 0, err
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return "", 0, err
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
		logf("router %d: %s, pid %d, open-file limit %s", n, u, cmd.Process.Pid, softLimit(cmd.Process.Pid))
		return u, cmd.Process.Pid, nil
	case <-exited:
		return "", 0, fmt.Errorf("router %d exited before listening; see %s", n, logPath)
	case <-time.After(60 * time.Second):
		return "", 0, fmt.Errorf("router %d did not listen within 60s; see %s", n, logPath)
	case <-ctx.Done():
		return "", 0, ctx.Err()
	}
}

// routerServiceKey gives the routers a service key the subgraph in this process trusts,
// answering as "notifications": subgraphs believe a user only from the router's signed
// per-request token (platform/authz). An unconfigured process plays the router itself, so
// its own key is the routers' key; otherwise a router key is made and trusted.
func (b *bench) routerServiceKey(work string) error {
	self := authz.ProcessServiceIdentity()
	self.AnswerAs("notifications")
	key := self.PrivateKey()
	if self.Name() != authz.RouterService {
		var err error
		if key, err = authz.GenerateServiceKey(authz.RouterService); err != nil {
			return err
		}
		pub, err := key.PublicKey()
		if err != nil {
			return err
		}
		if err := self.Trust(pub); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(key)
	if err != nil {
		return err
	}
	b.routerKey = filepath.Join(work, "router.jwk")
	return os.WriteFile(b.routerKey, raw, 0o600)
}
