package adapters

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	// clickhouse-go v1 (database/sql, native protocol): v2 cannot insert into the 18.16
	// server the package registries serve (see the README).
	"github.com/ClickHouse/clickhouse-go"
	"github.com/ClickHouse/clickhouse-go/lib/data"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// ClickHouseStore is the OLAP store on a ClickHouse server (18.16 and later).
type ClickHouseStore struct {
	olap
	db       *sql.DB
	database string
	dsn      string
	// mu serialises writes (a consumer's batches are serial anyway); directs holds the idle
	// direct connections a write's concurrent block inserts go through (poolMu guards it).
	mu      sync.Mutex
	poolMu  sync.Mutex
	directs []clickhouse.Clickhouse
	// beforeInsert, when set (tests), runs between a write's check of stored ids and its
	// inserts: two writers that wait for each other there both insert the same events.
	beforeInsert func()
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
	s := &ClickHouseStore{olap: olap{db: db, d: clickhouseDialect, clock: &stepClock{}}, db: db, database: database, dsn: u.String()}
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

const (
	insertEvents = `INSERT INTO events (event_id, event_type, event_version, schema_version, source, subject, occurred_at,
		order_id, restaurant_id, customer_id, driver_id, status_from, status_to, reason, amount_minor, delivery_fee_minor,
		currency, lat, lng, zone, order_placed_at, order_total_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertDishes = `INSERT INTO dishes (event_id, line, order_id, restaurant_id, occurred_at, menu_item_id, name, quantity,
		amount_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertSteps = `INSERT INTO order_steps (placed_at, restaurant_id, order_id, step, reason, ref, amount_minor)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	insertUnplacedSteps = `INSERT INTO unplaced_steps (order_id, occurred_at, step, reason, ref, amount_minor) VALUES (?, ?, ?, ?, ?, ?)`
	insertUnplaced      = `INSERT INTO unplaced (event_type, occurred_at, order_id) VALUES (?, ?, ?)`
	insertOrders        = `INSERT INTO orders (order_id, placed_at, restaurant_id, total_minor) VALUES (?, ?, ?, ?)`
	insertDeliveries    = `INSERT INTO deliveries (order_id, restaurant_id, placed_at, accepted_at, ready_at, picked_at, delivered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
)

// Write drops the batch's events stored already and stamps the rest (see prepare), then
// inserts them as one block per table, column by column through clickhouse-go v1's direct
// block API (database/sql's per-row conversion of 20 arguments costs more than the insert).
// The rows derived from the events (orders, deliveries, dish lines, steps) go in before the
// events, each table's block on a connection of its own, at once: a write that fails part
// way is retried whole, and the retry skips what it finds stored, so the events must be the
// last thing a failed attempt could have written. (A failure between the derived rows and
// the events leaves derived rows the retry writes again; reads count them once, as they do
// rows of two writers.) The rollups are recomputed last, the six at once (each statement
// waits mostly on the server; on a loaded machine four run in the time of one or two).
func (s *ClickHouseStore) Write(ctx context.Context, b domain.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := s.prepare(ctx, b)
	if err != nil {
		return fmt.Errorf("clickhouse: %w", err)
	}
	if s.beforeInsert != nil {
		s.beforeInsert()
	}
	derived := []func() error{
		func() error {
			return s.wrap("unplaced", len(p.unplaced), s.writeBlock(insertUnplaced, len(p.unplaced), p.fillUnplaced))
		},
		func() error {
			return s.wrap("orders", len(p.orders), s.writeBlock(insertOrders, len(p.orders), p.fillOrders))
		},
		func() error {
			return s.wrap("deliveries", len(p.deliveries), s.writeBlock(insertDeliveries, len(p.deliveries), p.fillDeliveries))
		},
		func() error {
			return s.wrap("dish lines", len(p.dishes), s.writeBlock(insertDishes, len(p.dishes), p.fillDishes))
		},
		func() error {
			return s.wrap("order steps", len(p.steps), s.writeBlock(insertSteps, len(p.steps), p.fillSteps))
		},
		func() error {
			return s.wrap("unplaced order steps", len(p.unplacedSteps),
				s.writeBlock(insertUnplacedSteps, len(p.unplacedSteps), p.fillUnplacedSteps))
		},
	}
	if err := together(derived); err != nil {
		return err
	}
	if err := s.wrap("events", len(p.facts), s.writeBlock(insertEvents, len(p.facts), p.fillEvents)); err != nil {
		return err
	}
	// The rollups of every key the batch touches, its events stored before or now, are
	// recomputed from the events (sales_slots.go, funnel_days.go, driver_days.go): also when
	// this write found them all stored, as a failed write's retry may.
	var refresh []func() error
	add := func(table string, keys []int64, query func([]int64) string) {
		if len(keys) == 0 {
			return
		}
		refresh = append(refresh, func() error {
			start := time.Now()
			_, err := s.db.ExecContext(ctx, query(keys))
			s.clock.since("refresh "+table, start)
			if err != nil {
				return fmt.Errorf("clickhouse %s: %w", table, err)
			}
			return nil
		})
	}
	add("sales_slots", createdSlots(b.Facts), s.refreshSalesSQL)
	add("funnel_days", sortedDays(p.stepDays), s.refreshFunnelSQL)
	add("platform_slots", createdSlots(b.Facts), s.refreshPlatformSalesSQL)
	add("funnel_platform", sortedDays(p.stepDays), s.refreshFunnelPlatformSQL)
	add("restaurant_days", createdDays(b.Facts), s.refreshSalesDaysSQL("restaurant_days", "restaurant_id"))
	add("zone_days", createdDays(b.Facts), s.refreshSalesDaysSQL("zone_days", "zone"))
	add("driver_days", locationDays(b.Facts), s.refreshDriversSQL)
	add("dish_slots", lineSlots(b.Dishes), s.refreshDishesSQL)
	add("delivery_seconds", sortedDays(p.deliveryDays), s.refreshDeliverySQL)
	add("driver_deliveries", deliveredDays(b.Facts), s.refreshDeliveriesSQL)
	if days := lineDays(b.Dishes); len(days) > 0 {
		refresh = append(refresh, func() error {
			start := time.Now()
			defer s.clock.since("refresh dish_blocks", start)
			first, last := lineWindow(b.Dishes)
			for _, q := range s.refreshDishBlocksSQL(days, first, last) {
				if _, err := s.db.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("clickhouse dish_blocks: %w", err)
				}
			}
			return nil
		})
	}
	return together(refresh)
}

// wrap names the table of a failed insert of n rows.
func (s *ClickHouseStore) wrap(what string, n int, err error) error {
	if err != nil {
		return fmt.Errorf("clickhouse insert %d %s: %w", n, what, err)
	}
	return nil
}

// together runs fns at once and returns the first error (after all have ended).
func together(fns []func() error) error {
	if len(fns) == 1 {
		return fns[0]()
	}
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (p *prepared) fillUnplaced(block *data.Block) {
	f := p.unplaced
	for i := range f {
		_ = block.WriteString(0, f[i].EventType)
	}
	for i := range f {
		_ = block.WriteDateTime(1, f[i].OccurredAt)
	}
	for i := range f {
		_ = block.WriteString(2, f[i].OrderID)
	}
}

func (p *prepared) fillOrders(block *data.Block) {
	f := p.orders
	for i := range f {
		_ = block.WriteString(0, f[i].OrderID)
	}
	for i := range f {
		_ = block.WriteDateTime(1, f[i].OccurredAt)
	}
	for i := range f {
		_ = block.WriteString(2, f[i].RestaurantID)
	}
	for i := range f {
		_ = block.WriteUInt64(3, uint64(f[i].AmountMinor))
	}
}

func (p *prepared) fillDeliveries(block *data.Block) {
	d := p.deliveries
	for i := range d {
		_ = block.WriteString(0, d[i].orderID)
	}
	for i := range d {
		_ = block.WriteString(1, d[i].restaurantID)
	}
	for c, col := range []func(deliveryRow) time.Time{
		func(x deliveryRow) time.Time { return x.placed }, func(x deliveryRow) time.Time { return x.accepted },
		func(x deliveryRow) time.Time { return x.ready }, func(x deliveryRow) time.Time { return x.picked },
		func(x deliveryRow) time.Time { return x.delivered },
	} {
		for i := range d {
			_ = block.WriteDateTime(2+c, epochOrZero(col(d[i])))
		}
	}
}

func (p *prepared) fillDishes(block *data.Block) {
	d := p.dishes
	for i := range d {
		_ = block.WriteString(0, d[i].EventID)
	}
	for i := range d {
		_ = block.WriteUInt16(1, uint16(d[i].Line))
	}
	for i := range d {
		_ = block.WriteString(2, d[i].OrderID)
	}
	for i := range d {
		_ = block.WriteString(3, d[i].RestaurantID)
	}
	for i := range d {
		_ = block.WriteDateTime(4, d[i].OccurredAt)
	}
	for i := range d {
		_ = block.WriteString(5, d[i].MenuItemID)
	}
	for i := range d {
		_ = block.WriteString(6, d[i].Name)
	}
	for i := range d {
		_ = block.WriteUInt64(7, uint64(d[i].Quantity))
	}
	for i := range d {
		_ = block.WriteUInt64(8, uint64(d[i].AmountMinor))
	}
}

func (p *prepared) fillSteps(block *data.Block) {
	x := p.steps
	for i := range x {
		_ = block.WriteDateTime(0, time.Unix(x[i].placed, 0))
	}
	for c, col := range []func(stepRow) string{
		func(r stepRow) string { return r.restaurantID }, func(r stepRow) string { return r.orderID },
		func(r stepRow) string { return r.step }, func(r stepRow) string { return r.reason }, func(r stepRow) string { return r.ref },
	} {
		for i := range x {
			_ = block.WriteString(1+c, col(x[i]))
		}
	}
	for i := range x {
		_ = block.WriteUInt64(6, uint64(x[i].amountMinor))
	}
}

func (p *prepared) fillUnplacedSteps(block *data.Block) {
	x := p.unplacedSteps
	for i := range x {
		_ = block.WriteString(0, x[i].orderID)
	}
	for i := range x {
		_ = block.WriteDateTime(1, time.Unix(x[i].at, 0))
	}
	for c, col := range []func(stepRow) string{
		func(r stepRow) string { return r.step }, func(r stepRow) string { return r.reason }, func(r stepRow) string { return r.ref },
	} {
		for i := range x {
			_ = block.WriteString(2+c, col(x[i]))
		}
	}
	for i := range x {
		_ = block.WriteUInt64(5, uint64(x[i].amountMinor))
	}
}

func (p *prepared) fillEvents(block *data.Block) {
	f := p.facts
	for i := range f {
		_ = block.WriteString(0, f[i].EventID)
	}
	for i := range f {
		_ = block.WriteString(1, f[i].EventType)
	}
	for i := range f {
		_ = block.WriteUInt16(2, uint16(f[i].EventVersion))
	}
	for i := range f {
		_ = block.WriteUInt16(3, uint16(f[i].SchemaVersion))
	}
	for i := range f {
		_ = block.WriteString(4, f[i].Source)
	}
	for i := range f {
		_ = block.WriteString(5, f[i].Subject)
	}
	for i := range f {
		_ = block.WriteDateTime(6, f[i].OccurredAt)
	}
	for c, col := range []func(domain.Fact) string{
		func(x domain.Fact) string { return x.OrderID }, func(x domain.Fact) string { return x.RestaurantID },
		func(x domain.Fact) string { return x.CustomerID }, func(x domain.Fact) string { return x.DriverID },
		func(x domain.Fact) string { return x.StatusFrom }, func(x domain.Fact) string { return x.StatusTo },
		func(x domain.Fact) string { return x.Reason },
	} {
		for i := range f {
			_ = block.WriteString(7+c, col(f[i]))
		}
	}
	for i := range f {
		_ = block.WriteUInt64(14, uint64(f[i].AmountMinor)) // Int64: the same eight bytes
	}
	for i := range f {
		_ = block.WriteUInt64(15, uint64(f[i].DeliveryFeeMinor))
	}
	for i := range f {
		_ = block.WriteString(16, f[i].Currency)
	}
	for i := range f {
		_ = block.WriteFloat64(17, f[i].Lat)
	}
	for i := range f {
		_ = block.WriteFloat64(18, f[i].Lng)
	}
	for i := range f {
		_ = block.WriteString(19, f[i].Zone)
	}
	for i := range f {
		_ = block.WriteDateTime(20, epochOrZero(f[i].OrderPlacedAt))
	}
	for i := range f {
		_ = block.WriteUInt64(21, uint64(f[i].OrderTotalMinor))
	}
}

// epochOrZero is t, or the epoch (the tables' "not known") for the zero time.
func epochOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Unix(0, 0)
	}
	return t
}

// writeBlock sends n rows, filled column by column by fill, as one block in one insert,
// over an idle direct connection (a new one when none is idle). A failed insert closes its
// connection.
func (s *ClickHouseStore) writeBlock(query string, n int, fill func(*data.Block)) (err error) {
	if n == 0 {
		return nil
	}
	defer s.clock.since("insert "+strings.Fields(query)[2], time.Now())
	c, err := s.direct()
	if err != nil {
		return fmt.Errorf("clickhouse connect: %w", err)
	}
	defer func() {
		if err != nil {
			_ = c.Close()
			return
		}
		s.poolMu.Lock()
		s.directs = append(s.directs, c)
		s.poolMu.Unlock()
	}()
	if _, err := c.Begin(); err != nil {
		return err
	}
	if _, err := c.Prepare(query); err != nil {
		return err
	}
	block, err := c.Block()
	if err != nil {
		return err
	}
	block.Reserve()
	block.NumRows += uint64(n)
	fill(block)
	if err := c.WriteBlock(block); err != nil {
		return err
	}
	return c.Commit()
}

// direct is an idle direct connection, or a new one.
func (s *ClickHouseStore) direct() (clickhouse.Clickhouse, error) {
	s.poolMu.Lock()
	if n := len(s.directs); n > 0 {
		c := s.directs[n-1]
		s.directs = s.directs[:n-1]
		s.poolMu.Unlock()
		return c, nil
	}
	s.poolMu.Unlock()
	return clickhouse.OpenDirect(s.dsn)
}

// Ping checks the server answers.
func (s *ClickHouseStore) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Close closes the connections.
func (s *ClickHouseStore) Close() error {
	s.mu.Lock()
	s.poolMu.Lock()
	for _, c := range s.directs {
		_ = c.Close()
	}
	s.directs = nil
	s.poolMu.Unlock()
	s.mu.Unlock()
	return s.db.Close()
}

// Database is the store's database name.
func (s *ClickHouseStore) Database() string { return s.database }

// DropDatabase drops the store's database (tests and benchmarks).
func (s *ClickHouseStore) DropDatabase(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+s.database)
	return err
}

// Optimize merges every part now, collapsing duplicates (benchmarks measure both ways).
func (s *ClickHouseStore) Optimize(ctx context.Context) error {
	for _, t := range []string{"events", "dishes", "orders", "deliveries", "unplaced", "sales_slots", "dish_slots", "order_steps",
		"unplaced_steps", "funnel_days", "driver_days", "delivery_seconds", "driver_deliveries",
		"platform_slots", "funnel_platform", "restaurant_days", "zone_days", "dish_blocks"} {
		if _, err := s.db.ExecContext(ctx, "OPTIMIZE TABLE "+t+" FINAL"); err != nil {
			return err
		}
	}
	return nil
}
