package adapters

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the notifications and processed-events migrations in the pool's schema.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if err := postgres.Migrate(ctx, pool, "notifications", sub); err != nil {
		return err
	}
	if err := consumer.Migrate(ctx, pool); err != nil {
		return fmt.Errorf("processed events: %w", err)
	}
	return nil
}
