package service_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/internal/mongotest"
)

// The restaurant dashboard's editors through the real router, over both FerretDB
// backends: the weekly hours (their own version, a stale edit naming who and when, bad
// ranges refused, the zone deciding "open now", the change leaving as restaurant.updated
// through the outbox) and an item's option groups (added, changed and removed with the
// menu version, bad groups refused, the quote pricing the edited options).
func TestRouter_theDashboardEditsHoursAndOptionGroups_onBothFerretDBBackends(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips building and starting the router binary (make test and CI never pass -short)")
	}
	for _, b := range mongotest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			r := start(t, b.Open(t))
			iss := newIssuer(t)
			router := routertest.Start(t, []routertest.Subgraph{{Name: "restaurants", URL: r.url, SDLFile: sdlFile(t)}},
				routertest.Options{RouterYAML: fmt.Sprintf("auth:\n  jwks_url: %s\n", iss.jwks.URL)})
			v := r.plovHouse(t)
			t.Run("opening hours", func(t *testing.T) { editHours(t, r, router, iss, v.ID) })
			t.Run("option groups", func(t *testing.T) { editOptionGroups(t, r, router, iss, v) })
		})
	}
}

const hoursFields = `isOpen version openingHours { timeZone version editedBy { id } editedAt days { day ranges { open close } } }`

type hoursView struct {
	IsOpen       bool
	Version      int64
	OpeningHours struct {
		TimeZone string
		Version  int64
		EditedBy *struct{ ID string }
		EditedAt *string
		Days     []struct {
			Day    string
			Ranges []struct{ Open, Close string }
		}
	}
}

const setHours = `mutation($id: ID!, $v: Int!, $h: OpeningHoursInput!) { setOpeningHours(restaurantId: $id, expectedVersion: $v, openingHours: $h) { ` + hoursFields + ` } }`

// aroundNowIn is every day open from 90 minutes before to 90 minutes after the current
// wall-clock time in zone (an overnight range when it spans midnight).
func aroundNowIn(t *testing.T, zone string) map[string]any {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(loc)
	m := now.Hour()*60 + now.Minute()
	clock := func(x int) string { x = (x + 1440) % 1440; return fmt.Sprintf("%02d:%02d", x/60, x%60) }
	h := everyDay(clock(m-90), clock(m+90))
	h["timeZone"] = zone
	return h
}

func editHours(t *testing.T, r *restaurants, router *routertest.Router, iss *issuer, id string) {
	read := func() hoursView {
		return decode[struct{ Restaurant hoursView }](t, router.Do(t, `query($id: ID!) { restaurant(id: $id) { `+hoursFields+` } }`,
			map[string]any{"id": id}, nil)).Restaurant
	}
	before := read()
	if before.OpeningHours.Version != 1 || before.OpeningHours.EditedBy != nil || !before.IsOpen {
		t.Fatalf("hours of a new restaurant = %+v", before)
	}
	published := len(r.pub.waitFor(t, 3)) // the creation's and the menu's, relayed before the hours are edited

	// The owner opens the restaurant around now in Tokyo: open now.
	tokyo := aroundNowIn(t, "Asia/Tokyo")
	got := decode[struct{ SetOpeningHours hoursView }](t, router.Do(t, setHours,
		map[string]any{"id": id, "v": 1, "h": tokyo}, iss.bearer(owner))).SetOpeningHours
	h := got.OpeningHours
	if h.Version != 2 || h.TimeZone != "Asia/Tokyo" || h.EditedBy == nil || h.EditedBy.ID != owner.UserID || h.EditedAt == nil || !got.IsOpen {
		t.Fatalf("after the owner's edit: %+v", got)
	}
	if len(h.Days) != 7 || h.Days[0].Day != "MONDAY" || len(h.Days[0].Ranges) != 1 {
		t.Errorf("days after the edit = %+v", h.Days)
	}
	// The same clock times in New York (13 to 14 hours behind) are closed now: the zone decides.
	newYork := aroundNowIn(t, "Asia/Tokyo")
	newYork["timeZone"] = "America/New_York"
	got = decode[struct{ SetOpeningHours hoursView }](t, router.Do(t, setHours,
		map[string]any{"id": id, "v": 2, "h": newYork}, iss.bearer(owner))).SetOpeningHours
	if got.OpeningHours.Version != 3 || got.OpeningHours.TimeZone != "America/New_York" || got.IsOpen {
		t.Errorf("the Tokyo times in New York: %+v", got)
	}

	// An admin still holding version 1 is refused, told who changed the hours and when.
	stale := router.Do(t, setHours, map[string]any{"id": id, "v": 1, "h": everyDay("00:00", "24:00")}, iss.bearer(admin))
	if !stale.HasCode("CONFLICT") || len(stale.Errors) == 0 || !strings.Contains(stale.Errors[0].Message, owner.UserID) ||
		!strings.Contains(stale.Errors[0].Message, "opening hours") {
		t.Errorf("a stale hours edit: %+v", stale.Errors)
	}
	if now := read(); now.OpeningHours.Version != 3 || now.OpeningHours.TimeZone != "America/New_York" {
		t.Errorf("the stale edit changed the hours: %+v", now.OpeningHours)
	}

	// Bad schedules are BAD_USER_INPUT naming the field, and change nothing.
	overlapping := everyDay("09:00", "14:00")
	overlapping["days"].([]map[string]any)[0]["ranges"] = []map[string]any{{"open": "09:00", "close": "14:00"}, {"open": "13:00", "close": "18:00"}}
	overnightOverlap := everyDay("10:00", "12:00")
	overnightOverlap["days"].([]map[string]any)[2]["ranges"] = []map[string]any{{"open": "20:00", "close": "11:00"}, {"open": "10:30", "close": "12:00"}}
	badZone := everyDay("09:00", "22:00")
	badZone["timeZone"] = "Mars/Olympus_Mons"
	for name, c := range map[string]struct {
		hours      map[string]any
		field, msg string
	}{
		"overlapping ranges":          {overlapping, "openingHours.days.MONDAY", "overlap"},
		"an overnight range overlap":  {overnightOverlap, "openingHours.days.WEDNESDAY", "overlap"},
		"an hour that does not exist": {everyDay("25:00", "26:00"), "openingHours.days.SUNDAY[0].open", "time of day"},
		"open equal to close":         {everyDay("10:00", "10:00"), "openingHours.days.SUNDAY[0].close", "must differ"},
		"an unknown time zone":        {badZone, "openingHours.timeZone", "IANA"},
	} {
		resp := router.Do(t, setHours, map[string]any{"id": id, "v": 3, "h": c.hours}, iss.bearer(owner))
		if !resp.HasCode("BAD_USER_INPUT") || len(resp.Errors) == 0 || resp.Errors[0].Extensions["field"] != c.field ||
			!strings.Contains(resp.Errors[0].Message, c.msg) {
			t.Errorf("%s: %+v", name, resp.Errors)
		}
	}
	if now := read(); now.OpeningHours.Version != 3 {
		t.Errorf("refused schedules changed the hours: %+v", now.OpeningHours)
	}

	// Only owners and admins edit hours: staff, another owner and anonymous callers are refused.
	for who, want := range map[string]struct {
		code string
		resp *routertest.Response
	}{
		"staff":         {"FORBIDDEN", router.Do(t, setHours, map[string]any{"id": id, "v": 3, "h": tokyo}, iss.bearer(staff))},
		"another owner": {"FORBIDDEN", router.Do(t, setHours, map[string]any{"id": id, "v": 3, "h": tokyo}, iss.bearer(rival))},
		"anonymous":     {"UNAUTHENTICATED", router.Do(t, setHours, map[string]any{"id": id, "v": 3, "h": tokyo}, nil)},
	} {
		if !want.resp.HasCode(want.code) {
			t.Errorf("%s setting hours: want %s, got %+v", who, want.code, want.resp.Errors)
		}
	}
	// The admin with the current version may; the whole day is open in any zone.
	got = decode[struct{ SetOpeningHours hoursView }](t, router.Do(t, setHours,
		map[string]any{"id": id, "v": 3, "h": everyDay("00:00", "24:00")}, iss.bearer(admin))).SetOpeningHours
	if got.OpeningHours.Version != 4 || got.OpeningHours.EditedBy == nil || got.OpeningHours.EditedBy.ID != admin.UserID || !got.IsOpen {
		t.Errorf("the admin's edit: %+v", got)
	}

	// Each accepted edit left through the outbox as restaurant.updated with the new zone
	// and spans: what search projects "open now" from.
	evs := r.pub.waitFor(t, published+3)
	var last contracts.RestaurantUpdatedV2
	n := 0
	for _, e := range evs[published:] {
		if e.Type != contracts.TypeRestaurantUpdated {
			t.Errorf("an hours edit published %s", e.Type)
			continue
		}
		n++
		if err := e.Decode(&last); err != nil {
			t.Fatal(err)
		}
		if n == 2 && (last.TimeZone != "America/New_York" || last.IsOpen || len(last.OpeningHours) != 7) {
			t.Errorf("the New York edit's event = %+v", last)
		}
	}
	if n != 3 || last.TimeZone != "Asia/Tashkent" || !last.IsOpen || last.OpeningHours[0] != (contracts.OpeningSpan{Day: "MONDAY", Open: "00:00", Close: "24:00"}) {
		t.Errorf("%d restaurant.updated events; the last = %+v", n, last)
	}
}

// waitFor waits until the relay has handed over n messages and returns them as events.
func (p *published) waitFor(t *testing.T, n int) []events.Envelope {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		have := len(p.msgs)
		p.mu.Unlock()
		if have >= n {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []events.Envelope
	for _, m := range p.msgs {
		e, err := events.FromMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if len(out) < n {
		t.Fatalf("%d events published, want at least %d", len(out), n)
	}
	return out
}

const menuEditFields = `menu { version editedBy { id } editedAt categories { id name items { id name description price { amountMinor currency } available tags
	optionGroups { id name minChoices maxChoices options { id name priceDelta { amountMinor currency } available } } } } }`

func editOptionGroups(t *testing.T, r *restaurants, router *routertest.Router, iss *issuer, v restaurantView) {
	ids := idsOf(v)
	const updateMenu = `mutation($id: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $id, expectedMenuVersion: $v, menu: $m) { ` + restaurantFields + ` } }`
	// The editor's menu as loaded, with ids: Size changed (Large dearer, a new XL, max
	// stays 1), Extras removed, a new optional Sauce group (0 to 2 of 3).
	edited := func() map[string]any {
		return map[string]any{"categories": []map[string]any{{"id": v.Menu.Categories[0].ID, "name": "Mains", "items": []map[string]any{
			{"id": ids.plov, "name": "Plov", "price": uzs(4_500_000), "optionGroups": []map[string]any{
				{"id": v.Menu.Categories[0].Items[0].OptionGroups[0].ID, "name": "Size", "minChoices": 1, "maxChoices": 1, "options": []map[string]any{
					{"id": ids.regular, "name": "Regular", "priceDelta": uzs(0)},
					{"id": ids.large, "name": "Large", "priceDelta": uzs(1_800_000)},
					{"name": "XL", "priceDelta": uzs(3_000_000)}}},
				{"name": "Sauce", "minChoices": 0, "maxChoices": 2, "options": []map[string]any{
					{"name": "Garlic", "priceDelta": uzs(50_000)}, {"name": "Chili", "priceDelta": uzs(70_000)},
					{"name": "Yoghurt", "priceDelta": uzs(0), "available": false}}},
			}},
			{"id": ids.non, "name": "Non", "price": uzs(500_000)},
		}}}}
	}
	got := decode[struct{ UpdateMenu restaurantView }](t, router.Do(t, updateMenu,
		map[string]any{"id": v.ID, "v": v.Menu.Version, "m": edited()}, iss.bearer(owner))).UpdateMenu
	groups := got.Menu.Categories[0].Items[0].OptionGroups
	if got.Menu.Version != v.Menu.Version+1 || len(groups) != 2 || groups[0].Name != "Size" || len(groups[0].Options) != 3 ||
		groups[0].Options[1].ID != ids.large || groups[1].Name != "Sauce" || len(groups[1].Options) != 3 {
		t.Fatalf("menu after the option edit: %+v", got.Menu)
	}
	xl, garlic, yoghurt := groups[0].Options[2].ID, groups[1].Options[0].ID, groups[1].Options[2].ID

	// The quote prices the edited options; a removed option and an unavailable one are refused.
	quote := func(optionIDs ...string) *routertest.Response {
		return router.Do(t, quoteQuery, map[string]any{"in": map[string]any{"restaurantId": v.ID,
			"lines": []map[string]any{{"menuItemId": ids.plov, "quantity": 2, "optionIds": optionIDs}}}}, nil)
	}
	q := decode[struct{ Quote quoteView }](t, quote(xl, garlic)).Quote
	if q.Lines[0].UnitPrice.AmountMinor != 4_500_000+3_000_000+50_000 || q.Subtotal.AmountMinor != 2*7_550_000 || !q.Available || q.MenuVersion != got.Menu.Version {
		t.Errorf("quote with the new options = %+v", q)
	}
	q = decode[struct{ Quote quoteView }](t, quote(ids.large)).Quote
	if q.Lines[0].UnitPrice.AmountMinor != 6_300_000 {
		t.Errorf("Large after its delta changed: %+v", q)
	}
	for name, opts := range map[string][]string{"a removed group's option": {ids.regular, ids.kazy}, "an unavailable option": {ids.regular, yoghurt}} {
		resp := quote(opts...)
		var out struct{ Quote *quoteView }
		if err := resp.Decode(&out); err != nil {
			t.Fatal(err)
		}
		if len(resp.Errors) == 0 && (out.Quote == nil || out.Quote.Available) {
			t.Errorf("quote with %s was accepted: %s", name, resp.Data)
		}
	}

	// Invalid groups are BAD_USER_INPUT naming the field; the menu stays as it is.
	bad := func(mut func(size, sauce map[string]any)) map[string]any {
		m := edited()
		groups := m["categories"].([]map[string]any)[0]["items"].([]map[string]any)[0]["optionGroups"].([]map[string]any)
		mut(groups[0], groups[1])
		return m
	}
	const base = "menu.categories[0].items[0].optionGroups"
	for name, c := range map[string]struct {
		menu  map[string]any
		field string
	}{
		"min above max":           {bad(func(_, s map[string]any) { s["minChoices"], s["maxChoices"] = 2, 1 }), base + "[1].minChoices"},
		"max above the options":   {bad(func(_, s map[string]any) { s["maxChoices"] = 4 }), base + "[1].maxChoices"},
		"a negative minimum":      {bad(func(sz, _ map[string]any) { sz["minChoices"] = -1 }), base + "[0].minChoices"},
		"a group without options": {bad(func(_, s map[string]any) { s["options"], s["maxChoices"] = []map[string]any{}, 1 }), base + "[1].options"},
		"a delta in another currency": {bad(func(_, s map[string]any) {
			s["options"].([]map[string]any)[0]["priceDelta"] = map[string]any{"amountMinor": 100, "currency": "USD"}
		}), base + "[1].options[0].priceDelta.currency"},
	} {
		resp := router.Do(t, updateMenu, map[string]any{"id": v.ID, "v": got.Menu.Version, "m": c.menu}, iss.bearer(owner))
		if !resp.HasCode("BAD_USER_INPUT") || len(resp.Errors) == 0 || resp.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%s: %+v", name, resp.Errors)
		}
	}
	// A fractional price is not an Int: the router refuses the document's variables.
	frac := bad(func(_, s map[string]any) {
		s["options"].([]map[string]any)[0]["priceDelta"] = map[string]any{"amountMinor": 1.5, "currency": "UZS"}
	})
	if resp := router.Do(t, updateMenu, map[string]any{"id": v.ID, "v": got.Menu.Version, "m": frac}, iss.bearer(owner)); len(resp.Errors) == 0 {
		t.Errorf("a fractional price delta was accepted: %s", resp.Data)
	}

	// An editor still holding the version before the option edit is refused (CONFLICT,
	// naming the owner who made the current menu) and the menu is unchanged.
	stale := router.Do(t, updateMenu, map[string]any{"id": v.ID, "v": v.Menu.Version, "m": menuInput()}, iss.bearer(admin))
	if !stale.HasCode("CONFLICT") || len(stale.Errors) == 0 || !strings.Contains(stale.Errors[0].Message, owner.UserID) {
		t.Errorf("a stale option edit: %+v", stale.Errors)
	}
	type menuRead struct {
		Restaurant struct {
			Menu struct {
				Version  int64
				EditedBy *struct{ ID string }
			}
		}
	}
	m := decode[menuRead](t, router.Do(t, `query($id: ID!) { restaurant(id: $id) { `+menuEditFields+` } }`, map[string]any{"id": v.ID}, nil)).Restaurant.Menu
	if m.Version != got.Menu.Version || m.EditedBy == nil || m.EditedBy.ID != owner.UserID {
		t.Errorf("menu after refused edits = %+v, want version %d by %s", m, got.Menu.Version, owner.UserID)
	}
}
