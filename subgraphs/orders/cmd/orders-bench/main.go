// Command orders-bench measures placeOrder -> PAID through the real router, with the
// real wallet paying and the real restaurants service pricing the carts:
//
//	eval "$(deploy/local/services.sh env)"   # from the repository root
//	go run ./cmd/orders-bench [-duration 20s] [-clients 1,8,32]
//
// It starts, all on loopback:
//   - orders (this module's service package, in this process) on a fresh PostgreSQL
//     schema, with consumer groups of its own that start at the topics' ends;
//   - `wallet serve` (built from subgraphs/wallet/cmd/wallet) as a child process on a
//     schema of its own, likewise with consumer groups of its own, the customers topped
//     up first through its GraphQL `topUp` (the sandbox gateway credits at once);
//   - restaurants (its service package, in this process, internal/liverestaurants) on
//     the FerretDB server with one seeded restaurant; its events go nowhere and
//     identity's relation API is an in-memory tuple set;
//   - the router (built from router/cmd/router, as platform/routertest does) in front of
//     orders, verifying EdDSA tokens against a JWKS this command serves (as
//     routertest.NewIssuer does).
//
// Each client is one customer placing orders one after another (closed loop):
// placeOrder through the router, then wait for the payment outcome on the restaurant
// dashboard subscription (restaurantOrders) of the orders subgraph. Per concurrency
// level it prints, in ms:
//   - client: placeOrder sent -> PAID on the orders subgraph's dashboard subscription
//     (what drives the loop; orders/s counts these PAID orders over the phase);
//   - via router: the same PAID on the same subscription through the router. The
//     router's upstream subscription client (graphql-go-tools netPoll, 100 ms tick,
//     one message per connection per tick) passes about 10 events/s per upstream
//     connection, so the dashboard through the router falls behind beyond ~5 orders/s
//     (two events an order) and is not what paces the loop;
//   - server: PLACED -> PAID as the orders database recorded the two transitions;
//   - placeOrder: its round trip through the router (quote from restaurants included);
//   - failed: orders that ended PAYMENT_FAILED (another wallet consuming the shared
//     order.created topic, with no money for these customers, can win the race);
//   - the load average (/proc/loadavg) before and after the level.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
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

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/orders/internal/liverestaurants"
	"github.com/dizhtime/dizhtime/subgraphs/orders/service"
)

func main() {
	duration := flag.Duration("duration", 20*time.Second, "measured time per concurrency level")
	clients := flag.String("clients", "1,8,32", "concurrency levels (clients, each a customer placing orders one after another)")
	flag.Parse()
	var levels []int
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "orders-bench: bad -clients %q\n", *clients)
			os.Exit(2)
		}
		levels = append(levels, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	b := &bench{}
	err := b.run(ctx, *duration, levels)
	b.close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "orders-bench:", err)
		os.Exit(1)
	}
}

type bench struct {
	cleanups []func()
	http     *http.Client
	router   string // GraphQL endpoint
	routerWS string
	wallet   string // wallet GraphQL endpoint
	key      ed25519.PrivateKey
	jwks     string
	rest     *liverestaurants.Restaurants
	pool     *pgxpool.Pool
	staff    authz.Identity

	mu      sync.Mutex
	waiters map[string]chan string // order id -> PAID or PAYMENT_FAILED
	early   map[string]string      // outcomes that arrived before their waiter
	routed  map[string]time.Time   // PAID seen on the dashboard through the router
}

func (b *bench) onClose(f func()) { b.cleanups = append(b.cleanups, f) }

func (b *bench) close() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func (b *bench) run(ctx context.Context, d time.Duration, levels []int) error {
	b.http = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}
	b.waiters, b.early, b.routed = map[string]chan string{}, map[string]string{}, map[string]time.Time{}
	root, err := routertest.RepoRoot()
	if err != nil {
		return err
	}
	work := filepath.Join(root, ".dizhtime", "orders-bench")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	fmt.Printf("orders-bench: %d CPUs, %s, duration %s per level, clients %v\n", runtime.NumCPU(), runtime.Version(), d, levels)
	fmt.Printf("start: %s", uptime())

	logf("building the router and the wallet")
	routerBin, walletBin := filepath.Join(work, "router"), filepath.Join(work, "wallet")
	for bin, pkg := range map[string]string{routerBin: "./router/cmd/router", walletBin: "./subgraphs/wallet/cmd/wallet"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}

	// PostgreSQL schemas for orders and the wallet.
	admin, err := postgres.Open(ctx, endpoints.Postgres(), postgres.WithMaxConns(2))
	if err != nil {
		return fmt.Errorf("PostgreSQL at %s (deploy/local/services.sh up postgres): %w", endpoints.Postgres(), err)
	}
	b.onClose(admin.Close)
	suffix := strings.ToLower(rand.Text()[:8])
	ordersSchema, walletSchema := "orders_bench_"+suffix, "wallet_bench_"+suffix
	for _, s := range []string{ordersSchema, walletSchema} {
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+s); err != nil {
			return err
		}
		b.onClose(func() { _, _ = admin.Exec(context.Background(), "DROP SCHEMA "+s+" CASCADE") })
	}

	logf("starting restaurants (in-process, FerretDB at %s)", endpoints.Mongo())
	if b.rest, err = liverestaurants.Start(ctx, endpoints.Mongo()); err != nil {
		return err
	}
	b.onClose(b.rest.Close)
	b.staff = authz.Identity{UserID: "staff-" + suffix, Roles: []authz.Role{authz.RoleRestaurantStaff}}

	logf("starting wallet serve")
	if err := b.startWallet(ctx, walletBin, work, walletSchema, suffix); err != nil {
		return err
	}

	logf("starting orders (in-process)")
	ordersURL, err := b.startOrders(ctx, ordersSchema, suffix)
	if err != nil {
		return err
	}

	logf("starting the router")
	if err := b.startIssuer(); err != nil {
		return err
	}
	if err := b.startRouter(ctx, routerBin, work, ordersURL, root); err != nil {
		return err
	}

	// The restaurant dashboard through the router: every order's PAID arrives here. The
	// same subscription on the orders subgraph directly tells the router's share.
	if err := b.watchDashboard(ctx, b.routerWS, false); err != nil {
		return err
	}
	if err := b.watchDashboard(ctx, "ws"+strings.TrimPrefix(ordersURL, "http"), true); err != nil {
		return err
	}

	total := 0
	for _, n := range levels {
		total += n
	}
	logf("topping up %d customers through the wallet's GraphQL", total+1)
	customers := make([]authz.Identity, total+1)
	for i := range customers {
		customers[i] = authz.Identity{UserID: fmt.Sprintf("bench-%s-%03d", suffix, i), Roles: []authz.Role{authz.RoleCustomer}}
	}
	if err := b.topUp(ctx, customers); err != nil {
		return err
	}

	logf("warming up: waiting until the wallet's and orders' consumer groups listen")
	if err := b.warmUp(ctx, customers[total]); err != nil {
		return err
	}

	fmt.Println()
	fmt.Println("placeOrder -> PAID, closed loop, each client one customer; latencies in ms")
	fmt.Printf("%-7s %6s %8s | %-17s | %-18s | %-17s | %-17s | %-6s %-6s | %-15s | %s\n", "clients", "PAID", "orders/s",
		"client p50/p99", "via router p50/p99", "server p50/p99", "placeOrder p50/p99", "failed", "errors", "via router seen", "load avg before -> after")
	next := 0
	for _, n := range levels {
		r, err := b.phase(ctx, d, customers[next:next+n])
		next += n
		if err != nil {
			return err
		}
		fmt.Printf("%-7d %6d %8.1f | %7.1f / %7.1f | %7.1f / %8.1f | %7.1f / %7.1f | %7.1f / %7.1f | %-6d %-6d | %15s | %s -> %s\n",
			n, r.paid, float64(r.paid)/d.Seconds(),
			pct(r.client, 50), pct(r.client, 99), pct(r.routed, 50), pct(r.routed, 99), pct(r.server, 50), pct(r.server, 99),
			pct(r.place, 50), pct(r.place, 99), r.failed, r.errors, fmt.Sprintf("%d/%d", len(r.routed), r.paid),
			r.loadBefore, r.loadAfter)
	}
	fmt.Printf("\nend: %s", uptime())
	return nil
}

type result struct {
	paid, failed, errors          int
	client, routed, server, place []time.Duration
	loadBefore, loadAfter         string
}

func (b *bench) phase(ctx context.Context, d time.Duration, customers []authz.Identity) (result, error) {
	var r result
	r.loadBefore = loadavg()
	var mu sync.Mutex
	var ids []string
	starts := map[string]time.Time{}
	var errs atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i, c := range customers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			token := b.token(c)
			for k := 0; time.Now().Before(deadline) && ctx.Err() == nil; k++ {
				start := time.Now()
				id, outcome, placed, err := b.placeAndWait(ctx, token, fmt.Sprintf("p%d-c%d-%d", len(customers), i, k))
				done := time.Now()
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					time.Sleep(100 * time.Millisecond)
					continue
				}
				mu.Lock()
				r.place = append(r.place, placed)
				switch {
				case outcome != "PAID":
					r.failed++
				case done.Before(deadline.Add(time.Millisecond)):
					r.paid++
					r.client = append(r.client, done.Sub(start))
					ids = append(ids, id)
					starts[id] = start
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.errors = int(errs.Load())
	// The router's copy of the dashboard lags (see the package doc): give it a moment.
	for wait := time.Now().Add(10 * time.Second); time.Now().Before(wait); time.Sleep(100 * time.Millisecond) {
		b.mu.Lock()
		n := 0
		for id := range starts {
			if _, ok := b.routed[id]; ok {
				n++
			}
		}
		b.mu.Unlock()
		if n == len(starts) {
			break
		}
	}
	b.mu.Lock()
	for id, st := range starts {
		if at, ok := b.routed[id]; ok {
			r.routed = append(r.routed, at.Sub(st))
		}
	}
	b.mu.Unlock()
	if e := firstErr.Load(); e != nil {
		logf("%d clients: first error: %s", len(customers), e)
	}
	r.loadAfter = loadavg()
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	// Server side: the PAID transition's time minus the PLACED one's, as orders recorded them.
	rows, err := b.pool.Query(ctx, `SELECT extract(epoch FROM p.at - o.at) FROM order_transitions o
		JOIN order_transitions p ON p.order_id = o.order_id AND p.to_status = 'PAID'
		WHERE o.seq = 1 AND o.order_id = ANY($1::uuid[])`, ids)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var s float64
		if err := rows.Scan(&s); err != nil {
			return r, err
		}
		r.server = append(r.server, time.Duration(s*float64(time.Second)))
	}
	return r, rows.Err()
}

const placeMutation = `mutation($in: PlaceOrderInput!, $key: String!) { placeOrder(input: $in, idempotencyKey: $key) { id status } }`

// placeAndWait places one order through the router and waits for its payment outcome on
// the dashboard; placed is placeOrder's round trip.
func (b *bench) placeAndWait(ctx context.Context, token, key string) (id, outcome string, placed time.Duration, err error) {
	m := b.rest.Menu
	in := map[string]any{"restaurantId": b.rest.RestaurantID,
		"lines": []any{
			map[string]any{"menuItemId": m.Plov, "quantity": 1, "optionIds": []string{m.Regular}},
			map[string]any{"menuItemId": m.Non, "quantity": 2},
		},
		"deliveryAddress":  map[string]any{"line1": "Amir Temur 1", "city": "Tashkent"},
		"deliveryLocation": map[string]any{"lat": 41.31, "lng": 69.28}}
	start := time.Now()
	resp, err := b.post(ctx, b.router, placeMutation, map[string]any{"in": in, "key": key},
		http.Header{"Authorization": {"Bearer " + token}})
	placed = time.Since(start)
	if err != nil {
		return "", "", placed, err
	}
	if len(resp.Errors) > 0 {
		return "", "", placed, fmt.Errorf("placeOrder: %+v", resp.Errors)
	}
	var data struct{ PlaceOrder struct{ ID, Status string } }
	if err := resp.Decode(&data); err != nil {
		return "", "", placed, err
	}
	id = data.PlaceOrder.ID
	ch := b.wait(id)
	select {
	case outcome = <-ch:
		return id, outcome, placed, nil
	case <-time.After(30 * time.Second):
		b.forget(id)
		return id, "", placed, fmt.Errorf("order %s: no payment outcome on the dashboard within 30s", id)
	case <-ctx.Done():
		return id, "", placed, ctx.Err()
	}
}

func (b *bench) wait(id string) <-chan string {
	ch := make(chan string, 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if o, ok := b.early[id]; ok {
		delete(b.early, id)
		ch <- o
		return ch
	}
	b.waiters[id] = ch
	return ch
}

func (b *bench) forget(id string) {
	b.mu.Lock()
	delete(b.waiters, id)
	b.mu.Unlock()
}

func (b *bench) deliver(id, outcome string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ch, ok := b.waiters[id]; ok {
		delete(b.waiters, id)
		ch <- outcome
		return
	}
	if len(b.early) > 100_000 {
		clear(b.early)
	}
	b.early[id] = outcome
}

// watchDashboard subscribes to the restaurant's dashboard at wsURL (the router, or the
// orders subgraph itself when direct) and hands each payment outcome on.
func (b *bench) watchDashboard(ctx context.Context, wsURL string, direct bool) error {
	// Through the router the token goes in connection_init; the subgraph itself takes
	// the forwarded identity headers on the upgrade request, as the router sends them.
	init := map[string]any{"Authorization": "Bearer " + b.token(b.staff)}
	h := http.Header{}
	if direct {
		init = nil
		authz.SetHeaders(h, b.staff)
	}
	sub, err := subscribe(ctx, wsURL, h, init,
		`subscription($r: ID!) { restaurantOrders(restaurantId: $r) { transition { sequence to } order { id } } }`,
		map[string]any{"r": b.rest.RestaurantID})
	if err != nil {
		return fmt.Errorf("restaurantOrders subscription at %s: %w", wsURL, err)
	}
	b.onClose(func() { _ = sub.Close(websocket.StatusNormalClosure, "") })
	go func() {
		for {
			var m wsMessage
			if err := wsjson.Read(ctx, sub, &m); err != nil {
				return
			}
			switch m.Type {
			case "ping":
				_ = wsjson.Write(ctx, sub, wsMessage{Type: "pong"})
				continue
			case "pong", "ka":
				continue
			case "next":
			default:
				logf("dashboard subscription at %s: %s %s", wsURL, m.Type, m.Payload)
				continue
			}
			var ev routertest.Response
			if err := json.Unmarshal(m.Payload, &ev); err != nil || len(ev.Errors) > 0 {
				logf("dashboard subscription error at %s: %s", wsURL, m.Payload)
				continue
			}
			var data struct {
				RestaurantOrders struct {
					Transition struct{ To string }
					Order      struct{ ID string }
				}
			}
			if err := json.Unmarshal(ev.Data, &data); err != nil {
				continue
			}
			id, to := data.RestaurantOrders.Order.ID, data.RestaurantOrders.Transition.To
			switch {
			case !direct && to == "PAID":
				b.mu.Lock()
				b.routed[id] = time.Now()
				b.mu.Unlock()
			case direct && (to == "PAID" || to == "PAYMENT_FAILED"):
				b.deliver(id, to)
			}
		}
	}()
	return nil
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// subscribe opens a graphql-transport-ws subscription (as routertest.Subscribe does,
// with headers on the upgrade request too).
func subscribe(ctx context.Context, wsURL string, h http.Header, init map[string]any, query string, vars map[string]any) (*websocket.Conn, error) {
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	var payload json.RawMessage
	if init != nil {
		payload, _ = json.Marshal(init)
	}
	if err := wsjson.Write(ctx, conn, wsMessage{Type: "connection_init", Payload: payload}); err != nil {
		conn.CloseNow()
		return nil, err
	}
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			conn.CloseNow()
			return nil, fmt.Errorf("waiting for connection_ack: %w", err)
		}
		if m.Type == "connection_ack" {
			break
		}
	}
	sub, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err := wsjson.Write(ctx, conn, wsMessage{ID: "1", Type: "subscribe", Payload: sub}); err != nil {
		conn.CloseNow()
		return nil, err
	}
	return conn, nil
}

// warmUp places an order a second until one is PAID: then the wallet's order.created
// group and orders' payment groups (which start at the topics' ends) are listening.
func (b *bench) warmUp(ctx context.Context, c authz.Identity) error {
	token := b.token(c)
	results := make(chan error, 1)
	deadline := time.Now().Add(120 * time.Second)
	for k := 0; time.Now().Before(deadline); k++ {
		go func() {
			_, outcome, _, err := b.placeAndWait(ctx, token, fmt.Sprintf("warm-%d", k))
			if err == nil && outcome != "PAID" {
				err = fmt.Errorf("warm-up order %s", outcome)
			}
			select {
			case results <- err:
			default:
			}
		}()
		select {
		case err := <-results:
			if err == nil {
				logf("warm: an order was paid")
				return nil
			}
			return err
		case <-time.After(time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.New("no warm-up order was paid within 120s")
}

func (b *bench) startOrders(ctx context.Context, schema, suffix string) (string, error) {
	pool, err := postgres.Open(ctx, endpoints.Postgres(), func(c *pgxpool.Config) {
		c.ConnConfig.RuntimeParams["search_path"] = schema
		c.MaxConns = 32
	})
	if err != nil {
		return "", err
	}
	b.onClose(pool.Close)
	b.pool = pool
	cfg := service.DefaultConfig()
	cfg.RestaurantsURL = b.rest.URL
	cfg.IdentityURL = "http://127.0.0.1:1" // unused: checks go to staffOnly
	cfg.ConsumerGroupPrefix = "orders-bench-" + suffix
	cfg.ConsumeFromBeginning = false
	cfg.AcceptanceTimeout = time.Hour
	cfg.DeliveryFeeMinor = 1_000_000
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, err := service.New(ctx, cfg, pool, staffOnly{restaurant: b.rest.RestaurantID, subject: b.staff.Subject()}, logger)
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: svc.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	runCtx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, c := range svc.Components {
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.Run(runCtx) }()
	}
	b.onClose(func() { _ = srv.Close(); cancel(); wg.Wait(); _ = svc.Close() })
	return "http://" + ln.Addr().String() + "/query", nil
}

// staffOnly answers relation checks: the bench's staff member works at the restaurant.
type staffOnly struct{ restaurant, subject string }

func (s staffOnly) Check(_ context.Context, t authz.Tuple) (bool, error) {
	return t.Namespace == "restaurant" && t.Object == s.restaurant && t.Relation == "staff" && t.Subject == s.subject, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (b *bench) startWallet(ctx context.Context, bin, work, schema, suffix string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	pg := endpoints.Postgres()
	sep := "?"
	if strings.Contains(pg, "?") {
		sep = "&"
	}
	logPath := filepath.Join(work, "wallet.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"DIZHTIME_HTTP_ADDR="+addr,
		"DIZHTIME_POSTGRES_URL="+pg+sep+"search_path="+url.QueryEscape(schema),
		"DIZHTIME_KAFKA_BROKERS="+strings.Join(endpoints.Kafka(), ","),
		"DIZHTIME_WALLET_CONSUMER_GROUP_PREFIX=wallet-bench-"+suffix,
		"DIZHTIME_WALLET_CONSUME_FROM_LATEST=true",
		"DIZHTIME_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	b.onClose(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		_ = logFile.Close()
	})
	base := "http://" + addr
	for deadline := time.Now().Add(60 * time.Second); ; {
		if resp, err := b.http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				b.wallet = base + "/query"
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("wallet serve exited before it was ready; see %s", logPath)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wallet serve not ready within 60s; see %s", logPath)
		}
	}
}

const topUpAmount = 5_000_000_000 // ...0000: the sandbox gateway credits at once

func (b *bench) topUp(ctx context.Context, customers []authz.Identity) error {
	for _, c := range customers {
		h := http.Header{}
		authz.SetHeaders(h, c)
		resp, err := b.post(ctx, b.wallet, `mutation($a: WalletMoneyInput!, $k: String!) { topUp(amount: $a, idempotencyKey: $k) { id status } }`,
			map[string]any{"a": map[string]any{"amountMinor": topUpAmount, "currency": liverestaurants.Currency}, "k": "bench-topup"}, h)
		if err != nil {
			return err
		}
		if len(resp.Errors) > 0 {
			return fmt.Errorf("topUp %s: %+v", c.UserID, resp.Errors)
		}
	}
	for _, c := range customers {
		h := http.Header{}
		authz.SetHeaders(h, c)
		for deadline := time.Now().Add(30 * time.Second); ; {
			resp, err := b.post(ctx, b.wallet, `query($u: ID!) { wallet(userId: $u) { balances { amountMinor currency } } }`,
				map[string]any{"u": c.UserID}, h)
			if err != nil {
				return err
			}
			if strings.Contains(string(resp.Data), strconv.Itoa(topUpAmount)) {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s's top-up was not credited within 30s: %s %+v", c.UserID, resp.Data, resp.Errors)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// startIssuer serves an Ed25519 JWKS the router trusts, as routertest.NewIssuer does.
func (b *bench) startIssuer() error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	b.key = priv
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA",
		"use": "sig", "kid": "bench-1", "x": base64.RawURLEncoding.EncodeToString(pub)}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	})}
	go func() { _ = srv.Serve(ln) }()
	b.onClose(func() { _ = srv.Close() })
	b.jwks = "http://" + ln.Addr().String()
	return nil
}

const (
	tokenIssuer   = "https://identity.orders-bench"
	tokenAudience = "dizhtime"
)

func (b *bench) token(id authz.Identity) string {
	roles := make([]string, len(id.Roles))
	for i, r := range id.Roles {
		roles[i] = string(r)
	}
	enc := func(v any) string { j, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(j) }
	now := time.Now()
	input := enc(map[string]string{"alg": "EdDSA", "typ": "JWT", "kid": "bench-1"}) + "." +
		enc(map[string]any{"sub": id.UserID, "roles": roles, "iss": tokenIssuer, "aud": tokenAudience,
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(b.key, []byte(input)))
}

var listening = regexp.MustCompile(`router listening on (http://\S+)`)

// startRouter runs `router serve` in front of orders as platform/routertest.Start does.
func (b *bench) startRouter(ctx context.Context, bin, work, ordersURL, root string) error {
	supergraph, routerYAML := filepath.Join(work, "supergraph.yaml"), filepath.Join(work, "router.yaml")
	sg := fmt.Sprintf("subgraphs:\n  - name: orders\n    routing_url: %s\n    subscription: {url: %s, protocol: graphql-transport-ws}\n    schema: {file: %q}\n",
		ordersURL, "ws"+strings.TrimPrefix(ordersURL, "http"), filepath.Join(root, "schema", "orders.graphqls"))
	if err := os.WriteFile(supergraph, []byte(sg), 0o644); err != nil {
		return err
	}
	ry := fmt.Sprintf("listen_addr: 127.0.0.1:0\nsupergraph_file: %q\n%s", supergraph,
		routertest.AuthYAML(b.jwks, tokenIssuer, tokenAudience))
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

func (b *bench) post(ctx context.Context, endpoint, query string, vars map[string]any, h http.Header) (*routertest.Response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var out routertest.Response
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("status %d, not a GraphQL response: %.200s", resp.StatusCode, raw)
	}
	out.Status = resp.StatusCode
	return &out, nil
}

func pct(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	i = max(0, min(i, len(s)-1))
	return float64(s[i].Microseconds()) / 1000
}

func loadavg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func uptime() string {
	out, err := exec.Command("uptime").Output()
	if err != nil {
		return "load average " + loadavg() + "\n"
	}
	return string(out)
}
