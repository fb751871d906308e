package postgres

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// HoldTimes records how long a pool's connections are held, acquire to release: for a
// consumer's pool, one transaction each. Benchmarks use it; it records only while its
// window is open. The zero value is ready to use; pass Option() when opening the pool.
type HoldTimes struct {
	mu    sync.Mutex
	since map[*pgx.Conn]time.Time
	held  []time.Duration
	on    bool
}

// Option sets the pool's PrepareConn and AfterRelease hooks to time each hold.
func (h *HoldTimes) Option() Option {
	return func(c *pgxpool.Config) {
		c.PrepareConn = func(_ context.Context, conn *pgx.Conn) (bool, error) {
			h.mu.Lock()
			if h.since == nil {
				h.since = map[*pgx.Conn]time.Time{}
			}
			h.since[conn] = time.Now()
			h.mu.Unlock()
			return true, nil
		}
		c.AfterRelease = func(conn *pgx.Conn) bool {
			h.mu.Lock()
			if t, ok := h.since[conn]; ok && h.on {
				h.held = append(h.held, time.Since(t))
			}
			delete(h.since, conn)
			h.mu.Unlock()
			return true
		}
	}
}

// Window turns recording on (forgetting what was recorded before) or off.
func (h *HoldTimes) Window(on bool) {
	h.mu.Lock()
	if on {
		h.held = h.held[:0]
	}
	h.on = on
	h.mu.Unlock()
}

// Percentiles returns the p50 and p99 of the holds recorded (0, 0 for none).
func (h *HoldTimes) Percentiles() (p50, p99 time.Duration) {
	h.mu.Lock()
	d := slices.Clone(h.held)
	h.mu.Unlock()
	if len(d) == 0 {
		return 0, 0
	}
	slices.Sort(d)
	return d[len(d)/2], d[min(len(d)-1, len(d)*99/100)]
}
