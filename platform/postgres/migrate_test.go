package postgres_test

import (
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/platform/postgres"
)

func sqlFiles(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// orderMigrations depend on each other's order, and 0003 is not idempotent.
var orderMigrations = sqlFiles(map[string]string{
	"0001_create_orders.sql":     `CREATE TABLE orders (id text PRIMARY KEY);`,
	"0002_add_orders_status.sql": `ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'placed';`,
	"0003_seed_order.sql":        `INSERT INTO orders (id) VALUES ('o-1');`,
	"README.md":                  `not a migration`,
})

type appliedRow struct {
	Version int
	Name    string
}

func appliedRows(t *testing.T, pool *pgxpool.Pool, service string) []appliedRow {
	t.Helper()
	rows, _ := pool.Query(t.Context(),
		`SELECT version, name FROM schema_migrations WHERE service = $1 ORDER BY applied_at, version`, service)
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[appliedRow])
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return got
}

func countOrders(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM orders`).Scan(&n); err != nil {
		t.Fatalf("count orders: %v", err)
	}
	return n
}

func TestMigrate_appliesMigrationsInVersionOrder(t *testing.T) {
	t.Parallel()
	pool, _ := newSchemaPool(t)

	if err := postgres.Migrate(t.Context(), pool, "orders", orderMigrations); err != nil {
		t.Fatalf("Migrate: %v", err)
	}

	want := []appliedRow{{1, "0001_create_orders.sql"}, {2, "0002_add_orders_status.sql"}, {3, "0003_seed_order.sql"}}
	got := appliedRows(t, pool, "orders")
	if len(got) != len(want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("applied %v, want %v", got, want)
		}
	}
	var status string
	if err := pool.QueryRow(t.Context(), `SELECT status FROM orders WHERE id = 'o-1'`).Scan(&status); err != nil || status != "placed" {
		t.Fatalf("seeded order status = %q, %v", status, err)
	}
}

func TestMigrate_isANoOpWhenEverythingIsApplied(t *testing.T) {
	t.Parallel()
	pool, _ := newSchemaPool(t)

	for run := range 2 {
		if err := postgres.Migrate(t.Context(), pool, "orders", orderMigrations); err != nil {
			t.Fatalf("Migrate run %d: %v", run+1, err)
		}
	}
	if n := countOrders(t, pool); n != 1 {
		t.Fatalf("orders = %d after two runs, want the seed applied once", n)
	}
	if n := len(appliedRows(t, pool, "orders")); n != 3 {
		t.Fatalf("schema_migrations has %d rows, want 3", n)
	}
}

func TestMigrate_appliesEachMigrationOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	pool, schema := newSchemaPool(t)

	// Four replicas starting at once, each with its own pool.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		replica := openPool(t, inSchema(schema))
		wg.Go(func() { errs[i] = postgres.Migrate(t.Context(), replica, "orders", orderMigrations) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Migrate: %v", i, err)
		}
	}
	if n := countOrders(t, pool); n != 1 {
		t.Errorf("orders = %d, want the seed applied once", n)
	}
	if n := len(appliedRows(t, pool, "orders")); n != 3 {
		t.Errorf("schema_migrations has %d rows, want 3", n)
	}
}

func TestMigrate_rollsBackAFailingMigrationEntirely(t *testing.T) {
	t.Parallel()
	pool, _ := newSchemaPool(t)
	fsys := sqlFiles(map[string]string{
		"0001_create_orders.sql": `CREATE TABLE orders (id text PRIMARY KEY);`,
		"0002_create_payments.sql": `
			CREATE TABLE payments (id text PRIMARY KEY);
			INSERT INTO payments VALUES ('p-1');
			INSERT INTO orders VALUES ('o-1');
			SELECT 1 / 0;`,
	})

	err := postgres.Migrate(t.Context(), pool, "orders", fsys)
	if err == nil || !strings.Contains(err.Error(), "migrate orders: 0002_create_payments.sql: ") ||
		!strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("Migrate = %v, want the division by zero naming 0002_create_payments.sql", err)
	}
	if got := appliedRows(t, pool, "orders"); len(got) != 1 || got[0].Version != 1 {
		t.Errorf("applied %v, want only version 1", got)
	}
	var payments *string
	if err := pool.QueryRow(t.Context(), `SELECT to_regclass('payments')::text`).Scan(&payments); err != nil || payments != nil {
		t.Errorf("payments table exists after the failed migration (%v)", err)
	}
	if n := countOrders(t, pool); n != 0 {
		t.Errorf("orders = %d, want the failed migration's insert rolled back", n)
	}
}

func TestMigrate_refusesAnAppliedMigrationWhoseContentChanged(t *testing.T) {
	t.Parallel()
	pool, _ := newSchemaPool(t)
	if err := postgres.Migrate(t.Context(), pool, "orders", orderMigrations); err != nil {
		t.Fatalf("Migrate: %v", err)
	}

	edited := fstest.MapFS{}
	for name, f := range orderMigrations {
		edited[name] = f
	}
	edited["0002_add_orders_status.sql"] = &fstest.MapFile{Data: []byte(`ALTER TABLE orders ADD COLUMN status text;`)}
	edited["0004_add_orders_total.sql"] = &fstest.MapFile{Data: []byte(`ALTER TABLE orders ADD COLUMN total bigint;`)}

	err := postgres.Migrate(t.Context(), pool, "orders", edited)
	if err == nil || !strings.Contains(err.Error(), "0002_add_orders_status.sql was changed after it was applied") {
		t.Fatalf("Migrate = %v, want 0002_add_orders_status.sql named as changed", err)
	}
	if n := len(appliedRows(t, pool, "orders")); n != 3 {
		t.Errorf("schema_migrations has %d rows, want 0004 not applied past the changed file", n)
	}
}

func TestMigrate_keepsServicesSharingADatabaseApart(t *testing.T) {
	t.Parallel()
	pool, _ := newSchemaPool(t)
	if err := postgres.Migrate(t.Context(), pool, "orders", orderMigrations); err != nil {
		t.Fatalf("Migrate orders: %v", err)
	}
	wallet := sqlFiles(map[string]string{"0001_create_ledger.sql": `CREATE TABLE ledger (id bigint);`})
	if err := postgres.Migrate(t.Context(), pool, "wallet", wallet); err != nil {
		t.Fatalf("Migrate wallet: %v", err)
	}
	if got := appliedRows(t, pool, "wallet"); len(got) != 1 || got[0].Name != "0001_create_ledger.sql" {
		t.Fatalf("wallet applied %v, want its own version 1", got)
	}
}

func TestMigrate_refusesBadFileSetsBeforeTouchingTheDatabase(t *testing.T) {
	t.Parallel()
	pool, _ := newSchemaPool(t)
	ok := `SELECT 1;`
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"a name without four digits", map[string]string{"1_create_orders.sql": ok},
			"migration 1_create_orders.sql: name must look like 0001_create_orders.sql"},
		{"a name with a dash", map[string]string{"0001-create-orders.sql": ok},
			"migration 0001-create-orders.sql: name must look like"},
		{"a name with capitals", map[string]string{"0001_CreateOrders.sql": ok},
			"migration 0001_CreateOrders.sql: name must look like"},
		{"a gap", map[string]string{"0001_a.sql": ok, "0003_c.sql": ok},
			"migration 0003_c.sql: expected version 0002 next"},
		{"a first version other than 1", map[string]string{"0000_a.sql": ok},
			"migration 0000_a.sql: expected version 0001 next"},
		{"a repeated version", map[string]string{"0001_a.sql": ok, "0002_b.sql": ok, "0002_c.sql": ok},
			"migrations 0002_b.sql and 0002_c.sql share version 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := postgres.Migrate(t.Context(), pool, "orders", sqlFiles(tc.files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Migrate = %v, want %q", err, tc.want)
			}
		})
	}
	var table *string
	if err := pool.QueryRow(t.Context(), `SELECT to_regclass('schema_migrations')::text`).Scan(&table); err != nil || table != nil {
		t.Errorf("schema_migrations was created although every file set was refused (%v)", err)
	}
}
