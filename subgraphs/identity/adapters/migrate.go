package adapters

import (
	"context"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/platform/postgres"
)

// Migrate applies identity's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return postgres.Migrate(ctx, pool, "identity", sub)
}
