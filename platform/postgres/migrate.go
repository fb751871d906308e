package postgres

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migration is one numbered SQL file.
type migration struct {
	version  int
	file     string
	sql      string
	checksum string
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// lockClass is the first key of the advisory lock migrations take ("DIZH"); the second
// is the schema, so services migrating different schemas don't wait for each other.
const lockClass = 0x44495a48

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
	service    text        NOT NULL,
	version    integer     NOT NULL,
	name       text        NOT NULL,
	checksum   text        NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (service, version)
)`

// Migrate applies service's pending migrations from the .sql files at the root of fsys
// (use fs.Sub for an embedded directory), in version order.
//
// Files are named 0001_create_orders.sql, 0002_..., numbered from 1 without gaps or
// repeats. Each migration runs in its own transaction together with its row in
// schema_migrations, so a failing one leaves no trace; it therefore cannot use statements
// that refuse transactions (CREATE INDEX CONCURRENTLY). Replicas starting together
// serialize on an advisory lock and each migration is applied once. Migrations are
// forward-only: a file whose content changed after it was applied is an error, and
// versions applied by a newer release are left alone so an older replica still starts.
func Migrate(ctx context.Context, pool *pgxpool.Pool, service string, fsys fs.FS) error {
	migrations, err := readMigrations(fsys)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", service, err)
	}
	if err := inLockedTx(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, createMigrationsTable)
		return err
	}); err != nil {
		return fmt.Errorf("migrate %s: create schema_migrations: %w", service, err)
	}

	// Usually everything is applied already: check that without taking the lock.
	applied, err := appliedChecksums(ctx, pool, service)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", service, err)
	}
	for _, m := range migrations {
		sum, ok := applied[m.version]
		if ok {
			if sum != m.checksum {
				return fmt.Errorf("migrate %s: %w", service, changedError(m, sum))
			}
			continue
		}
		if err := inLockedTx(ctx, pool, func(tx pgx.Tx) error { return apply(ctx, tx, service, m) }); err != nil {
			return fmt.Errorf("migrate %s: %s: %w", service, m.file, err)
		}
	}
	return nil
}

// apply runs m unless a replica that held the lock before us already did.
func apply(ctx context.Context, tx pgx.Tx, service string, m migration) error {
	var sum string
	err := tx.QueryRow(ctx,
		`SELECT checksum FROM schema_migrations WHERE service = $1 AND version = $2`,
		service, m.version).Scan(&sum)
	switch {
	case err == nil:
		if sum != m.checksum {
			return changedError(m, sum)
		}
		return nil
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	if _, err := tx.Exec(ctx, m.sql); err != nil {
		return err
	}
	_, err = tx.Exec(ctx,
		`INSERT INTO schema_migrations (service, version, name, checksum) VALUES ($1, $2, $3, $4)`,
		service, m.version, m.file, m.checksum)
	return err
}

func inLockedTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Released at commit or rollback, so a crashed starter cannot leave it held.
		if _, err := tx.Exec(ctx,
			`SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))`,
			int32(lockClass)); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		return fn(tx)
	})
}

func appliedChecksums(ctx context.Context, pool *pgxpool.Pool, service string) (map[int]string, error) {
	rows, err := pool.Query(ctx,
		`SELECT version, checksum FROM schema_migrations WHERE service = $1`, service)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	applied := map[int]string{}
	var (
		version  int
		checksum string
	)
	_, err = pgx.ForEachRow(rows, []any{&version, &checksum}, func() error {
		applied[version] = checksum
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return applied, nil
}

func changedError(m migration, appliedSum string) error {
	return fmt.Errorf("%s was changed after it was applied (checksum %.12s, applied %.12s); "+
		"migrations are forward-only: restore it and add a new migration instead", m.file, m.checksum, appliedSum)
}

// readMigrations reads and checks the .sql files at the root of fsys; other files, such
// as a README, are ignored.
func readMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var migrations []migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		match := migrationName.FindStringSubmatch(e.Name())
		if match == nil {
			return nil, fmt.Errorf("migration %s: name must look like 0001_create_orders.sql (4 digits, _, lower-case words)", e.Name())
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		version, _ := strconv.Atoi(match[1])
		sum := sha256.Sum256(body)
		migrations = append(migrations, migration{
			version:  version,
			file:     e.Name(),
			sql:      string(body),
			checksum: hex.EncodeToString(sum[:]),
		})
	}
	slices.SortFunc(migrations, func(a, b migration) int {
		return cmp.Or(cmp.Compare(a.version, b.version), strings.Compare(a.file, b.file))
	})
	for i, m := range migrations {
		if i > 0 && m.version == migrations[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", migrations[i-1].file, m.file, m.version)
		}
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %04d next; versions start at 0001 and have no gaps", m.file, i+1)
		}
	}
	return migrations, nil
}
