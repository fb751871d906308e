package adapters

import (
	"maps"
	"sync"
	"time"
)

// stepClock adds up the wall-clock time a store's writes spend in each step (the id lookup,
// each table's insert, the rollups' refresh): what the benchmark reports as where
// ingestion's time goes.
type stepClock struct {
	mu    sync.Mutex
	spent map[string]time.Duration
}

// since adds the time since start to step.
func (c *stepClock) since(step string, start time.Time) {
	if c == nil {
		return
	}
	d := time.Since(start)
	c.mu.Lock()
	if c.spent == nil {
		c.spent = map[string]time.Duration{}
	}
	c.spent[step] += d
	c.mu.Unlock()
}

// WriteSteps is the wall-clock time the store's writes have spent in each step so far.
func (o olap) WriteSteps() map[string]time.Duration {
	if o.clock == nil {
		return nil
	}
	o.clock.mu.Lock()
	defer o.clock.mu.Unlock()
	return maps.Clone(o.clock.spent)
}
