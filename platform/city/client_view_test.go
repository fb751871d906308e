package city

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// TestClientView_errorsAndLegacySubscriptionsAsAFrontEndMeetsThemThroughTheRouter plays what
// a front-end developer meets on the real stack through the router:
//   - a customer asking a restaurant's orders gets the restaurant, with only its orders null
//     and one FORBIDDEN error at [restaurant, orders] (no "Cannot return null" noise);
//   - a client on the legacy graphql-ws protocol (Apollo's subscriptions-transport-ws, run in
//     node from router/clients, installed by `make router-clients`) watching orderUpdated
//     right after placing an order sees PLACED and the payment's outcome (PAID or
//     PAYMENT_FAILED), with since: 0, and starts with the current status without it.
func TestClientView_errorsAndLegacySubscriptionsAsAFrontEndMeetsThemThroughTheRouter(t *testing.T) {
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	legacyClient := filepath.Join(root, "router", "clients", "legacy-subscribe.mjs")
	if _, err := os.Stat(filepath.Join(root, "router", "clients", "node_modules", "subscriptions-transport-ws")); err != nil {
		t.Fatalf("router/clients' npm packages are missing (make router-clients): %v", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not installed: %v", err)
	}
	// The stack builds its binaries inside this deadline (issue 18's first-run part moves that out).
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	city := startRealCity(t, ctx)
	c := city.client
	admin := must(c.Register(ctx, city.run+"-admin@dizhtime.test", password, "Admin"))(t, "register admin")
	if err := GrantAdminWith(city.Stack)(ctx, admin.Email); err != nil {
		t.Fatal(err)
	}
	admin = must(c.Login(ctx, admin.Email, password))(t, "admin signs in again")
	owner := must(c.Register(ctx, city.run+"-owner@dizhtime.test", password, "Owner"))(t, "register owner")
	if err := admin.AssignRole(ctx, owner.UserID, "RESTAURANT_OWNER"); err != nil {
		t.Fatal(err)
	}
	owner = must(c.Login(ctx, owner.Email, password))(t, "owner signs in again")
	centre := Offset(Point{Lat: -40 + 80*rand.Float64(), Lng: -150 + 300*rand.Float64()}, 0, 0)
	restaurantID := must(owner.CreateRestaurant(ctx, NewRestaurant{
		Name: "View " + city.run, Cuisines: []string{"pizza"}, At: centre,
		Dishes: []NewDish{{Name: "Pizza", PriceMinor: 50_000}},
	}))(t, "owner creates a restaurant")
	customer := must(c.Register(ctx, city.run+"-customer@dizhtime.test", password, "Customer"))(t, "register customer")

	t.Run("a customer asking a restaurant's orders gets the restaurant with only orders null", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{
			"query":     `query($id: ID!) { restaurant(id: $id) { id name orders(first: 5) { edges { node { id } } } } }`,
			"variables": map[string]any{"id": restaurantID},
		})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, city.RouterURL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+customer.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Data struct {
				Restaurant *struct {
					ID, Name string
					Orders   *json.RawMessage
				}
			}
			Errors []struct {
				Message    string
				Path       []any
				Extensions map[string]any
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		r := out.Data.Restaurant
		if r == nil || r.ID != restaurantID || r.Name != "View "+city.run || r.Orders != nil {
			t.Errorf("data.restaurant = %+v; want the restaurant with orders null", r)
		}
		if len(out.Errors) != 1 {
			t.Fatalf("errors = %+v; want exactly one FORBIDDEN at [restaurant orders]", out.Errors)
		}
		e := out.Errors[0]
		if e.Extensions["code"] != "FORBIDDEN" || !slices.Equal(e.Path, []any{"restaurant", "orders"}) || strings.Contains(e.Message, "Cannot return null") {
			t.Errorf("error = %+v; want FORBIDDEN at [restaurant orders]", e)
		}
		// The owner still gets the (empty) connection.
		var own struct {
			Restaurant struct{ Orders *struct{ Edges []any } }
		}
		if err := owner.Do(ctx, `query($id: ID!) { restaurant(id: $id) { orders(first: 5) { edges { node { id } } } } }`,
			map[string]any{"id": restaurantID}, &own); err != nil || own.Restaurant.Orders == nil {
			t.Errorf("the owner's restaurant orders = %+v, %v; want a connection", own, err)
		}
	})

	t.Run("a legacy graphql-ws client sees PLACED and the payment of an order it watches", func(t *testing.T) {
		if _, err := customer.TopUp(ctx, Money{AmountMinor: 1_000_000, Currency: "UZS"}, city.run+"-topup"); err != nil {
			t.Fatal(err)
		}
		eventually(t, ctx, "the top-up is credited", 3*time.Minute, func() (bool, error) {
			w, err := customer.Wallet(ctx)
			return w.Balances["UZS"] == 1_000_000, err
		})
		var menu struct {
			Restaurant struct {
				Menu struct {
					Categories []struct{ Items []struct{ ID string } }
				}
			}
		}
		if err := customer.Do(ctx, `query($id: ID!) { restaurant(id: $id) { menu { categories { items { id } } } } }`, map[string]any{"id": restaurantID}, &menu); err != nil || len(menu.Restaurant.Menu.Categories) == 0 {
			t.Fatalf("the menu: %+v, %v", menu, err)
		}
		dish := menu.Restaurant.Menu.Categories[0].Items[0].ID
		wsURL := "ws" + strings.TrimPrefix(city.RouterURL, "http")
		for i, since := range []string{"since: 0", ""} {
			order := must(customer.PlaceOrder(ctx, restaurantID, dish, 1, Offset(centre, 800, -600), city.run+"-order-"+string(rune('a'+i))))(t, "placeOrder")
			args := `id: "` + order.ID + `"`
			if since != "" {
				args += ", " + since
			}
			// Subscribed right after placing, as an app's order page does.
			events := legacySubscribe(t, ctx, legacyClient, wsURL, customer.Token,
				`subscription { orderUpdated(`+args+`) { transition { sequence to } order { id status } } }`, 40*time.Second,
				func(seen []string) bool {
					return slices.Contains(seen, "PAID") || slices.Contains(seen, "PAYMENT_FAILED")
				})
			t.Logf("orderUpdated(%s) over the legacy protocol: %v", args, events)
			// The payment's outcome is the wallet's (PAID, or PAYMENT_FAILED when this run's
			// wallet declines): what matters here is that the client sees it, and PLACED before.
			paid := func(to string) bool { return to == "PAID" || to == "PAYMENT_FAILED" }
			if since != "" {
				if len(events) < 2 || events[0] != "PLACED" || !paid(events[1]) {
					t.Errorf("orderUpdated(%s): transitions %v; want PLACED then the payment's outcome", args, events)
				}
			} else if len(events) == 0 || (events[0] != "PLACED" && !paid(events[0])) || !slices.ContainsFunc(events, paid) {
				t.Errorf("orderUpdated(%s): transitions %v; want the current status first, then up to the payment's outcome", args, events)
			}
		}
	})
}

// legacySubscribe runs the legacy-protocol client until done says so (or within passes),
// and returns the transitions' "to" it saw, in order. An error frame fails the test.
func legacySubscribe(t *testing.T, ctx context.Context, script, url, token, query string, within time.Duration, done func([]string) bool) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, within+10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script, url, token, query, "{}", strings.TrimSuffix(within.String(), "s"))
	cmd.Stderr = &testWriter{t: t}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var seen []string
	lastSeq := -1
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var ev struct {
			Data *struct {
				OrderUpdated struct {
					Transition struct {
						Sequence int
						To       string
					}
				}
			}
			Errors   json.RawMessage
			Error    string
			Timeout  bool
			Complete bool
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("legacy client printed %q: %v", sc.Text(), err)
		}
		switch {
		case ev.Error != "" || len(ev.Errors) > 0:
			t.Fatalf("legacy client: %s", sc.Text())
		case ev.Timeout || ev.Complete:
			return seen
		case ev.Data != nil:
			// Each transition once, in order: a repeated or older sequence number is the
			// final state delivered twice (seen once over the legacy protocol).
			if seq := ev.Data.OrderUpdated.Transition.Sequence; seq <= lastSeq {
				t.Errorf("legacy client got transition %d (%s) after %d: %s", seq, ev.Data.OrderUpdated.Transition.To, lastSeq, sc.Text())
			} else {
				lastSeq = seq
			}
			seen = append(seen, ev.Data.OrderUpdated.Transition.To)
			if done(seen) {
				return seen
			}
		}
	}
	return seen
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
