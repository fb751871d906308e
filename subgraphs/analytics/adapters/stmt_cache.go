package adapters

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by their text, so a query run again (the same text,
// other arguments) is bound and executed without being parsed and planned again: DuckDB
// parses and plans every statement it is sent as text, which at the live consumer's batches
// of a dozen events cost more than the work the statements do. Texts that differ by more than
// their arguments (IN lists of n marks) fill the cache up to max entries; later texts run
// unprepared.
type stmtCache struct {
	mu      sync.Mutex
	prepare func(ctx context.Context, q string) (*sql.Stmt, error)
	stmts   map[string]*sql.Stmt
	max     int
}

func newStmtCache(max int, prepare func(ctx context.Context, q string) (*sql.Stmt, error)) *stmtCache {
	return &stmtCache{prepare: prepare, stmts: map[string]*sql.Stmt{}, max: max}
}

// get is q's prepared statement, nil when the cache is full (run q as text).
func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	if len(c.stmts) >= c.max {
		return nil, nil
	}
	st, err := c.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	c.stmts[q] = st
	return st, nil
}

// close closes the statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
}
