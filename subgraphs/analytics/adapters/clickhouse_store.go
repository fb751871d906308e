package adapters

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"regexp"
	"time"

	// clickhouse-go v1 (database/sql, native protocol): v2 cannot insert into the 18.16
	// server the package registries serve (see the README).
	_ "github.com/ClickHouse/clickhouse-go"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// ClickHouseStore is the OLAP store on a ClickHouse server (18.16 and later).
type ClickHouseStore struct {
	olap
	db       *sql.DB
	database string
}

var databaseName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// OpenClickHouse connects to serverURL (tcp://host:port[?options]), creates database when
// missing, and migrates it.
func OpenClickHouse(ctx context.Context, serverURL, database string) (*ClickHouseStore, error) {
	if !databaseName.MatchString(database) {
		return nil, fmt.Errorf("clickhouse database %q: want letters, digits and _", database)
	}
	u, err := url.Parse(serverURL)
	if err != nil || u.Scheme != "tcp" || u.Host == "" {
		return nil, fmt.Errorf("clickhouse url %q: want tcp://host:port", serverURL)
	}
	q := u.Query()
	q.Set("read_timeout", "30")
	q.Set("write_timeout", "30")
	u.RawQuery = q.Encode()
	boot, err := sql.Open("clickhouse", u.String())
	if err != nil {
		return nil, err
	}
	_, err = boot.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+database)
	_ = boot.Close()
	if err != nil {
		return nil, fmt.Errorf("clickhouse at %s: create database %s: %w", u.Host, database, err)
	}
	q.Set("database", database)
	u.RawQuery = q.Encode()
	db, err := sql.Open("clickhouse", u.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxLifetime(10 * time.Minute)
	s := &ClickHouseStore{olap: olap{db: db, d: clickhouseDialect}, db: db, database: database}
	err = migrate(ctx, db, "clickhouse",
		`CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at DateTime DEFAULT now()) ENGINE = TinyLog`,
		func(ctx context.Context, v int, name string) error {
			return s.insert(ctx, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", 1, func(stmt *sql.Stmt, _ int) error {
				_, err := stmt.ExecContext(ctx, uint32(v), name)
				return err
			})
		})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("clickhouse %s: %w", database, err)
	}
	return s, nil
}

// insert sends n rows as one block: clickhouse-go v1 batches a prepared INSERT's rows in a
// transaction and sends them at commit.
func (s *ClickHouseStore) insert(ctx context.Context, query string, n int, row func(*sql.Stmt, int) error) error {
	if n == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	for i := range n {
		if err := row(stmt, i); err != nil {
			_ = stmt.Close()
			_ = tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		_ = stmt.Close()
		return err
	}
	return stmt.Close()
}

// Write inserts the batch as one block per table. Idempotency is the table's: a row whose
// event id is stored already collapses into it (merge or FINAL).
func (s *ClickHouseStore) Write(ctx context.Context, b domain.Batch) error {
	err := s.insert(ctx, `INSERT INTO events (event_id, event_type, event_version, schema_version, source, subject, occurred_at,
		order_id, restaurant_id, customer_id, driver_id, status_from, status_to, reason, amount_minor, delivery_fee_minor,
		currency, lat, lng, zone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, len(b.Facts),
		func(stmt *sql.Stmt, i int) error {
			f := b.Facts[i]
			_, err := stmt.ExecContext(ctx, f.EventID, f.EventType, uint16(f.EventVersion), uint16(f.SchemaVersion), f.Source, f.Subject,
				f.OccurredAt, f.OrderID, f.RestaurantID, f.CustomerID, f.DriverID, f.StatusFrom, f.StatusTo, f.Reason,
				f.AmountMinor, f.DeliveryFeeMinor, f.Currency, f.Lat, f.Lng, f.Zone)
			return err
		})
	if err != nil {
		return fmt.Errorf("clickhouse insert %d events: %w", len(b.Facts), err)
	}
	err = s.insert(ctx, `INSERT INTO dishes (event_id, line, order_id, restaurant_id, occurred_at, menu_item_id, name, quantity,
		amount_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, len(b.Dishes), func(stmt *sql.Stmt, i int) error {
		d := b.Dishes[i]
		_, err := stmt.ExecContext(ctx, d.EventID, uint16(d.Line), d.OrderID, d.RestaurantID, d.OccurredAt, d.MenuItemID, d.Name,
			d.Quantity, d.AmountMinor)
		return err
	})
	if err != nil {
		return fmt.Errorf("clickhouse insert %d dish lines: %w", len(b.Dishes), err)
	}
	return nil
}

// Ping checks the server answers.
func (s *ClickHouseStore) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Close closes the connections.
func (s *ClickHouseStore) Close() error { return s.db.Close() }

// DropDatabase drops the store's database (tests and benchmarks).
func (s *ClickHouseStore) DropDatabase(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+s.database)
	return err
}

// Optimize merges every part now, collapsing duplicates (benchmarks measure both ways).
func (s *ClickHouseStore) Optimize(ctx context.Context) error {
	for _, t := range []string{"events", "dishes"} {
		if _, err := s.db.ExecContext(ctx, "OPTIMIZE TABLE "+t+" FINAL"); err != nil {
			return err
		}
	}
	return nil
}
