package adapters

// SetBeforeInsert makes the store run f between a write's check of stored ids and its
// inserts (tests: two writers made to race).
func SetBeforeInsert(s *ClickHouseStore, f func()) { s.beforeInsert = f }

// SetStatementCacheSize bounds the DuckDB store's prepared statements (0: every statement
// runs as text, as it does once the cache is full).
func SetStatementCacheSize(s *DuckDBStore, n int) {
	s.stmts.mu.Lock()
	s.stmts.max = n
	s.stmts.mu.Unlock()
	s.wstmts.mu.Lock()
	s.wstmts.max = n
	s.wstmts.mu.Unlock()
}
