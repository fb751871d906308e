package sagasim

import "time"

// Clock is the simulation's time: it moves only when a step advances it.
type Clock struct{ now time.Time }

// NewClock starts at a fixed instant, so every run of a seed sees the same times.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)}
}

// Now is the simulated time.
func (c *Clock) Now() time.Time { return c.now }

// Advance moves time forward by d.
func (c *Clock) Advance(d time.Duration) {
	if d > 0 {
		c.now = c.now.Add(d)
	}
}
