package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

func counter() domain.IDSource {
	n := 0
	return func() string { n++; return fmt.Sprintf("id-%d", n) }
}

func mustHours(t testing.TB, zone string, days map[time.Weekday][]domain.RangeDraft) domain.OpeningHours {
	t.Helper()
	h, err := domain.NewHoursFromDraft(domain.HoursDraft{TimeZone: zone, Days: days})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func at(t *testing.T, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func inputField(err error) string {
	var ie *domain.InputError
	if errors.As(err, &ie) {
		return ie.Field
	}
	return ""
}

func TestOpeningHours_answerWhetherOpenAtAnInstantInTheRestaurantsZone(t *testing.T) {
	// 2026-11-30 is a Monday.
	tashkent := mustHours(t, "Asia/Tashkent", map[time.Weekday][]domain.RangeDraft{
		time.Monday:   {{Open: "10:00", Close: "14:00"}, {Open: "18:00", Close: "02:00"}},
		time.Tuesday:  {{Open: "00:00", Close: "24:00"}},
		time.Saturday: {{Open: "22:00", Close: "00:00"}},
	})
	newYork := mustHours(t, "America/New_York", map[time.Weekday][]domain.RangeDraft{
		time.Sunday: {{Open: "01:00", Close: "04:00"}},
	})
	cases := []struct {
		name string
		h    domain.OpeningHours
		at   time.Time
		want bool
	}{
		{"before the first range", tashkent, at(t, "Asia/Tashkent", "2026-11-30 09:59"), false},
		{"at opening", tashkent, at(t, "Asia/Tashkent", "2026-11-30 10:00"), true},
		{"at closing (exclusive)", tashkent, at(t, "Asia/Tashkent", "2026-11-30 14:00"), false},
		{"between ranges", tashkent, at(t, "Asia/Tashkent", "2026-11-30 16:00"), false},
		{"overnight range before midnight", tashkent, at(t, "Asia/Tashkent", "2026-11-30 23:30"), true},
		{"overnight range after midnight, next weekday", tashkent, at(t, "Asia/Tashkent", "2026-12-01 01:59"), true},
		{"whole-day Tuesday", tashkent, at(t, "Asia/Tashkent", "2026-12-01 12:00"), true},
		{"Wednesday has no ranges and Tuesday none overnight", tashkent, at(t, "Asia/Tashkent", "2026-12-02 01:00"), false},
		{"range ending at midnight", tashkent, at(t, "Asia/Tashkent", "2026-12-05 23:59"), true},
		{"after a range ending at midnight", tashkent, at(t, "Asia/Tashkent", "2026-12-06 00:00"), false},
		{"judged in the restaurant's zone, not UTC", tashkent, time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC), true},           // 10:00 Tashkent
		{"UTC wall clock would say open, local says closed", tashkent, time.Date(2026, 11, 30, 11, 0, 0, 0, time.UTC), false}, // 16:00 Tashkent
		// New York springs forward on 2026-03-08 at 02:00 -> 03:00: 01:00-04:00 local is two real hours.
		{"DST spring day, before the gap", newYork, time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC), true}, // 01:30 EST
		{"DST spring day, after the gap", newYork, time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC), true},  // 03:30 EDT
		{"DST spring day, local 04:00 is closed", newYork, time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC), false},
		// Falls back on 2026-11-01 at 02:00 -> 01:00: local 01:30 happens twice, both open.
		{"DST autumn day, first 01:30", newYork, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), true},
		{"DST autumn day, second 01:30", newYork, time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), true},
		{"DST autumn day, local 04:00 closed", newYork, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.h.OpenAt(c.at); got != c.want {
				t.Errorf("OpenAt(%s) = %v, want %v", c.at, got, c.want)
			}
		})
	}
}

func TestOpeningHours_refuseMalformedInputNamingTheField(t *testing.T) {
	cases := []struct {
		name  string
		zone  string
		days  map[time.Weekday][]domain.RangeDraft
		field string
	}{
		{"unknown zone", "Mars/Olympus", nil, "timeZone"},
		{"empty zone", "", nil, "timeZone"},
		{"hour 25", "UTC", map[time.Weekday][]domain.RangeDraft{time.Monday: {{Open: "25:00", Close: "26:00"}}}, "days.MONDAY[0].open"},
		{"not HH:MM", "UTC", map[time.Weekday][]domain.RangeDraft{time.Friday: {{Open: "9am", Close: "17:00"}}}, "days.FRIDAY[0].open"},
		{"minute 60", "UTC", map[time.Weekday][]domain.RangeDraft{time.Friday: {{Open: "09:00", Close: "17:60"}}}, "days.FRIDAY[0].close"},
		{"open equals close", "UTC", map[time.Weekday][]domain.RangeDraft{time.Sunday: {{Open: "09:00", Close: "09:00"}}}, "days.SUNDAY[0].close"},
		{"24:00 as opening", "UTC", map[time.Weekday][]domain.RangeDraft{time.Sunday: {{Open: "24:00", Close: "09:00"}}}, "days.SUNDAY[0].open"},
		{"overlapping ranges", "UTC", map[time.Weekday][]domain.RangeDraft{time.Monday: {{Open: "09:00", Close: "15:00"}, {Open: "14:00", Close: "18:00"}}}, "days.MONDAY"},
		{"overnight overlapping a later range", "UTC", map[time.Weekday][]domain.RangeDraft{time.Monday: {{Open: "20:00", Close: "03:00"}, {Open: "22:00", Close: "23:00"}}}, "days.MONDAY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := domain.NewHoursFromDraft(domain.HoursDraft{TimeZone: c.zone, Days: c.days})
			if got := inputField(err); got != c.field {
				t.Errorf("field = %q (err %v), want %q", got, err, c.field)
			}
		})
	}
}

func TestMoney_refusesNegativeAmountsAndUnknownCurrencies(t *testing.T) {
	cases := []struct {
		amount int64
		cur    string
		field  string
	}{
		{100, "UZS", ""},
		{0, "USD", ""},
		{-1, "UZS", "amountMinor"},
		{100, "XYZ", "currency"},
		{100, "usd", "currency"},
		{100, "US", "currency"},
		{domain.MaxAmountMinor + 1, "UZS", "amountMinor"},
	}
	for _, c := range cases {
		_, err := domain.NewMoney(c.amount, c.cur)
		if got := inputField(err); got != c.field {
			t.Errorf("NewMoney(%d, %q): field %q (%v), want %q", c.amount, c.cur, got, err, c.field)
		}
	}
}

// plovHouse is a restaurant open every day 00:00-24:00 with one item that has a
// required size group (exactly 1) and an optional extras group (up to 2).
func plovHouse(t testing.TB) *domain.Restaurant {
	t.Helper()
	days := map[time.Weekday][]domain.RangeDraft{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		days[d] = []domain.RangeDraft{{Open: "00:00", Close: "24:00"}}
	}
	p, err := domain.NewProfile(domain.ProfileDraft{
		Name: "Plov House", Cuisines: []string{"Uzbek"}, Address: domain.Address{Line1: "Amir Temur 1", City: "Tashkent"},
		Lat: 41.31, Lng: 69.28, Hours: domain.HoursDraft{TimeZone: "Asia/Tashkent", Days: days},
		PriceLevel: 2, PrepTimeMinutes: 20, Currency: "UZS",
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := domain.NewRestaurant("r1", "u1", p, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = r.ReplaceMenu(1, domain.MenuDraft{Categories: []domain.CategoryDraft{{Name: "Mains", Items: []domain.ItemDraft{
		{Name: "Plov", PriceMinor: 4_500_000, Currency: "UZS", Available: true, OptionGroups: []domain.OptionGroupDraft{
			{Name: "Size", MinChoices: 1, MaxChoices: 1, Options: []domain.OptionDraft{
				{Name: "Regular", Currency: "UZS", Available: true},
				{Name: "Large", PriceDeltaMinor: 1_500_000, Currency: "UZS", Available: true},
			}},
			{Name: "Extras", MinChoices: 0, MaxChoices: 2, Options: []domain.OptionDraft{
				{Name: "Quail egg", PriceDeltaMinor: 300_000, Currency: "UZS", Available: true},
				{Name: "Kazy", PriceDeltaMinor: 1_200_000, Currency: "UZS", Available: true},
				{Name: "Raisins", PriceDeltaMinor: 100_000, Currency: "UZS", Available: false},
			}},
		}},
		{Name: "Non", PriceMinor: 500_000, Currency: "UZS", Available: false},
	}}}}, counter(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ids in plovHouse's menu, minted by counter(): category id-1, Plov id-2, Size id-3
// (Regular id-4, Large id-5), Extras id-6 (Quail egg id-7, Kazy id-8, Raisins id-9), Non id-10.

func TestQuote_pricesLinesInMinorUnitsWithOptionDeltas(t *testing.T) {
	r := plovHouse(t)
	q, err := r.Quote([]domain.QuoteLine{
		{MenuItemID: "id-2", Quantity: 3, OptionIDs: []string{"id-8", "id-5", "id-7"}},
		{MenuItemID: "id-2", Quantity: 1, OptionIDs: []string{"id-4"}},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// (4_500_000 + 1_500_000 + 300_000 + 1_200_000) x 3 = 22_500_000; + 4_500_000.
	if q.Lines[0].UnitPrice.AmountMinor != 7_500_000 || q.Lines[0].LineTotal.AmountMinor != 22_500_000 {
		t.Errorf("line 0 = %+v", q.Lines[0])
	}
	if q.Subtotal != (domain.Money{AmountMinor: 27_000_000, Currency: "UZS"}) || !q.Available || !q.RestaurantOpen {
		t.Errorf("quote = %+v", q)
	}
	if got := []string{q.Lines[0].Options[0].ID, q.Lines[0].Options[1].ID, q.Lines[0].Options[2].ID}; strings.Join(got, ",") != "id-5,id-7,id-8" {
		t.Errorf("options not in menu order: %v", got)
	}
}

func TestQuote_marksSoldOutItemsOptionsAndPausedRestaurantsUnavailable(t *testing.T) {
	r := plovHouse(t)
	q, err := r.Quote([]domain.QuoteLine{{MenuItemID: "id-10", Quantity: 1}}, time.Now())
	if err != nil || q.Available || q.Lines[0].Available || q.Lines[0].UnavailableReason != "sold out" {
		t.Errorf("sold-out item: %+v, %v", q, err)
	}
	q, err = r.Quote([]domain.QuoteLine{{MenuItemID: "id-2", Quantity: 1, OptionIDs: []string{"id-4", "id-9"}}}, time.Now())
	if err != nil || q.Available || !strings.Contains(q.Lines[0].UnavailableReason, "Raisins") {
		t.Errorf("sold-out option: %+v, %v", q, err)
	}
	if err := r.Pause("kitchen fire drill", time.Now()); err != nil {
		t.Fatal(err)
	}
	q, err = r.Quote([]domain.QuoteLine{{MenuItemID: "id-2", Quantity: 1, OptionIDs: []string{"id-4"}}}, time.Now())
	if err != nil || q.Available || q.RestaurantOpen || !q.Lines[0].Available {
		t.Errorf("paused restaurant: %+v, %v", q, err)
	}
}

func TestQuote_refusesInvalidOptionChoicesNamingTheLine(t *testing.T) {
	r := plovHouse(t)
	cases := []struct {
		name  string
		lines []domain.QuoteLine
		field string
		msg   string
	}{
		{"required group left out", []domain.QuoteLine{{MenuItemID: "id-2", Quantity: 1}}, "lines[0].optionIds", "at least 1"},
		{"two sizes", []domain.QuoteLine{{MenuItemID: "id-2", Quantity: 1, OptionIDs: []string{"id-4", "id-5"}}}, "lines[0].optionIds", "at most 1"},
		{"three extras", []domain.QuoteLine{{MenuItemID: "id-2", Quantity: 1, OptionIDs: []string{"id-4", "id-7", "id-8", "id-9"}}}, "lines[0].optionIds", "at most 2"},
		{"an option of another item", []domain.QuoteLine{{MenuItemID: "id-10", Quantity: 1, OptionIDs: []string{"id-4"}}}, "lines[0].optionIds", "not an option"},
		{"an unknown option", []domain.QuoteLine{{MenuItemID: "id-2", Quantity: 1, OptionIDs: []string{"id-4", "nope"}}}, "lines[0].optionIds", "not an option"},
		{"the same option twice", []domain.QuoteLine{{MenuItemID: "id-2", Quantity: 1, OptionIDs: []string{"id-4", "id-4"}}}, "lines[0].optionIds", "twice"},
		{"an unknown item", []domain.QuoteLine{{MenuItemID: "id-2", Quantity: 1, OptionIDs: []string{"id-4"}}, {MenuItemID: "ghost", Quantity: 1}}, "lines[1].menuItemId", "not on this"},
		{"zero quantity", []domain.QuoteLine{{MenuItemID: "id-10", Quantity: 0}}, "lines[0].quantity", "1 to 99"},
		{"no lines", nil, "lines", "at least one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.Quote(c.lines, time.Now())
			if inputField(err) != c.field || err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("err = %v, want field %s mentioning %q", err, c.field, c.msg)
			}
		})
	}
}

func TestReplaceMenu_refusesBadInputNamingTheField(t *testing.T) {
	item := func(mut func(*domain.ItemDraft)) domain.MenuDraft {
		it := domain.ItemDraft{Name: "Somsa", PriceMinor: 800_000, Currency: "UZS", Available: true}
		mut(&it)
		return domain.MenuDraft{Categories: []domain.CategoryDraft{{Name: "Pastry", Items: []domain.ItemDraft{it}}}}
	}
	group := func(min, max, n int) []domain.OptionGroupDraft {
		g := domain.OptionGroupDraft{Name: "Filling", MinChoices: min, MaxChoices: max}
		for i := range n {
			g.Options = append(g.Options, domain.OptionDraft{Name: fmt.Sprint("o", i), Currency: "UZS", Available: true})
		}
		return []domain.OptionGroupDraft{g}
	}
	oversized := domain.MenuDraft{}
	for c := range 11 {
		cd := domain.CategoryDraft{Name: fmt.Sprint("c", c)}
		for i := range 50 {
			cd.Items = append(cd.Items, domain.ItemDraft{Name: fmt.Sprint("i", i), PriceMinor: 1, Currency: "UZS"})
		}
		oversized.Categories = append(oversized.Categories, cd)
	}
	cases := []struct {
		name  string
		menu  domain.MenuDraft
		field string
	}{
		{"negative price", item(func(i *domain.ItemDraft) { i.PriceMinor = -5 }), "menu.categories[0].items[0].price.amountMinor"},
		{"unknown currency", item(func(i *domain.ItemDraft) { i.Currency = "ABC" }), "menu.categories[0].items[0].price.currency"},
		{"another currency than the menu's", item(func(i *domain.ItemDraft) { i.Currency = "USD" }), "menu.categories[0].items[0].price.currency"},
		{"empty name", item(func(i *domain.ItemDraft) { i.Name = "  " }), "menu.categories[0].items[0].name"},
		{"negative option delta", item(func(i *domain.ItemDraft) {
			i.OptionGroups = group(0, 1, 1)
			i.OptionGroups[0].Options[0].PriceDeltaMinor = -1
		}), "menu.categories[0].items[0].optionGroups[0].options[0].priceDelta.amountMinor"},
		{"min above max", item(func(i *domain.ItemDraft) { i.OptionGroups = group(2, 1, 3) }), "menu.categories[0].items[0].optionGroups[0].minChoices"},
		{"max above the number of options", item(func(i *domain.ItemDraft) { i.OptionGroups = group(0, 4, 3) }), "menu.categories[0].items[0].optionGroups[0].maxChoices"},
		{"a group without options", item(func(i *domain.ItemDraft) { i.OptionGroups = group(0, 1, 0) }), "menu.categories[0].items[0].optionGroups[0].options"},
		{"too many options in a group", item(func(i *domain.ItemDraft) { i.OptionGroups = group(0, 1, domain.MaxOptionsPerGroup+1) }), "menu.categories[0].items[0].optionGroups[0].options"},
		{"an id this menu never had", item(func(i *domain.ItemDraft) { i.ID = "someone-elses-item" }), "menu.categories[0].items[0].id"},
		{"a non-http image URL", item(func(i *domain.ItemDraft) { i.ImageURL = "javascript:alert(1)" }), "menu.categories[0].items[0].imageUrl"},
		{"more items than the limit", oversized, "menu.categories"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := plovHouse(t)
			err := r.ReplaceMenu(r.Menu().Version, c.menu, counter(), time.Now())
			if got := inputField(err); got != c.field {
				t.Errorf("field = %q (err %v), want %q", got, err, c.field)
			}
			if r.Menu().Version != 2 {
				t.Errorf("a refused edit changed the menu version to %d", r.Menu().Version)
			}
		})
	}
}

func TestMenuEdits_againstAStaleVersionAreRefusedAsStale(t *testing.T) {
	r := plovHouse(t)
	if err := r.ReplaceMenu(1, r.Menu().Draft(), counter(), time.Now()); !errors.Is(err, domain.ErrStaleVersion) {
		t.Errorf("replace with version 1 after an edit: %v", err)
	}
	if err := r.ChangePrices(1, []domain.PriceChange{{ID: "id-2", AmountMinor: 1, Currency: "UZS"}}, time.Now()); !errors.Is(err, domain.ErrStaleVersion) {
		t.Errorf("price change with version 1: %v", err)
	}
}

func TestChangePrices_changesItemAndOptionPricesAndKeepsIDs(t *testing.T) {
	r := plovHouse(t)
	err := r.ChangePrices(2, []domain.PriceChange{
		{ID: "id-2", AmountMinor: 5_000_000, Currency: "UZS"},
		{ID: "id-5", AmountMinor: 2_000_000, Currency: "UZS"},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	it, _ := r.Menu().Item("id-2")
	if it.Price.AmountMinor != 5_000_000 || it.OptionGroups[0].Options[1].PriceDelta.AmountMinor != 2_000_000 || r.Menu().Version != 3 {
		t.Errorf("item after price change = %+v, version %d", it, r.Menu().Version)
	}
	err = r.ChangePrices(3, []domain.PriceChange{{ID: "id-2", AmountMinor: -1, Currency: "UZS"}}, time.Now())
	if inputField(err) != "changes[0].price.amountMinor" {
		t.Errorf("negative price change: %v", err)
	}
	err = r.ChangePrices(3, []domain.PriceChange{{ID: "ghost", AmountMinor: 1, Currency: "UZS"}}, time.Now())
	if inputField(err) != "changes[0].id" {
		t.Errorf("unknown id: %v", err)
	}
}

func TestSetItemAvailability_bumpsTheMenuVersionOnlyWhenItChanges(t *testing.T) {
	r := plovHouse(t)
	if err := r.SetItemAvailability("id-2", true, time.Now()); err != nil || r.Menu().Version != 2 {
		t.Errorf("no-op: %v, version %d", err, r.Menu().Version)
	}
	if err := r.SetItemAvailability("id-2", false, time.Now()); err != nil || r.Menu().Version != 3 {
		t.Errorf("sold out: %v, version %d", err, r.Menu().Version)
	}
	if err := r.SetItemAvailability("ghost", false, time.Now()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown item: %v", err)
	}
}

func TestNewEditedHours_refusesAnOvernightRangeRunningIntoTheNextDaysOpening(t *testing.T) {
	cases := []struct {
		name  string
		days  map[time.Weekday][]domain.RangeDraft
		field string
	}{
		{"into the next day's first range", map[time.Weekday][]domain.RangeDraft{time.Wednesday: {{Open: "20:00", Close: "11:00"}}, time.Thursday: {{Open: "10:00", Close: "12:00"}}}, "days.WEDNESDAY"},
		{"from Saturday into Sunday", map[time.Weekday][]domain.RangeDraft{time.Saturday: {{Open: "22:00", Close: "02:00"}}, time.Sunday: {{Open: "01:00", Close: "05:00"}}}, "days.SATURDAY"},
		{"closing as the next day opens", map[time.Weekday][]domain.RangeDraft{time.Monday: {{Open: "18:00", Close: "02:00"}}, time.Tuesday: {{Open: "02:00", Close: "24:00"}}}, ""},
		{"a night kitchen every day", map[time.Weekday][]domain.RangeDraft{time.Monday: {{Open: "18:00", Close: "04:00"}}, time.Tuesday: {{Open: "18:00", Close: "04:00"}}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := domain.NewEditedHours(domain.HoursDraft{TimeZone: "UTC", Days: c.days})
			if got := inputField(err); got != c.field || (c.field == "" && err != nil) {
				t.Errorf("field = %q (err %v), want %q", got, err, c.field)
			}
		})
	}
}
