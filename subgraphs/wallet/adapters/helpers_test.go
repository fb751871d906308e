package adapters_test

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/internal/testdb"
)

func testdbPool(schema string) (*pgxpool.Pool, error) {
	return postgres.Open(context.Background(), testdb.URL(schema), postgres.WithMaxConns(8))
}
