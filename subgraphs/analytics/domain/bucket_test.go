package domain_test

import (
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

func TestSeries_rollsQuarterHoursIntoTheZonesDaysAcrossADaylightSavingChange(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-08 is 23 hours long in New York (clocks go forward at 02:00).
	r, err := domain.NewRange(time.Date(2026, 3, 7, 0, 0, 0, 0, ny), time.Date(2026, 3, 10, 0, 0, 0, 0, ny), "America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	slots := []domain.SlotSales{
		{Slot: time.Date(2026, 3, 8, 4, 45, 0, 0, time.UTC), Orders: 1, GMVMinor: 10}, // 23:45 on the 7th in New York (EST)
		{Slot: time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC), Orders: 2, GMVMinor: 20},  // 00:00 on the 8th
		{Slot: time.Date(2026, 3, 9, 3, 45, 0, 0, time.UTC), Orders: 4, GMVMinor: 40}, // 23:45 on the 8th (EDT)
		{Slot: time.Date(2026, 3, 9, 4, 0, 0, 0, time.UTC), Orders: 8, GMVMinor: 80},  // 00:00 on the 9th
	}
	got := domain.Series(slots, domain.Day, r)
	want := []struct {
		day    int
		orders int64
	}{{7, 1}, {8, 6}, {9, 8}}
	if len(got) != len(want) {
		t.Fatalf("series = %+v", got)
	}
	for i, w := range want {
		if d := got[i].Start.In(ny); d.Day() != w.day || d.Hour() != 0 || got[i].Orders != w.orders {
			t.Errorf("day %d = %s with %d orders, want the %dth at midnight with %d", i, d, got[i].Orders, w.day, w.orders)
		}
	}
}

func TestBucket_weeksStartOnMondayAndHoursFollowTheZone(t *testing.T) {
	kolkata, _ := time.LoadLocation("Asia/Kolkata")      // +05:30
	at := time.Date(2026, 12, 6, 10, 20, 0, 0, time.UTC) // a Sunday, 15:50 in Kolkata
	if w := domain.Week.Start(at, kolkata); w.Weekday() != time.Monday || w.Day() != 30 {
		t.Errorf("week start = %s, want Monday 30 November", w)
	}
	if h := domain.Hour.Start(at, kolkata); h.Hour() != 15 || h.Minute() != 0 || !h.Equal(time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("hour start = %s, want 15:00 Kolkata (09:30 UTC)", h)
	}
}

func TestNewRange_refusesBadInput(t *testing.T) {
	now := time.Now()
	for name, c := range map[string]struct {
		from, to time.Time
		zone     string
	}{
		"to before from": {now, now.Add(-time.Hour), "UTC"},
		"empty":          {now, now, "UTC"},
		"unknown zone":   {now, now.Add(time.Hour), "Mars/Olympus"},
		"over 400 days":  {now.Add(-500 * 24 * time.Hour), now, "UTC"},
		"missing from":   {time.Time{}, now, "UTC"},
	} {
		if _, err := domain.NewRange(c.from, c.to, c.zone); !domain.IsInvalid(err) {
			t.Errorf("%s: err = %v, want an InvalidError", name, err)
		}
	}
}
