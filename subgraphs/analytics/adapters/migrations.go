package adapters

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// migrate applies dir's numbered migrations (NNNN_name.sql) not yet recorded in
// schema_migrations, in order, forward only. Statements are split on ";" at line ends.
// versionTable creates the record table in the backend's dialect; record adds a row to it.
func migrate(ctx context.Context, db *sql.DB, dir, versionTable string, record func(ctx context.Context, version int, name string) error) error {
	if _, err := db.ExecContext(ctx, versionTable); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	done := map[int]bool{}
	rows, err := db.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		done[int(v)] = true
	}
	rows.Close()
	entries, err := fs.ReadDir(migrations, path.Join("migrations", dir))
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: want NNNN_name.sql", e.Name())
		}
		if done[v] {
			continue
		}
		text, err := migrations.ReadFile(path.Join("migrations", dir, e.Name()))
		if err != nil {
			return err
		}
		for _, stmt := range strings.Split(string(text), ";\n") {
			if strings.TrimSpace(stripComments(stmt)) == "" {
				continue
			}
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration %s: %w", e.Name(), err)
			}
		}
		if err := record(ctx, v, e.Name()); err != nil {
			return fmt.Errorf("record migration %s: %w", e.Name(), err)
		}
	}
	return nil
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
