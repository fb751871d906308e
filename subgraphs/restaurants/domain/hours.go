package domain

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// zones caches loaded locations: time.LoadLocation parses the tz database file on every
// call, and every restaurant read restores its schedule.
var zones sync.Map // name -> *time.Location

func loadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, l)
	return l, nil
}

// TimeRange is one opening period within a day, in minutes after local midnight. Close
// before Open is an overnight range (18:00-02:00 closes at 02:00 the next day); Close
// 1440 ("24:00") is midnight at the end of the day.
type TimeRange struct {
	Open, Close int
}

// ParseTimeRange parses "HH:MM" opening and closing times. "24:00" is allowed as a
// closing time; open and close may not be equal (a full day is "00:00"-"24:00").
func ParseTimeRange(open, close string) (TimeRange, error) {
	o, err := parseClock(open, false)
	if err != nil {
		return TimeRange{}, prefixed("open", err)
	}
	c, err := parseClock(close, true)
	if err != nil {
		return TimeRange{}, prefixed("close", err)
	}
	if o == c {
		return TimeRange{}, invalid("close", "must differ from open (%s); use 00:00-24:00 for a whole day", open)
	}
	return TimeRange{Open: o, Close: c}, nil
}

func parseClock(s string, allow24 bool) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, invalid("", "must be HH:MM, got %q", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil {
		return 0, invalid("", "must be HH:MM, got %q", s)
	}
	switch {
	case h == 24 && m == 0 && allow24:
		return 1440, nil
	case h < 0 || h > 23 || m < 0 || m > 59:
		return 0, invalid("", "must be a time of day between 00:00 and 23:59, got %q", s)
	}
	return h*60 + m, nil
}

// Overnight reports whether the range ends on the next day.
func (r TimeRange) Overnight() bool { return r.Close < r.Open }

// OpenClock and CloseClock format the range as "HH:MM".
func (r TimeRange) OpenClock() string  { return clock(r.Open) }
func (r TimeRange) CloseClock() string { return clock(r.Close) }

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// OpeningHours is a weekly schedule in an IANA time zone: for each weekday, the ranges
// that start on that day.
type OpeningHours struct {
	zone *time.Location
	days [7][]TimeRange // indexed by time.Weekday
}

// MaxRangesPerDay bounds a day's schedule.
const MaxRangesPerDay = 6

// NewOpeningHours validates the zone and the ranges: no day has more than
// MaxRangesPerDay ranges and ranges starting on the same day do not overlap.
func NewOpeningHours(zone string, days map[time.Weekday][]TimeRange) (OpeningHours, error) {
	if strings.TrimSpace(zone) == "" || zone == "Local" {
		return OpeningHours{}, invalid("timeZone", "must be an IANA time zone such as Asia/Tashkent, got %q", zone)
	}
	loc, err := loadZone(zone)
	if err != nil {
		return OpeningHours{}, invalid("timeZone", "%q is not an IANA time zone", zone)
	}
	h := OpeningHours{zone: loc}
	for d := range days {
		if d < time.Sunday || d > time.Saturday {
			return OpeningHours{}, invalid("days", "weekday %d does not exist", d)
		}
	}
	for d := time.Sunday; d <= time.Saturday; d++ { // in order: the first bad day is reported
		ranges := days[d]
		field := "days." + strings.ToUpper(d.String())
		if len(ranges) > MaxRangesPerDay {
			return OpeningHours{}, invalid(field, "at most %d ranges per day, got %d", MaxRangesPerDay, len(ranges))
		}
		rs := slices.Clone(ranges)
		slices.SortFunc(rs, func(a, b TimeRange) int { return a.Open - b.Open })
		for i, r := range rs {
			if r.Open < 0 || r.Open >= 1440 || r.Close < 0 || r.Close > 1440 || r.Open == r.Close {
				return OpeningHours{}, invalid(field, "range %s-%s is not a valid time range", clock(r.Open), clock(r.Close))
			}
			if i > 0 && rs[i-1].end() > r.Open {
				return OpeningHours{}, invalid(field, "ranges %s-%s and %s-%s overlap",
					rs[i-1].OpenClock(), rs[i-1].CloseClock(), r.OpenClock(), r.CloseClock())
			}
		}
		h.days[d] = rs
	}
	return h, nil
}

// end is the close time on the opening day's scale (an overnight range ends after 1440).
func (r TimeRange) end() int {
	if r.Overnight() {
		return r.Close + 1440
	}
	return r.Close
}

// Zone is the IANA zone name.
func (h OpeningHours) Zone() string {
	if h.zone == nil {
		return "UTC"
	}
	return h.zone.String()
}

// Day returns the ranges that start on d, sorted by opening time.
func (h OpeningHours) Day(d time.Weekday) []TimeRange { return slices.Clone(h.days[d]) }

// OpenAt reports whether the schedule is open at instant t, judged by the wall clock in
// the restaurant's zone (so a DST change moves opening with local time, as a restaurant
// does). An overnight range opened yesterday still counts after local midnight.
func (h OpeningHours) OpenAt(t time.Time) bool {
	if h.zone == nil {
		return false
	}
	local := t.In(h.zone)
	m := local.Hour()*60 + local.Minute()
	today := local.Weekday()
	for _, r := range h.days[today] {
		if m >= r.Open && (r.Overnight() || m < r.Close) {
			return true
		}
	}
	yesterday := (today + 6) % 7
	for _, r := range h.days[yesterday] {
		if r.Overnight() && m < r.Close {
			return true
		}
	}
	return false
}

// Equal reports whether h and o are the same schedule in the same zone.
func (h OpeningHours) Equal(o OpeningHours) bool {
	if h.Zone() != o.Zone() {
		return false
	}
	for d := range h.days {
		if !slices.Equal(h.days[d], o.days[d]) {
			return false
		}
	}
	return true
}

// HoursEdit is the opening hours' own edit record: Version counts changes of the hours
// (an editor names the version it loaded), EditedBy and EditedAt say who made the current
// version and when (empty before the first stamped edit).
type HoursEdit struct {
	Version  int64
	EditedBy string
	EditedAt time.Time
}

// checkOvernightSpill refuses an overnight range that runs past the next day's first
// opening (Wednesday 20:00-11:00 with Thursday 10:00-12:00). Only the hours editor's
// schedules are held to it (NewEditedHours): stored ones restore as they were accepted.
func (h OpeningHours) checkOvernightSpill() error {
	for d := time.Sunday; d <= time.Saturday; d++ {
		rs, next := h.days[d], h.days[(d+1)%7]
		if len(rs) == 0 || len(next) == 0 || !rs[len(rs)-1].Overnight() {
			continue
		}
		if last := rs[len(rs)-1]; last.Close > next[0].Open {
			return invalid("days."+strings.ToUpper(d.String()), "range %s-%s overlaps %s's %s-%s",
				last.OpenClock(), last.CloseClock(), strings.ToUpper(((d + 1) % 7).String()), next[0].OpenClock(), next[0].CloseClock())
		}
	}
	return nil
}
