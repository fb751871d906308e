package adapters

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// DuckDBStore is the embedded OLAP store: DuckDB in this process, in a file or in memory.
type DuckDBStore struct {
	olap
	db *sql.DB
	// mu serializes writes: DuckDB has one writer at a time per database anyway.
	mu sync.Mutex
}

var eventColumns = []string{"event_id", "event_type", "event_version", "schema_version", "source", "subject", "occurred_at",
	"order_id", "restaurant_id", "customer_id", "driver_id", "status_from", "status_to", "reason", "amount_minor",
	"delivery_fee_minor", "currency", "lat", "lng", "zone"}

var dishColumns = []string{"event_id", "line", "order_id", "restaurant_id", "occurred_at", "menu_item_id", "name", "quantity", "amount_minor"}

// OpenDuckDB opens (creating) the database file at path, or an in-memory one when path is
// empty, and migrates it. A file belongs to one process at a time.
func OpenDuckDB(ctx context.Context, path string) (*DuckDBStore, error) {
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
	s := &DuckDBStore{olap: olap{db: db, d: duckdbDialect}, db: db}
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
	return s, nil
}

func conflictFree(table string, cols []string) string {
	sel := make([]string, len(cols))
	for i := range cols {
		sel[i] = fmt.Sprintf("col%d", i+1)
	}
	return fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM appended_data ON CONFLICT DO NOTHING",
		table, strings.Join(cols, ", "), strings.Join(sel, ", "))
}

// Write appends the batch through DuckDB's appender into an INSERT ... ON CONFLICT DO
// NOTHING, in one transaction: an event id already stored (or twice in the batch) adds
// nothing.
func (s *DuckDBStore) Write(ctx context.Context, b domain.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("duckdb: unexpected driver connection")
		}
		seen := make(map[string]bool, len(b.Facts))
		a, err := duckdb.NewTableAppender(c, conflictFree("events", eventColumns), "", "", "events", eventColumns)
		if err != nil {
			return fmt.Errorf("events appender: %w", err)
		}
		for _, f := range b.Facts {
			if seen[f.EventID] {
				continue
			}
			seen[f.EventID] = true
			if err := a.AppendRow(f.EventID, f.EventType, uint16(f.EventVersion), uint16(f.SchemaVersion), f.Source, f.Subject,
				f.OccurredAt.Unix(), f.OrderID, f.RestaurantID, f.CustomerID, f.DriverID, f.StatusFrom, f.StatusTo, f.Reason,
				f.AmountMinor, f.DeliveryFeeMinor, f.Currency, f.Lat, f.Lng, f.Zone); err != nil {
				_ = a.Close()
				return err
			}
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("insert %d events: %w", len(b.Facts), err)
		}
		if len(b.Dishes) == 0 {
			return nil
		}
		a, err = duckdb.NewTableAppender(c, conflictFree("dishes", dishColumns), "", "", "dishes", dishColumns)
		if err != nil {
			return fmt.Errorf("dishes appender: %w", err)
		}
		lines := make(map[string]bool, len(b.Dishes))
		for _, d := range b.Dishes {
			k := fmt.Sprintf("%s/%d", d.EventID, d.Line)
			if lines[k] {
				continue
			}
			lines[k] = true
			if err := a.AppendRow(d.EventID, uint16(d.Line), d.OrderID, d.RestaurantID, d.OccurredAt.Unix(), d.MenuItemID, d.Name,
				d.Quantity, d.AmountMinor); err != nil {
				_ = a.Close()
				return err
			}
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("insert %d dish lines: %w", len(b.Dishes), err)
		}
		return nil
	})
	if err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("duckdb write: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("duckdb commit: %w", err)
	}
	return nil
}

// Ping checks the database answers.
func (s *DuckDBStore) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Close closes the database.
func (s *DuckDBStore) Close() error { return s.db.Close() }
