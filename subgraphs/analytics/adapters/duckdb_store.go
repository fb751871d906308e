package adapters

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// duckdbCheckpointThreshold is the write-ahead log size at which DuckDB checkpoints.
var duckdbCheckpointThreshold = "512MB"

// DuckDBStore is the embedded OLAP store: DuckDB in this process, in a file or in memory.
type DuckDBStore struct {
	olap
	db *sql.DB
	// mu serializes writes: DuckDB has one writer at a time per database anyway.
	mu sync.Mutex
	// w is the connection every write goes through, held for the store's life: its temporary
	// increments tables (duckdb_rollups.go) are created once, and wstmts are the write's
	// statements prepared on it once.
	w      *sql.Conn
	wstmts *stmtCache
}

var eventColumns = []string{"event_id", "event_type", "event_version", "schema_version", "source", "subject", "occurred_at",
	"order_id", "restaurant_id", "customer_id", "driver_id", "status_from", "status_to", "reason", "amount_minor",
	"delivery_fee_minor", "currency", "lat", "lng", "zone", "order_placed_at", "order_total_minor"}

var dishColumns = []string{"event_id", "line", "order_id", "restaurant_id", "occurred_at", "menu_item_id", "name", "quantity", "amount_minor"}

// DuckDBOption sets up the embedded database as OpenDuckDB opens it.
type DuckDBOption func(*duckdbOptions)

type duckdbOptions struct{ threads int }

// WithDuckDBThreads sets DuckDB's threads (its task scheduler's, for every query of the
// database; n <= 0: DuckDB's default, one per core). One thread runs each statement on the
// caller's thread: at the live consumer's batches of a dozen events a write is some 30
// small statements, and waking a second worker for each cost a fifth of the write's CPU
// (analytics-bench -trickle); a large dashboard read then runs on one core.
func WithDuckDBThreads(n int) DuckDBOption { return func(o *duckdbOptions) { o.threads = n } }

// OpenDuckDB opens (creating) the database file at path, or an in-memory one when path is
// empty, and migrates it. A file belongs to one process at a time.
func OpenDuckDB(ctx context.Context, path string, opts ...DuckDBOption) (*DuckDBStore, error) {
	var o duckdbOptions
	for _, f := range opts {
		f(&o)
	}
	if path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
	}
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, fmt.Errorf("duckdb %q: %w", path, err)
	}
	db := sql.OpenDB(connector)
	// DuckDB checkpoints (rewrites the changed row groups of every table into the file) when
	// its write-ahead log passes checkpoint_threshold, 16 MB by default: a batch of 20,000
	// events logs about that much, so every write paid a checkpoint (half the write time at
	// 1M events). A larger log checkpoints a batch's tables once per dozens of batches; the
	// log is replayed on open after a crash, which takes seconds at this size.
	if _, err := db.ExecContext(ctx, "SET checkpoint_threshold = '"+duckdbCheckpointThreshold+"'"); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("duckdb %q: checkpoint threshold: %w", path, err)
	}
	if o.threads > 0 {
		if _, err := db.ExecContext(ctx, fmt.Sprintf("SET threads = %d", o.threads)); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("duckdb %q: threads: %w", path, err)
		}
	}
	// Queries run on idle connections of the pool, each with the statements prepared on it
	// (stmt_cache.go): keep a few idle rather than re-preparing on new ones.
	db.SetMaxIdleConns(8)
	s := &DuckDBStore{olap: olap{db: db, d: duckdbDialect, clock: &stepClock{}, stmts: newStmtCache(1000, db.PrepareContext),
		recent: newPlacementCache(50_000)}, db: db}
	err = migrate(ctx, db, "duckdb",
		`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP DEFAULT current_timestamp)`,
		func(ctx context.Context, v int, name string) error {
			_, err := db.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", v, name)
			return err
		})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("duckdb %q: %w", path, err)
	}
	if s.w, err = db.Conn(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("duckdb %q: writer connection: %w", path, err)
	}
	s.wstmts = newStmtCache(100, s.w.PrepareContext)
	if _, err := s.w.ExecContext(ctx, "CREATE TEMP TABLE increments ("+incrementsCols+")"); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("duckdb %q: increments table: %w", path, err)
	}
	return s, nil
}

// exec runs q with args on the writer connection, prepared once.
func (s *DuckDBStore) exec(ctx context.Context, q string, args ...any) error {
	st, err := s.wstmts.get(ctx, q)
	if err != nil {
		return err
	}
	if st == nil {
		_, err = s.w.ExecContext(ctx, q, args...)
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

// Write drops the batch's events stored already and stamps the rest (see prepare), computes
// what the new rows add to the rollups (duckdb_rollups.go), then appends every table's rows
// through DuckDB's appender and adds the increments in one transaction: a failed write adds
// nothing, its retry finds nothing stored and writes it all.
func (s *DuckDBStore) Write(ctx context.Context, b domain.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prepare(ctx, b)
	if err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	if len(p.facts) == 0 {
		return nil
	}
	inc, err := s.increments(ctx, p)
	if err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	adds := inc.adds()
	if err := s.exec(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("duckdb begin: %w", err)
	}
	err = s.apply(ctx, p, adds)
	if err != nil {
		_ = s.exec(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("duckdb write: %w", err)
	}
	start := time.Now()
	err = s.exec(ctx, "COMMIT")
	s.clock.since("commit", start)
	if err != nil {
		return fmt.Errorf("duckdb commit: %w", err)
	}
	for i := range p.orders { // stored now: later events of these orders find them here
		f := &p.orders[i]
		s.recent.add(f.OrderID, placement{at: f.OccurredAt, restaurantID: f.RestaurantID, totalMinor: f.AmountMinor})
	}
	return nil
}

// apply appends the prepared batch's rows to every table and adds the increments to the
// rollups, in the writer connection's open transaction.
func (s *DuckDBStore) apply(ctx context.Context, p prepared, adds []rollupAdd) error {
	if len(adds) > 0 {
		if err := s.exec(ctx, "DELETE FROM increments"); err != nil {
			return fmt.Errorf("increments: %w", err)
		}
	}
	err := s.w.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("duckdb: unexpected driver connection")
		}
		if err := s.appendRows(c, "events", eventColumns, len(p.facts), func(i int) []driver.Value {
			f := &p.facts[i]
			return []driver.Value{f.EventID, f.EventType, uint16(f.EventVersion), uint16(f.SchemaVersion), f.Source, f.Subject,
				f.OccurredAt.Unix(), f.OrderID, f.RestaurantID, f.CustomerID, f.DriverID, f.StatusFrom, f.StatusTo, f.Reason,
				f.AmountMinor, f.DeliveryFeeMinor, f.Currency, f.Lat, f.Lng, f.Zone, unixOrZero(f.OrderPlacedAt), f.OrderTotalMinor}
		}); err != nil {
			return err
		}
		if err := s.appendRows(c, "dishes", dishColumns, len(p.dishes), func(i int) []driver.Value {
			d := &p.dishes[i]
			return []driver.Value{d.EventID, uint16(d.Line), d.OrderID, d.RestaurantID, d.OccurredAt.Unix(), d.MenuItemID, d.Name,
				d.Quantity, d.AmountMinor}
		}); err != nil {
			return err
		}
		if err := s.appendRows(c, "orders", []string{"order_id", "placed_at", "restaurant_id", "total_minor"}, len(p.orders), func(i int) []driver.Value {
			f := &p.orders[i]
			return []driver.Value{f.OrderID, f.OccurredAt.Unix(), f.RestaurantID, f.AmountMinor}
		}); err != nil {
			return err
		}
		if err := s.appendRows(c, "unplaced", []string{"event_type", "occurred_at", "order_id"}, len(p.unplaced), func(i int) []driver.Value {
			f := &p.unplaced[i]
			return []driver.Value{f.EventType, f.OccurredAt.Unix(), f.OrderID}
		}); err != nil {
			return err
		}
		err := s.appendRows(c, "deliveries", []string{"order_id", "restaurant_id", "placed_at", "accepted_at", "ready_at", "picked_at", "delivered_at"},
			len(p.deliveries), func(i int) []driver.Value {
				d := &p.deliveries[i]
				return []driver.Value{d.orderID, d.restaurantID, unixOrZero(d.placed), unixOrZero(d.accepted), unixOrZero(d.ready),
					unixOrZero(d.picked), unixOrZero(d.delivered)}
			})
		if err != nil {
			return err
		}
		stepCols := []string{"placed_at", "restaurant_id", "order_id", "step", "reason", "ref", "amount_minor"}
		if err := s.appendRows(c, "order_steps", stepCols, len(p.steps), func(i int) []driver.Value {
			x := &p.steps[i]
			return []driver.Value{x.placed, x.restaurantID, x.orderID, x.step, x.reason, x.ref, x.amountMinor}
		}); err != nil {
			return err
		}
		if err := s.appendRows(c, "unplaced_steps", []string{"order_id", "occurred_at", "step", "reason", "ref", "amount_minor"}, len(p.unplacedSteps),
			func(i int) []driver.Value {
				x := &p.unplacedSteps[i]
				return []driver.Value{x.orderID, x.at, x.step, x.reason, x.ref, x.amountMinor}
			}); err != nil {
			return err
		}
		return s.appendIncrements(c, adds)
	})
	if err != nil {
		return err
	}
	return s.mergeIncrements(ctx, adds)
}

// appendRows appends n rows (row(i) in cols' order) to table.
func (s *DuckDBStore) appendRows(c driver.Conn, table string, cols []string, n int, row func(int) []driver.Value) error {
	if n == 0 {
		return nil
	}
	defer s.clock.since("insert "+table, time.Now())
	a, err := duckdb.NewAppenderWithColumns(c, "", "", table, cols)
	if err != nil {
		return fmt.Errorf("%s appender: %w", table, err)
	}
	for i := range n {
		if err := a.AppendRow(row(i)...); err != nil {
			_ = a.Close()
			return fmt.Errorf("append to %s: %w", table, err)
		}
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("insert %d rows into %s: %w", n, table, err)
	}
	return nil
}

// unixOrZero is t in epoch seconds, 0 (the tables' "not known") for the zero time.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// Ping checks the database answers.
func (s *DuckDBStore) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Close closes the database.
func (s *DuckDBStore) Close() error {
	if s.wstmts != nil {
		s.wstmts.close()
	}
	if s.w != nil {
		_ = s.w.Close()
	}
	s.stmts.close()
	return s.db.Close()
}
