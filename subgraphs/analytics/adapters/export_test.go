package adapters

// SetBeforeInsert makes the store run f between a write's check of stored ids and its
// inserts (tests: two writers made to race).
func SetBeforeInsert(s *ClickHouseStore, f func()) { s.beforeInsert = f }
