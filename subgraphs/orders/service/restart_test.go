package service_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

var (
	ordersBinOnce sync.Once
	ordersBin     string
	ordersBinErr  error
)

// ordersBinary builds cmd/orders once per test process (under the git-ignored
// .dizhtime/ of the repository).
func ordersBinary(t *testing.T) string {
	t.Helper()
	ordersBinOnce.Do(func() {
		root, err := routertest.RepoRoot()
		if err != nil {
			ordersBinErr = err
			return
		}
		dir := filepath.Join(root, ".dizhtime", "orderstest")
		if ordersBinErr = os.MkdirAll(dir, 0o755); ordersBinErr != nil {
			return
		}
		ordersBin = filepath.Join(dir, fmt.Sprintf("orders-%d", os.Getpid()))
		cmd := exec.Command("go", "build", "-o", ordersBin, "./subgraphs/orders/cmd/orders")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			ordersBinErr = fmt.Errorf("go build ./subgraphs/orders/cmd/orders: %v\n%s", err, out)
		}
	})
	if ordersBinErr != nil {
		t.Fatal(ordersBinErr)
	}
	t.Cleanup(func() { _ = os.Remove(ordersBin) })
	return ordersBin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// child is `orders serve` running as a separate process, configured the way the dev
// supervisor configures it: DIZHTIME_* environment variables only.
type child struct {
	addr string
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan struct{}
}

// serveChild starts `orders serve` on addr against e's schema and waits for /readyz.
func (e *env) serveChild(t *testing.T, bin, addr string) *child {
	t.Helper()
	pg, err := url.Parse(endpoints.Postgres())
	if err != nil {
		t.Fatal(err)
	}
	q := pg.Query()
	q.Set("search_path", e.schema) // pgx passes unknown parameters to the server
	pg.RawQuery = q.Encode()
	c := &child{addr: addr, cmd: exec.Command(bin, "serve"), out: &bytes.Buffer{}, done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(),
		"DIZHTIME_SERVICE=orders",
		"DIZHTIME_HTTP_ADDR="+addr,
		"DIZHTIME_POSTGRES_URL="+pg.String(),
		"DIZHTIME_KAFKA_BROKERS="+strings.Join(endpoints.Kafka(), ","),
		"DIZHTIME_REDIS_ADDR=127.0.0.1:6379",
		"DIZHTIME_LOG_LEVEL=info",
		"DIZHTIME_RESTAURANTS_URL="+e.cfg.RestaurantsURL,
		"DIZHTIME_IDENTITY_URL="+e.cfg.IdentityURL,
		"DIZHTIME_ORDERS_CONSUMER_GROUP_PREFIX="+e.cfg.ConsumerGroupPrefix,
		"DIZHTIME_ORDERS_CONSUME_FROM_BEGINNING=false",
		"DIZHTIME_ORDERS_ACCEPTANCE_TIMEOUT="+e.cfg.AcceptanceTimeout.String(),
		"DIZHTIME_ORDERS_PAYMENT_TIMEOUT="+e.cfg.PaymentTimeout.String(),
		"DIZHTIME_ORDERS_DEADLINE_SCAN_INTERVAL="+e.cfg.DeadlineScanInterval.String(),
	)
	// Behind the test's router, the child believes only that router's signed identity.
	c.cmd.Env = append(c.cmd.Env, routertest.ChildServiceEnv(t, "orders")...)
	c.cmd.Env = append(c.cmd.Env,
		fmt.Sprintf("DIZHTIME_ORDERS_DELIVERY_FEE_MINOR=%d", e.cfg.DeliveryFeeMinor),
	)
	var mu sync.Mutex
	c.cmd.Stdout, c.cmd.Stderr = lockedWriter{&mu, c.out}, lockedWriter{&mu, c.out}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() {
			mu.Lock()
			t.Logf("orders child on %s:\n%s", addr, c.out.String())
			mu.Unlock()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c
			}
		}
		select {
		case <-c.done:
			t.Fatalf("orders serve exited before it was ready:\n%s", c.out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("orders serve not ready within 60s:\n%s", c.out.String())
		}
	}
}

// kill is kill -9: no shutdown hooks, no flushing, in-flight transactions abort.
func (c *child) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestSIGKILLOfOrdersMidSaga_theRestartedProcessResumesEverySaga(t *testing.T) {
	e := newEnv(t)
	e.cfg.AcceptanceTimeout = 10 * time.Second
	// The test is about resuming sagas, not payment deadlines: a loaded machine may take
	// minutes between placing and the restarted process reading the payment.
	e.cfg.PaymentTimeout = time.Hour
	bin := ordersBinary(t)
	addr := freeAddr(t)
	first := e.serveChild(t, bin, addr)
	r := routertest.Start(t, []routertest.Subgraph{{Name: "orders", URL: "http://" + addr + "/query", SDLFile: sdlFile(t)}},
		routertest.Options{RouterYAML: e.tokens.routerYAML()})
	e.waitForConsumers(t)
	e.waitForCommittedOffsets(t)
	staff := e.tokens.headers(e.staff)

	custA, custB := customer(), customer()
	a := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "a"}, e.tokens.headers(custA)), "placeOrder")
	b := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "b"}, e.tokens.headers(custB)), "placeOrder")
	e.publish(t, a.ID, contracts.PaymentSucceededV1{OrderID: a.ID, CustomerID: custA.UserID})
	waitStatus(t, r, e.tokens.headers(custA), a.ID, "PAID")

	first.kill()
	// B's payment arrives while no orders process runs: the restarted consumer takes it.
	e.publish(t, b.ID, contracts.PaymentSucceededV1{OrderID: b.ID, CustomerID: custB.UserID})
	restarted := time.Now()
	e.serveChild(t, bin, addr)

	// A's acceptance deadline runs since before the kill: the kitchen answers at once.
	// (The restarted consumers may first wait for Kafka to drop the killed process's
	// group members.)
	for _, m := range []string{"acceptOrder", "markPreparing", "markReady"} {
		wantNoErrors(t, r.Do(t, `mutation($id: ID!) { `+m+`(id: $id) { id status } }`, map[string]any{"id": a.ID}, staff))
	}
	e.publish(t, a.ID, contracts.DispatchAssignedV1{OrderID: a.ID, DriverID: "driver-1", RestaurantID: e.restaurant})
	// Upper case, as dispatch spelled it before the contract: still understood.
	e.publish(t, a.ID, contracts.DeliveryStatusChangedV1{DeliveryID: "dlv-" + a.ID, OrderID: a.ID, From: "ARRIVED_AT_PICKUP", To: "PICKED_UP", ChangedAt: time.Now()})
	e.publish(t, a.ID, contracts.DeliveryStatusChangedV1{DeliveryID: "dlv-" + a.ID, OrderID: a.ID, From: contracts.DeliveryArrivedAtDropoff, To: contracts.DeliveryDelivered, ChangedAt: time.Now()})
	final := waitStatus(t, r, e.tokens.headers(custA), a.ID, "DELIVERED")
	if len(final.Timeline) != 7 {
		t.Errorf("A's timeline %+v", final.Timeline)
	}

	waitStatus(t, r, e.tokens.headers(custB), b.ID, "PAID")
	// B was paid after the restart and never accepted: the restarted process's deadline
	// rejects it.
	rejected := waitStatus(t, r, e.tokens.headers(custB), b.ID, "REJECTED")
	last := rejected.Timeline[len(rejected.Timeline)-1]
	if last.Reason == nil || *last.Reason != "timeout" || last.Actor != "system:acceptance-deadline" {
		t.Errorf("B's last transition %+v", last)
	}

	// Exactly one event per transition (redelivered payment events changed nothing
	// twice), and the outbox relay of the restarted process sent every one.
	for id, want := range map[string]int{a.ID: 7, b.ID: 3} {
		var n, unsent int
		if err := e.pool.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE sent_at IS NULL)
			FROM outbox WHERE subject = $1`, id).Scan(&n, &unsent); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("order %s: %d outbox events, want %d", id, n, want)
		}
		deadline := time.Now().Add(10 * time.Second)
		for unsent > 0 && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			_ = e.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE subject = $1 AND sent_at IS NULL`, id).Scan(&unsent)
		}
		if unsent > 0 {
			t.Errorf("order %s: %d events never sent", id, unsent)
		}
	}
	var paidAt time.Time
	if err := e.pool.QueryRow(context.Background(), `SELECT at FROM order_transitions WHERE order_id = $1 AND to_status = 'PAID'`, b.ID).Scan(&paidAt); err != nil {
		t.Fatal(err)
	}
	if paidAt.Before(restarted) {
		t.Errorf("B was paid at %s, before the restart at %s", paidAt, restarted)
	}
}
