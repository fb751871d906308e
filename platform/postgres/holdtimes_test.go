package postgres_test

import (
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/postgres"
)

// Holds are timed acquire to release on a real pool, and only while the window is open.
func TestHoldTimes_timesEachHoldWhileTheWindowIsOpen(t *testing.T) {
	t.Parallel()
	var holds postgres.HoldTimes
	pool := openPool(t, holds.Option())
	hold := func(d time.Duration) {
		conn, err := pool.Acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(d)
		conn.Release()
	}
	hold(time.Millisecond) // before the window: not recorded
	holds.Window(true)
	for range 3 {
		hold(30 * time.Millisecond)
	}
	holds.Window(false)
	hold(time.Second) // after: not recorded
	p50, p99 := holds.Percentiles()
	if p50 < 30*time.Millisecond || p99 < 30*time.Millisecond || p99 >= time.Second {
		t.Fatalf("p50 %v, p99 %v: want the three 30 ms holds only", p50, p99)
	}
	holds.Window(true)
	if p50, p99 := holds.Percentiles(); p50 != 0 || p99 != 0 {
		t.Fatalf("a new window starts empty, got %v / %v", p50, p99)
	}
}
