package domain

import (
	"sort"
	"time"
)

// Bucket is a series' step.
type Bucket string

// The steps a series can take, in the range's time zone.
const (
	Hour Bucket = "HOUR"
	Day  Bucket = "DAY"
	Week Bucket = "WEEK" // weeks start on Monday
)

// Slot is the store's unit of time for series: a quarter hour (UTC, epoch-aligned). Every
// real time zone's offset is a multiple of 15 minutes, so each slot lies within one hour,
// day and week of any zone: the store groups by slot and the bucketing happens here, in Go,
// with the zone's own rules (daylight saving included), the same for every backend.
const Slot = 15 * time.Minute

// SlotSales is one slot's orders and GMV as a store returns them.
type SlotSales struct {
	Slot     time.Time
	Orders   int64
	GMVMinor int64
}

// SalesPoint is one bucket of a sales series.
type SalesPoint struct {
	Start    time.Time
	Orders   int64
	GMVMinor int64
}

// Start returns the start of t's bucket in loc.
func (b Bucket) Start(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	switch b {
	case Hour:
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, loc)
	case Week:
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		back := (int(d.Weekday()) + 6) % 7 // days since Monday
		return d.AddDate(0, 0, -back)
	default:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
}

func (b Bucket) next(t time.Time, loc *time.Location) time.Time {
	switch b {
	case Hour:
		return b.Start(t.Add(time.Hour), loc) // an hour later, whatever the wall clock does
	case Week:
		return time.Date(t.Year(), t.Month(), t.Day()+7, 0, 0, 0, 0, loc)
	default:
		return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
	}
}

// Valid reports whether b is a known step.
func (b Bucket) Valid() bool { return b == Hour || b == Day || b == Week }

// Series rolls slots up into the range's buckets: every bucket from the one holding
// r.From to the one holding the last instant before r.To, empty ones included (a chart
// needs its zeros), in time order.
func Series(slots []SlotSales, b Bucket, r Range) []SalesPoint {
	sums := map[int64]*SalesPoint{}
	var out []SalesPoint
	for t := b.Start(r.From, r.Zone); t.Before(r.To); t = b.next(t, r.Zone) {
		out = append(out, SalesPoint{Start: t})
	}
	for i := range out {
		sums[out[i].Start.Unix()] = &out[i]
	}
	for _, s := range slots {
		p, ok := sums[b.Start(s.Slot, r.Zone).Unix()]
		if !ok {
			continue
		}
		p.Orders += s.Orders
		p.GMVMinor += s.GMVMinor
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}
