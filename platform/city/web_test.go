package city

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// TestWebCustomer_aCustomerOrdersInTheBrowserAndWatchesItDelivered runs the customer app
// (web/apps/customer, built by `make web-build`) in Debian's chromium through playwright-core
// (web/e2e/customer.mjs) against the real platform: the customer signs up, tops up, searches
// "piza", builds a cart with options, pays from the wallet and watches the order page move
// to DELIVERED while this test plays the restaurant and the courier through the API. The
// app is served from its own port; the router allows that origin (CORS).
//
// On the way it filters the search by distance (a second pizzeria ~2.3 km away is out within
// 1 km, in within 3 km), shows the hits and then the order on the offline city map (Leaflet
// drawing the demo city's H3 cells and the moving courier), and loses its connection: the
// browser reaches the router through a TCP proxy this test cuts once the order is PAID; the
// restaurant accepts while the browser is cut off; the page must say it is offline,
// reconnect, resume orderUpdated from the last transition it had (since) and show every
// status once, in order.
func TestWebCustomer_aCustomerOrdersInTheBrowserAndWatchesItDelivered(t *testing.T) {
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dist := filepath.Join(root, "web", "apps", "customer", "dist")
	script := filepath.Join(root, "web", "e2e", "customer.mjs")
	chromium := browserReady(t, root, "customer")

	// The app's own origin, known before the router starts so that its CORS allows it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	appOrigin := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: http.FileServer(http.Dir(dist)), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	t.Setenv("DIZHTIME_ROUTER_CORS_ALLOWED_ORIGINS", appOrigin)
	proxy, err := newCutProxy()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.close)

	// The stack's binaries are built as it starts: that build is kept out of the browser
	// part's deadline (a loaded machine builds slowly); the processes live as long as boot.
	boot, stop := context.WithTimeout(context.Background(), 25*time.Minute)
	defer stop()
	city := startRealCity(t, boot)
	ctx, cancel := context.WithTimeout(boot, 6*time.Minute)
	defer cancel()
	c := city.client

	admin := must(c.Register(ctx, city.run+"-admin@dizhtime.test", password, "Admin"))(t, "register admin")
	if err := GrantAdminWith(city.Stack)(ctx, admin.Email); err != nil {
		t.Fatal(err)
	}
	admin = must(c.Login(ctx, admin.Email, password))(t, "admin signs in again")
	// In the demo city's outskirts (its map cells reach 13 km from the centre), more than
	// 3 km from any restaurant the demo city seeds: runs that seed it (make run, other
	// stacks) publish their restaurants on the shared Kafka topics, this run's search indexes
	// them, and a hit this run's restaurants subgraph does not know fails the search. The
	// browser searches within 3 km and then 1 km of here. Couriers and dispatch keys are
	// this run's own.
	centre := Offset(Tashkent, 8200+200*rand.Float64(), 8200+200*rand.Float64())
	owner := must(c.Register(ctx, city.run+"-owner@dizhtime.test", password, "Owner"))(t, "register owner")
	if err := admin.AssignRole(ctx, owner.UserID, "RESTAURANT_OWNER"); err != nil {
		t.Fatal(err)
	}
	owner = must(c.Login(ctx, owner.Email, password))(t, "owner signs in again")
	pizzeriaAt := Offset(centre, 600, 400)
	name := "Pizzeria " + city.run
	restaurantID := must(owner.CreateRestaurant(ctx, NewRestaurant{
		Name: name, Cuisines: []string{"pizza", "italian"}, At: pizzeriaAt,
		Dishes: []NewDish{{Name: "Pizza Margherita", PriceMinor: 65_000}},
	}))(t, "create the pizzeria")
	if err := putMenuWithOptions(ctx, owner, restaurantID); err != nil {
		t.Fatal(err)
	}
	farName := "Pizza Lontano " + city.run
	farAt := Offset(centre, 1800, 1500)
	must(owner.CreateRestaurant(ctx, NewRestaurant{
		Name: farName, Cuisines: []string{"pizza", "italian"}, At: farAt,
		Dishes: []NewDish{{Name: "Pizza Diavola", PriceMinor: 70_000}},
	}))(t, "create the far pizzeria")
	t.Logf("the customer at %+v; pizzerias %.0f m and %.0f m away", centre, DistanceMeters(centre, pizzeriaAt), DistanceMeters(centre, farAt))

	driver := must(c.Register(ctx, city.run+"-driver@dizhtime.test", password, "Driver"))(t, "register driver")
	if err := admin.AssignRole(ctx, driver.UserID, "DRIVER"); err != nil {
		t.Fatal(err)
	}
	driver = must(c.Login(ctx, driver.Email, password))(t, "driver signs in again")
	driverAt := Offset(pizzeriaAt, -700, 300)
	if err := driver.GoOnline(ctx, driverAt); err != nil {
		t.Fatal(err)
	}
	offers := must(driver.Subscribe(ctx, OffersSubscription, nil))(t, "subscribe to driverOffers")
	defer offers.Close()
	// The courier's app pings its position until an offer comes: dispatch drops a courier
	// silent for 30 s, and on a loaded machine the browser's sign-up, top-up, search and
	// cart take longer than that.
	pinging, stopPinging := context.WithCancel(ctx)
	pinged := make(chan struct{})
	go func(at Point) {
		defer close(pinged)
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-pinging.Done():
				return
			case <-tick.C:
				if err := driver.UpdateLocation(pinging, at); err != nil && pinging.Err() == nil {
					t.Logf("courier ping: %v", err)
				}
			}
		}
	}(driverAt)
	stopPings := func() { stopPinging(); <-pinged }
	defer stopPings()

	routerURL, err := url.Parse(city.RouterURL)
	if err != nil {
		t.Fatal(err)
	}
	proxyURL, err := proxy.start(routerURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	proxyURL += routerURL.Path
	artifacts := filepath.Join(root, "web", "e2e", "artifacts", city.run)
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = filepath.Join(root, "web")
	cmd.Env = append(os.Environ(),
		"WEB_E2E_APP_URL="+appOrigin+"/index.html?router="+proxyURL,
		"WEB_E2E_EMAIL="+city.run+"-customer@dizhtime.test",
		"WEB_E2E_PASSWORD="+password,
		"WEB_E2E_RESTAURANT="+name,
		"WEB_E2E_FAR_RESTAURANT="+farName,
		"WEB_E2E_LAT="+strconv.FormatFloat(centre.Lat, 'f', -1, 64),
		"WEB_E2E_LNG="+strconv.FormatFloat(centre.Lng, 'f', -1, 64),
		"WEB_E2E_ARTIFACTS="+artifacts,
		"WEB_E2E_CHROMIUM="+chromium,
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()

	// The restaurant and the courier act once the browser shows the order PAID; the time
	// each step's mutation returned is kept to measure how long the page took to show it.
	var customer *Session
	orderID, cancelledID := "", ""
	acted := &stamps{m: map[string]time.Time{}}
	seen := &stamps{m: map[string]time.Time{}} // when the page showed each status
	verdict := ""
	played := make(chan error, 1)
	offline := make(chan struct{})
	offlineSeen := false
	for line := range lines {
		t.Log("browser: " + line)
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "SIGNEDUP":
			// Points to pay part of the order with: the admin grants them (a new customer has none).
			customer = must(c.Login(ctx, city.run+"-customer@dizhtime.test", password))(t, "customer signs in through the API")
			if err := admin.Do(ctx, `mutation G($u: ID!, $a: WalletMoneyInput!, $k: String!) { adminAdjustBalance(userId: $u, amount: $a, reason: "web test points", idempotencyKey: $k) { transactionId } }`,
				map[string]any{"u": customer.UserID, "a": map[string]any{"amountMinor": "500", "currency": "PTS"}, "k": city.run + "-points"}, nil); err != nil {
				t.Errorf("grant points: %v", err)
				cancel()
			}
		case f[0] == "PAID" && len(f) == 2:
			orderID = f[1]
			// Cut the browser off; once its page says so, the restaurant accepts (through the
			// router directly), then the connection comes back.
			proxy.cut()
			go func(orderID string) {
				whileOffline := func() error {
					select {
					case <-offline:
					case <-time.After(30 * time.Second):
						proxy.restore()
						return fmt.Errorf("the order page did not show it was offline within 30 s of the cut")
					}
					return nil
				}
				err := playRestaurantAndCourier(ctx, owner, driver, offers, &driverAt, orderID, acted, seen, stopPings, whileOffline, proxy.restore)
				if err != nil {
					cancel() // the browser cannot see the order delivered now: stop it
				}
				played <- err
			}(f[1])
		case f[0] == "SEEN" && len(f) == 3:
			ms, _ := strconv.ParseInt(f[2], 10, 64)
			seen.setAt(f[1], time.UnixMilli(ms))
			if f[1] == "OFFLINE" && !offlineSeen {
				offlineSeen = true
				close(offline)
			}
		case f[0] == "CANCELLED" && len(f) == 2:
			cancelledID = f[1]
		case f[0] == "PASS", f[0] == "FAIL":
			verdict = line
		}
	}
	werr := cmd.Wait()
	var playErr error
	if _, ok := seen.get("PAID"); ok {
		playErr = <-played
	}
	if playErr != nil {
		t.Errorf("the restaurant and the courier: %v", playErr)
	}
	if verdict != "PASS" || werr != nil {
		t.Fatalf("browser test: %q (exit: %v)\nstderr:\n%s", verdict, werr, stderr.String())
	}
	// The order as the API has it: delivered, paid partly with the granted points.
	var o struct {
		Order struct {
			Status         string
			PointsRedeemed int
			Total          Money
		}
	}
	if err := customer.Do(ctx, `query O($id: ID!) { order(id: $id) { status pointsRedeemed total { amountMinor currency } } }`, map[string]any{"id": orderID}, &o); err != nil {
		t.Fatal(err)
	}
	if o.Order.Status != "DELIVERED" || o.Order.PointsRedeemed <= 0 || o.Order.PointsRedeemed > 500 {
		t.Errorf("order = %+v; want DELIVERED with 1..500 points redeemed", o.Order)
	}
	// The second order, cancelled from its page before the restaurant accepted: the API has
	// it CANCELLED and its wallet payment refunded in full.
	var co struct {
		Order struct {
			Status  string
			Payment struct {
				Status               string
				AmountPaidFromWallet walletMoney
				Refunded             walletMoney
			}
		}
	}
	if err := customer.Do(ctx, `query O($id: ID!) { order(id: $id) { status payment { status amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } } } }`, map[string]any{"id": cancelledID}, &co); err != nil {
		t.Fatal(err)
	}
	if co.Order.Status != "CANCELLED" || co.Order.Payment.Refunded.money().AmountMinor <= 0 || co.Order.Payment.Refunded != co.Order.Payment.AmountPaidFromWallet {
		t.Errorf("cancelled order = %+v; want CANCELLED with its wallet payment refunded", co.Order)
	}
	// ACCEPTED happens while the browser is cut off: it shows after the reconnect, which is
	// measured instead.
	for _, s := range []string{"PREPARING", "READY_FOR_PICKUP", "PICKED_UP", "DELIVERED"} {
		if a, ok := acted.get(s); ok {
			if shown, ok := seen.get(s); ok {
				t.Logf("figure: %s shown by the order page %d ms after its mutation returned", s, shown.Sub(a).Milliseconds())
			}
		}
	}
	if r, ok := acted.get("RESTORED"); ok {
		back, okBack := seen.get("ONLINE_AGAIN")
		accepted, okAccepted := seen.get("ACCEPTED")
		if okBack && okAccepted {
			t.Logf("figure: the page back online %d ms after the connection was restored (graphql-ws retry backoff), ACCEPTED (missed while offline) shown %d ms after it",
				back.Sub(r).Milliseconds(), accepted.Sub(r).Milliseconds())
		}
	}
	t.Logf("screenshots in %s", artifacts)
}

// putMenuWithOptions replaces the pizzeria's menu with one whose Margherita has a required
// size and optional extras (at most two).
func putMenuWithOptions(ctx context.Context, owner *Session, restaurantID string) error {
	var r struct {
		Restaurant struct{ Menu struct{ Version int } }
	}
	if err := owner.Do(ctx, `query V($id: ID!) { restaurant(id: $id) { menu { version } } }`, map[string]any{"id": restaurantID}, &r); err != nil {
		return err
	}
	uzs := func(n int) map[string]any { return map[string]any{"amountMinor": n, "currency": "UZS"} }
	return owner.Do(ctx, `mutation M($id: ID!, $v: Int!, $menu: MenuInput!) { updateMenu(restaurantId: $id, expectedMenuVersion: $v, menu: $menu) { id } }`,
		map[string]any{"id": restaurantID, "v": r.Restaurant.Menu.Version, "menu": map[string]any{"categories": []any{map[string]any{
			"name": "Pizza", "items": []any{map[string]any{
				"name": "Pizza Margherita", "description": "Tomato, mozzarella, basil.", "price": uzs(65_000),
				"optionGroups": []any{
					map[string]any{"name": "Size", "minChoices": 1, "maxChoices": 1, "options": []any{
						map[string]any{"name": "Small", "priceDelta": uzs(0)}, map[string]any{"name": "Large", "priceDelta": uzs(20_000)}}},
					map[string]any{"name": "Extras", "minChoices": 0, "maxChoices": 2, "options": []any{
						map[string]any{"name": "Olives", "priceDelta": uzs(5_000)}, map[string]any{"name": "Basil", "priceDelta": uzs(2_000)}}},
				},
			}},
		}}}}, nil)
}

// playRestaurantAndCourier moves a PAID order to DELIVERED the way the journey does.
// waitOffline runs before the first step (the test cut the browser off at PAID); the
// restaurant accepts while the page is offline and restore brings the connection back, so the
// page learns of ACCEPTED only by resuming orderUpdated. The kitchen starts preparing once the
// page showed the order accepted, as a kitchen takes more than the milliseconds between two
// mutations (the page would show PREPARING straight away). stopPings ends the courier's pings
// (and waits for the last) before it moves.
func playRestaurantAndCourier(ctx context.Context, owner, driver *Session, offers *routertest.Subscription, driverAt *Point, orderID string, acted, seen *stamps, stopPings func(), waitOffline func() error, restore func()) error {
	move := func(m, status string) error {
		if _, err := owner.MoveOrder(ctx, m, orderID); err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
		acted.set(status)
		return nil
	}
	if err := waitOffline(); err != nil {
		return err
	}
	err := move("acceptOrder", "ACCEPTED")
	time.Sleep(time.Second) // the browser stays cut off a moment past the transition
	restore()
	acted.set("RESTORED")
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, ok := seen.get("ACCEPTED"); ok || time.Now().After(deadline) {
			break // past the deadline the page's own check reports what it missed
		}
	}
	if err := move("markPreparing", "PREPARING"); err != nil {
		return err
	}
	ctxOffer, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		r, err := offers.Next(ctxOffer)
		if err != nil {
			return fmt.Errorf("no offer of %s: %w", orderID, err)
		}
		var d struct{ DriverOffers Offer }
		if err := r.Decode(&d); err != nil {
			return err
		}
		if d.DriverOffers.OrderID == orderID {
			break
		}
	}
	stopPings()
	delivery, err := driver.AcceptOffer(ctx, orderID)
	if err != nil {
		return err
	}
	walk := func(dest Point) error {
		for arrived := false; !arrived; {
			*driverAt, arrived = Toward(*driverAt, dest, 250)
			if err := driver.UpdateLocation(ctx, *driverAt); err != nil {
				return err
			}
			time.Sleep(300 * time.Millisecond)
		}
		return nil
	}
	if err := walk(delivery.Pickup); err != nil {
		return err
	}
	if err := move("markReady", "READY_FOR_PICKUP"); err != nil {
		return err
	}
	time.Sleep(time.Second)
	if _, err := driver.MoveDelivery(ctx, "markPickedUp", delivery.ID); err != nil {
		return err
	}
	acted.set("PICKED_UP")
	if err := walk(delivery.Dropoff); err != nil {
		return err
	}
	if _, err := driver.MoveDelivery(ctx, "markDelivered", delivery.ID); err != nil {
		return err
	}
	acted.set("DELIVERED")
	return nil
}

// stamps is when each step's mutation returned, written by the scripted actors.
type stamps struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func (s *stamps) set(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = time.Now()
}

func (s *stamps) setAt(k string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = at
}

func (s *stamps) get(k string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok
}

// cutProxy stands between the browser and the router: a TCP relay the test can cut (every
// open connection closed, new ones refused) and restore, so the page loses its WebSocket the
// way a phone losing its network does.
type cutProxy struct {
	ln     net.Listener
	mu     sync.Mutex
	cutOff bool
	conns  map[net.Conn]bool
}

func newCutProxy() (*cutProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &cutProxy{ln: ln, conns: map[net.Conn]bool{}}, nil
}

// start relays to target (host:port) and returns the proxy's http:// URL.
func (p *cutProxy) start(target string) (string, error) {
	if _, _, err := net.SplitHostPort(target); err != nil {
		return "", fmt.Errorf("proxy target %q: %w", target, err)
	}
	go func() {
		for {
			c, err := p.ln.Accept()
			if err != nil {
				return
			}
			go p.relay(c, target)
		}
	}()
	return "http://" + p.ln.Addr().String(), nil
}

func (p *cutProxy) relay(c net.Conn, target string) {
	p.mu.Lock()
	if p.cutOff {
		p.mu.Unlock()
		_ = c.Close()
		return
	}
	p.conns[c] = true
	p.mu.Unlock()
	up, err := net.Dial("tcp", target)
	if err != nil {
		p.drop(c)
		return
	}
	p.mu.Lock()
	p.conns[up] = true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
	p.drop(c)
	p.drop(up)
}

func (p *cutProxy) drop(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

// cut closes every relayed connection and refuses new ones until restore.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cutOff = true
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cutOff = false
}

func (p *cutProxy) close() {
	_ = p.ln.Close()
	p.cut()
}
