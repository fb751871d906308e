package domain

import (
	"fmt"
	"sort"
	"time"
)

// MinutesPerWeek is the length of the weekly cycle opening hours repeat in.
const MinutesPerWeek = 7 * 24 * 60

// MinuteRange is [From, To) in minutes after Sunday 00:00 UTC.
type MinuteRange struct {
	From int `json:"gte"`
	To   int `json:"lt"`
}

// DayRange is one opening period starting on Day, in local minutes after midnight;
// Close <= Open means it closes the next day.
type DayRange struct {
	Day         time.Weekday
	Open, Close int
}

// WeeklyHours is a restaurant's schedule in its time zone.
type WeeklyHours struct {
	Zone   *time.Location
	Ranges []DayRange
}

// ParseClock reads "HH:MM" ("24:00" allowed) as minutes after midnight.
func ParseClock(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("clock %q: want HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("clock %q: want HH:MM", s)
	}
	return h*60 + m, nil
}

// UTCRanges converts the schedule to sorted, merged UTC minute-of-week ranges, split at
// the week's wrap. The zone's offset is taken at the time of conversion: across a DST
// change the index is an hour off until the next restaurant.updated or rebuild
// re-projects the profile. No schedule means open all week (IsOpen alone decides).
func (w WeeklyHours) UTCRanges() []MinuteRange {
	if len(w.Ranges) == 0 {
		return []MinuteRange{{0, MinutesPerWeek}}
	}
	zone := w.Zone
	if zone == nil {
		zone = time.UTC
	}
	_, offset := time.Now().In(zone).Zone()
	shift := offset / 60
	var out []MinuteRange
	for _, r := range w.Ranges {
		length := r.Close - r.Open
		if length <= 0 {
			length += 24 * 60
		}
		from := ((int(r.Day)*24*60+r.Open-shift)%MinutesPerWeek + MinutesPerWeek) % MinutesPerWeek
		to := from + length
		if to <= MinutesPerWeek {
			out = append(out, MinuteRange{from, to})
		} else {
			out = append(out, MinuteRange{from, MinutesPerWeek}, MinuteRange{0, to - MinutesPerWeek})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	merged := out[:1]
	for _, r := range out[1:] {
		last := &merged[len(merged)-1]
		if r.From <= last.To {
			last.To = max(last.To, r.To)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// MinuteOfWeek is t's minute after Sunday 00:00 UTC.
func MinuteOfWeek(t time.Time) int {
	t = t.UTC()
	return int(t.Weekday())*24*60 + t.Hour()*60 + t.Minute()
}

// OpenAt reports whether ranges contain minute-of-week m.
func OpenAt(ranges []MinuteRange, m int) bool {
	for _, r := range ranges {
		if m >= r.From && m < r.To {
			return true
		}
	}
	return false
}
