package adapters

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/subgraphs/identity/app"
	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
)

// SigningKeysRepository stores Ed25519 signing keys in PostgreSQL.
type SigningKeysRepository struct{ pool *pgxpool.Pool }

// NewSigningKeysRepository returns a repository over pool.
func NewSigningKeysRepository(pool *pgxpool.Pool) *SigningKeysRepository {
	return &SigningKeysRepository{pool: pool}
}

// Add stores k.
func (r *SigningKeysRepository) Add(ctx context.Context, k app.SigningKey) error {
	_, err := r.pool.Exec(ctx,
		`INSERT INTO signing_keys (kid, algorithm, private_key, public_key, created_at, retire_at, expire_at)
		 VALUES ($1, 'EdDSA', $2, $3, $4, $5, $6)`,
		k.KID, k.Private.Seed(), []byte(k.Public), k.CreatedAt, k.RetireAt, k.ExpireAt)
	if err != nil {
		return fmt.Errorf("insert signing key: %w", err)
	}
	return nil
}

// AddNext implements app.SigningKeys: under an advisory lock, so that replicas running
// the same schedule store one next key between them.
func (r *SigningKeysRepository) AddNext(ctx context.Context, k app.SigningKey, now time.Time) (bool, error) {
	added := false
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))`); err != nil {
			return err
		}
		var queued bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM signing_keys WHERE created_at > $1 AND retire_at > created_at)`, now).Scan(&queued); err != nil {
			return err
		}
		if queued {
			return nil
		}
		_, err := tx.Exec(ctx,
			`INSERT INTO signing_keys (kid, algorithm, private_key, public_key, created_at, retire_at, expire_at)
			 VALUES ($1, 'EdDSA', $2, $3, $4, $5, $6)`,
			k.KID, k.Private.Seed(), []byte(k.Public), k.CreatedAt, k.RetireAt, k.ExpireAt)
		added = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("add the next signing key: %w", err)
	}
	return added, nil
}

// Active returns the newest key that signs at now: started, not retired.
func (r *SigningKeysRepository) Active(ctx context.Context, now time.Time) (app.SigningKey, error) {
	keys, err := r.query(ctx, `WHERE created_at <= $1 AND retire_at > $1 ORDER BY created_at DESC LIMIT 1`, now)
	if err != nil {
		return app.SigningKey{}, err
	}
	if len(keys) == 0 {
		return app.SigningKey{}, domain.ErrNoSigningKey
	}
	return keys[0], nil
}

// Published returns every key that has not expired at now, newest first.
func (r *SigningKeysRepository) Published(ctx context.Context, now time.Time) ([]app.SigningKey, error) {
	return r.query(ctx, `WHERE expire_at > $1 ORDER BY created_at DESC`, now)
}

// Retire moves kid's retire time to at (earlier only), e.g. when a newer key takes over.
func (r *SigningKeysRepository) RetireOthers(ctx context.Context, keep string, at time.Time) error {
	_, err := r.pool.Exec(ctx, `UPDATE signing_keys SET retire_at = LEAST(retire_at, $2) WHERE kid <> $1`, keep, at)
	if err != nil {
		return fmt.Errorf("retire signing keys: %w", err)
	}
	return nil
}

func (r *SigningKeysRepository) query(ctx context.Context, where string, args ...any) ([]app.SigningKey, error) {
	rows, err := r.pool.Query(ctx,
		`SELECT kid, private_key, public_key, created_at, retire_at, expire_at FROM signing_keys `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("query signing keys: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.SigningKey, error) {
		var k app.SigningKey
		var seed, pub []byte
		if err := row.Scan(&k.KID, &seed, &pub, &k.CreatedAt, &k.RetireAt, &k.ExpireAt); err != nil {
			return k, err
		}
		if len(seed) != ed25519.SeedSize || len(pub) != ed25519.PublicKeySize {
			return k, errors.New("signing key " + k.KID + " has a bad size")
		}
		k.Private = ed25519.NewKeyFromSeed(seed)
		k.Public = ed25519.PublicKey(pub)
		return k, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read signing keys: %w", err)
	}
	return keys, nil
}

// RelationsRepository stores relation tuples in PostgreSQL.
type RelationsRepository struct{ pool *pgxpool.Pool }

// NewRelationsRepository returns a repository over pool.
func NewRelationsRepository(pool *pgxpool.Pool) *RelationsRepository {
	return &RelationsRepository{pool: pool}
}

// Write stores t (idempotent).
func (r *RelationsRepository) Write(ctx context.Context, t domain.Tuple) error {
	_, err := r.pool.Exec(ctx,
		`INSERT INTO relation_tuples (namespace, object, relation, subject) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		t.Namespace, t.Object, t.Relation, t.Subject)
	if err != nil {
		return fmt.Errorf("write tuple %s: %w", t, err)
	}
	return nil
}

// Delete removes t (idempotent).
func (r *RelationsRepository) Delete(ctx context.Context, t domain.Tuple) error {
	_, err := r.pool.Exec(ctx,
		`DELETE FROM relation_tuples WHERE namespace = $1 AND object = $2 AND relation = $3 AND subject = $4`,
		t.Namespace, t.Object, t.Relation, t.Subject)
	if err != nil {
		return fmt.Errorf("delete tuple %s: %w", t, err)
	}
	return nil
}

// Subjects lists the distinct subjects holding any of relations on namespace:object.
func (r *RelationsRepository) Subjects(ctx context.Context, namespace, object string, relations []string) ([]string, error) {
	rows, _ := r.pool.Query(ctx, `SELECT DISTINCT subject FROM relation_tuples WHERE namespace = $1 AND object = $2 AND relation = ANY($3) ORDER BY subject`,
		namespace, object, relations)
	subjects, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("subjects of %s:%s: %w", namespace, object, err)
	}
	return subjects, nil
}

// Exists reports whether any of ts is stored.
func (r *RelationsRepository) Exists(ctx context.Context, ts ...domain.Tuple) (bool, error) {
	for _, t := range ts {
		var ok bool
		err := r.pool.QueryRow(ctx,
			`SELECT EXISTS (SELECT 1 FROM relation_tuples WHERE namespace = $1 AND object = $2 AND relation = $3 AND subject = $4)`,
			t.Namespace, t.Object, t.Relation, t.Subject).Scan(&ok)
		if err != nil {
			return false, fmt.Errorf("check tuple %s: %w", t, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}
