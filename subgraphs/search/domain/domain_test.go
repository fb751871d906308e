package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

func TestUTCRanges_shiftsLocalHoursToUTCAndSplitsAtTheWeekWrap(t *testing.T) {
	tashkent, _ := time.LoadLocation("Asia/Tashkent") // UTC+5, no DST
	cases := []struct {
		name  string
		hours domain.WeeklyHours
		want  []domain.MinuteRange
	}{
		{"no schedule is open all week", domain.WeeklyHours{}, []domain.MinuteRange{{From: 0, To: domain.MinutesPerWeek}}},
		{"monday 10-22 in Tashkent", domain.WeeklyHours{Zone: tashkent, Ranges: []domain.DayRange{{Day: time.Monday, Open: 600, Close: 1320}}},
			[]domain.MinuteRange{{From: 1440 + 300, To: 1440 + 1020}}},
		{"sunday 02:00-04:00 in Tashkent is saturday 21:00-23:00 UTC",
			domain.WeeklyHours{Zone: tashkent, Ranges: []domain.DayRange{{Day: time.Sunday, Open: 120, Close: 240}}},
			[]domain.MinuteRange{{From: domain.MinutesPerWeek - 180, To: domain.MinutesPerWeek - 60}}},
		{"saturday overnight to sunday UTC splits",
			domain.WeeklyHours{Zone: time.UTC, Ranges: []domain.DayRange{{Day: time.Saturday, Open: 1320, Close: 120}}},
			[]domain.MinuteRange{{From: 0, To: 120}, {From: 6*1440 + 1320, To: domain.MinutesPerWeek}}},
	}
	for _, c := range cases {
		got := c.hours.UTCRanges()
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
}

func TestApplyMenu_refusesAnOlderOrRepeatedVersion(t *testing.T) {
	r, _ := domain.NewRestaurant("r1")
	if err := r.ApplyMenu([]domain.Dish{{Name: "Plov"}}, 2, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{2, 1} {
		if err := r.ApplyMenu(nil, v, time.Now()); !errors.Is(err, domain.ErrStale) {
			t.Errorf("version %d: %v", v, err)
		}
	}
	if len(r.Dishes) != 1 {
		t.Errorf("dishes %+v", r.Dishes)
	}
}

func TestMatchDishes_highlightsExactAndTypoMatchesOnly(t *testing.T) {
	r := domain.Restaurant{Dishes: []domain.Dish{{ID: "a", Name: "Margherita pizza"}, {ID: "b", Name: "Plov"}, {ID: "c", Name: "Pizza-style bread"}}}
	got := domain.MatchDishes(r, "piza")
	if len(got) != 2 || got[0].Highlight != "Margherita <em>pizza</em>" || got[1].Highlight != "<em>Pizza</em>-style bread" {
		t.Errorf("%+v", got)
	}
}

func TestCursor_roundTripsAndRefusesForeignStrings(t *testing.T) {
	if n, err := domain.DecodeCursor(domain.Cursor(41)); err != nil || n != 41 {
		t.Errorf("%d %v", n, err)
	}
	if _, err := domain.DecodeCursor("bm9wZQ"); err == nil {
		t.Error("foreign cursor accepted")
	}
}

func TestNewQuery_aSearchNearAPointWithoutARadiusStaysWithinDeliveryRange(t *testing.T) {
	at := &domain.GeoPoint{Lat: 41.3, Lon: 69.2}
	five := 5000
	cases := []struct {
		name string
		in   domain.QueryInput
		want float64
	}{
		{"near, no radius", domain.QueryInput{Near: at, First: 10}, domain.DefaultRadiusMeters},
		{"near and a radius", domain.QueryInput{Near: at, RadiusMeters: &five, First: 10}, 5000},
		{"no near", domain.QueryInput{Text: "plov", First: 10}, 0},
	}
	for _, c := range cases {
		q, err := domain.NewQuery(c.in)
		if err != nil || q.RadiusMeters != c.want {
			t.Errorf("%s: radius %v, err %v; want %v", c.name, q.RadiusMeters, err, c.want)
		}
	}
}

func TestWantsTypos_onlyWhenTheExactWordsCannotFillThePage(t *testing.T) {
	cases := []struct {
		text          string
		offset, limit int
		total         int
		want          bool
	}{
		{"piza", 0, 20, 0, true},
		{"pizza", 0, 20, 20, false},
		{"pizza", 20, 20, 25, true},
		{"ok", 0, 20, 0, false}, // two letters: no typo is tolerated
		{"", 0, 20, 0, false},
	}
	for _, c := range cases {
		q := domain.Query{Text: c.text, Offset: c.offset, Limit: c.limit}
		if got := domain.WantsTypos(q, c.total); got != c.want {
			t.Errorf("%q offset %d limit %d total %d: %v, want %v", c.text, c.offset, c.limit, c.total, got, c.want)
		}
	}
}
