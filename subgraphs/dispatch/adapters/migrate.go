package adapters

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies dispatch's migrations plus the outbox's and the idempotent consumer's,
// all in the pool's schema.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if err := postgres.Migrate(ctx, pool, "dispatch", sub); err != nil {
		return fmt.Errorf("dispatch migrations: %w", err)
	}
	if err := outbox.Migrate(ctx, pool); err != nil {
		return fmt.Errorf("outbox migrations: %w", err)
	}
	if err := consumer.Migrate(ctx, pool); err != nil {
		return fmt.Errorf("consumer migrations: %w", err)
	}
	return nil
}
