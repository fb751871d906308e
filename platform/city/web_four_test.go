package city

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// TestWebFourApps_oneOrderAcrossTheCustomerRestaurantCourierAndAdminApps runs the four
// built apps (web/apps/{customer,restaurant,driver,admin}, `make web-build`) in four
// browser contexts of Debian's chromium through playwright-core (web/e2e/four.mjs) against
// the real platform. Each person acts only through their own app: the customer signs up,
// tops up and orders; the owner accepts, prepares and marks it ready on the dashboard
// (after a stale menu edit there is refused with the conflict shown); the courier goes
// online, takes the offer and walks the delivery steps, the app reloaded mid-delivery
// finding the delivery again, then sees it in the history and its share in today's
// earnings; the owner lists the staff and adds and removes one, adds an option group to
// the dish (which the customer then chooses) and edits the hours (an overlap refused, a
// stale tab's save naming who changed them); the admin watches the courier and the order
// live, opens the order's timeline, verifies the wallet's audit log and finds the
// customer by email with their roles. A second order the restaurant rejects is refunded, as the
// customer's wallet page shows. This test only makes the accounts (the owner's
// restaurant, the courier's and admin's roles) and checks the outcome through the API.
func TestWebFourApps_oneOrderAcrossTheCustomerRestaurantCourierAndAdminApps(t *testing.T) {
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "web", "e2e", "four.mjs")
	apps := []string{"customer", "restaurant", "driver", "admin"}
	chromium := browserReady(t, root, apps...)
	// One origin serves the four apps under /<app>/; the router's CORS allows it.
	origin := serveApps(t, root, apps...)

	// The stack's binaries are built as it starts: that build is kept out of the browser
	// part's deadline (a loaded machine builds slowly); the processes live as long as boot.
	boot, stop := context.WithTimeout(context.Background(), 25*time.Minute)
	defer stop()
	city := startRealCity(t, boot)
	ctx, cancel := context.WithTimeout(boot, 8*time.Minute)
	defer cancel()
	c := city.client

	admin := must(c.Register(ctx, city.run+"-admin@dizhtime.test", password, "Admin"))(t, "register admin")
	if err := GrantAdminWith(city.Stack)(ctx, admin.Email); err != nil {
		t.Fatal(err)
	}
	admin = must(c.Login(ctx, admin.Email, password))(t, "admin signs in again")
	centre := Offset(Point{Lat: -40 + 80*rand.Float64(), Lng: -150 + 300*rand.Float64()}, 0, 0)
	owner := must(c.Register(ctx, city.run+"-owner@dizhtime.test", password, "Owner"))(t, "register owner")
	if err := admin.AssignRole(ctx, owner.UserID, "RESTAURANT_OWNER"); err != nil {
		t.Fatal(err)
	}
	owner = must(c.Login(ctx, owner.Email, password))(t, "owner signs in again")
	kitchenAt := Offset(centre, 600, 400)
	name := "Plov House " + city.run
	restaurantID := must(owner.CreateRestaurant(ctx, NewRestaurant{
		Name: name, Cuisines: []string{"uzbek"}, At: kitchenAt,
		Dishes: []NewDish{{Name: "Wedding Plov", PriceMinor: 25_000}},
	}))(t, "create the restaurant")
	driver := must(c.Register(ctx, city.run+"-driver@dizhtime.test", password, "Courier"))(t, "register courier")
	if err := admin.AssignRole(ctx, driver.UserID, "DRIVER"); err != nil {
		t.Fatal(err)
	}
	driverAt := Offset(kitchenAt, -700, 300)
	customerEmail := city.run + "-customer@dizhtime.test"

	artifacts := filepath.Join(root, "web", "e2e", "artifacts", city.run+"-four")
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	delivered, rejected, recovered, earned := "", "", false, false
	runBrowserScript(t, ctx, root, script, []string{
		"WEB_E2E_BASE=" + origin, "WEB_E2E_ROUTER=" + city.RouterURL, "WEB_E2E_PASSWORD=" + password,
		"WEB_E2E_CUSTOMER_EMAIL=" + customerEmail, "WEB_E2E_OWNER_EMAIL=" + owner.Email,
		"WEB_E2E_DRIVER_EMAIL=" + driver.Email, "WEB_E2E_DRIVER_ID=" + driver.UserID, "WEB_E2E_ADMIN_EMAIL=" + admin.Email,
		"WEB_E2E_RESTAURANT_ID=" + restaurantID, "WEB_E2E_RESTAURANT=" + name, "WEB_E2E_DISH=Wedding Plov",
		"WEB_E2E_LAT=" + f(centre.Lat), "WEB_E2E_LNG=" + f(centre.Lng),
		"WEB_E2E_DRIVER_LAT=" + f(driverAt.Lat), "WEB_E2E_DRIVER_LNG=" + f(driverAt.Lng),
		"WEB_E2E_ARTIFACTS=" + artifacts, "WEB_E2E_CHROMIUM=" + chromium,
	}, func(line string) {
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case fields[0] == "ORDER" && len(fields) == 2:
			delivered = fields[1]
		case fields[0] == "REJECTED" && len(fields) == 2:
			rejected = fields[1]
		case fields[0] == "RECOVERED":
			recovered = true
		case fields[0] == "EARNED":
			earned = true
		}
	})
	if !recovered {
		t.Error("the courier app never reported finding its delivery after the reload")
	}
	if !earned {
		t.Error("the courier app never showed the delivery in its history and today's earnings")
	}

	// The outcome as the API has it.
	var o struct {
		Order struct {
			Status   string
			DriverID *string
			Payment  *struct {
				Status   string
				Refunded walletMoney
			}
		}
	}
	if err := admin.Do(ctx, `query O($id: ID!) { order(id: $id) { status driverId payment { status refunded { amountMinor currency } } } }`, map[string]any{"id": delivered}, &o); err != nil {
		t.Fatal(err)
	}
	if o.Order.Status != "DELIVERED" || o.Order.DriverID == nil || *o.Order.DriverID != driver.UserID {
		t.Errorf("delivered order = %+v; want DELIVERED by %s", o.Order, driver.UserID)
	}
	o.Order.Payment = nil
	if err := admin.Do(ctx, `query O($id: ID!) { order(id: $id) { status driverId payment { status refunded { amountMinor currency } } } }`, map[string]any{"id": rejected}, &o); err != nil {
		t.Fatal(err)
	}
	if o.Order.Status != "REJECTED" || o.Order.Payment == nil || o.Order.Payment.Refunded.money().AmountMinor <= 0 {
		t.Errorf("rejected order = %+v; want REJECTED and refunded", o.Order)
	}
	// The courier's share as the wallet has it, read by the courier (the app showed it).
	var w struct {
		Wallet struct {
			CourierEarnings []struct {
				Amount walletMoney
				Orders int
			}
		}
	}
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	driver = must(c.Login(ctx, driver.Email, password))(t, "the courier signs in again")
	if err := driver.Do(ctx, `query W($u: ID!, $s: String!) { wallet(userId: $u) { courierEarnings(since: $s) { amount { amountMinor currency } orders } } }`,
		map[string]any{"u": driver.UserID, "s": since}, &w); err != nil {
		t.Fatal(err)
	}
	if len(w.Wallet.CourierEarnings) != 1 || w.Wallet.CourierEarnings[0].Orders != 1 || w.Wallet.CourierEarnings[0].Amount.money().AmountMinor <= 0 {
		t.Errorf("the courier's earnings = %+v; want one order's share", w.Wallet.CourierEarnings)
	}
	// The owner's dashboard edits as the API has them: the hours the second tab saved
	// (version 2, by the owner: the stale tab's edit and the overlapping ranges were
	// refused), the Sauce group added to the dish, and the delivered order carrying the
	// Garlic the customer chose from it.
	var r struct {
		Restaurant struct {
			OpeningHours struct {
				Version  int
				EditedBy *struct{ ID string }
				Days     []struct {
					Day    string
					Ranges []struct{ Open, Close string }
				}
			}
			Menu struct {
				Categories []struct {
					Items []struct {
						Name         string
						OptionGroups []struct {
							Name                   string
							MinChoices, MaxChoices int
							Options                []struct {
								Name       string
								PriceDelta struct{ AmountMinor int64 }
							}
						}
					}
				}
			}
		}
	}
	if err := owner.Do(ctx, `query R($id: ID!) { restaurant(id: $id) {
		openingHours { version editedBy { id } days { day ranges { open close } } }
		menu { categories { items { name optionGroups { name minChoices maxChoices options { name priceDelta { amountMinor } } } } } } } }`,
		map[string]any{"id": restaurantID}, &r); err != nil {
		t.Fatal(err)
	}
	h := r.Restaurant.OpeningHours
	if h.Version != 2 || h.EditedBy == nil || h.EditedBy.ID != owner.UserID || len(h.Days) != 7 || len(h.Days[6].Ranges) != 2 || len(h.Days[0].Ranges) != 1 || h.Days[0].Ranges[0].Open != "00:00" {
		t.Errorf("opening hours after the dashboard's edits = %+v", h)
	}
	groups := r.Restaurant.Menu.Categories[0].Items[0].OptionGroups
	if len(groups) != 1 || groups[0].Name != "Sauce" || groups[0].MinChoices != 0 || groups[0].MaxChoices != 2 || len(groups[0].Options) != 2 ||
		groups[0].Options[0].Name != "Garlic" || groups[0].Options[0].PriceDelta.AmountMinor != 500 {
		t.Errorf("the dish's option groups after the dashboard's edit = %+v", groups)
	}
	var lines struct {
		Order struct {
			Lines []struct {
				Name    string
				Options []struct{ Name string }
			}
		}
	}
	if err := admin.Do(ctx, `query L($id: ID!) { order(id: $id) { lines { name options { name } } } }`, map[string]any{"id": delivered}, &lines); err != nil {
		t.Fatal(err)
	}
	if len(lines.Order.Lines) != 1 || len(lines.Order.Lines[0].Options) != 1 || lines.Order.Lines[0].Options[0].Name != "Garlic" {
		t.Errorf("the delivered order's lines = %+v; want the dish with Garlic", lines.Order.Lines)
	}
	t.Logf("screenshots in %s", artifacts)
}
