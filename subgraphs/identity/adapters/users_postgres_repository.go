package adapters

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
)

// UsersRepository stores users in PostgreSQL.
type UsersRepository struct{ pool *pgxpool.Pool }

// NewUsersRepository returns a repository over pool.
func NewUsersRepository(pool *pgxpool.Pool) *UsersRepository { return &UsersRepository{pool: pool} }

const userColumns = `id::text, email, phone, name, password_hash, roles, created_at, disabled_at`

func scanUser(row pgx.Row) (*domain.User, error) {
	var u domain.User
	var roles []string
	if err := row.Scan(&u.ID, &u.Email, &u.Phone, &u.Name, &u.PasswordHash, &roles, &u.CreatedAt, &u.DisabledAt); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, domain.ErrUserNotFound
		}
		return nil, err
	}
	for _, r := range roles {
		u.Roles = append(u.Roles, domain.Role(r))
	}
	return &u, nil
}

func rolesText(rs []domain.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// Create inserts u with its ID (a new one when it has none, set on u); ErrEmailTaken
// when the email exists.
func (r *UsersRepository) Create(ctx context.Context, u *domain.User) error {
	err := r.pool.QueryRow(ctx,
		`INSERT INTO users (id, email, phone, name, password_hash, roles, created_at)
		 VALUES (COALESCE(NULLIF($7, '')::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, $6) RETURNING id::text`,
		u.Email, u.Phone, u.Name, u.PasswordHash, rolesText(u.Roles), u.CreatedAt, u.ID).Scan(&u.ID)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return domain.ErrEmailTaken
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// ByID returns the user with id; ErrUserNotFound when there is none (also for an id
// that is not a UUID).
func (r *UsersRepository) ByID(ctx context.Context, id string) (*domain.User, error) {
	u, err := scanUser(r.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id::text = $1`, id))
	if err != nil && !errors.Is(err, domain.ErrUserNotFound) {
		return nil, fmt.Errorf("user %s: %w", id, err)
	}
	return u, err
}

// ByEmail returns the user with the normalized email.
func (r *UsersRepository) ByEmail(ctx context.Context, email string) (*domain.User, error) {
	u, err := scanUser(r.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
	if err != nil && !errors.Is(err, domain.ErrUserNotFound) {
		return nil, fmt.Errorf("user by email: %w", err)
	}
	return u, err
}

// Update loads the user under a row lock, lets update change it, and saves it in one
// transaction.
func (r *UsersRepository) Update(ctx context.Context, id string, update func(u *domain.User) error) (*domain.User, error) {
	var out *domain.User
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id::text = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if err := update(u); err != nil {
			return err
		}
		_, err = tx.Exec(ctx,
			`UPDATE users SET phone = $2, name = $3, password_hash = $4, roles = $5, disabled_at = $6 WHERE id = $1`,
			u.ID, u.Phone, u.Name, u.PasswordHash, rolesText(u.Roles), u.DisabledAt)
		if err != nil {
			return fmt.Errorf("update user %s: %w", id, err)
		}
		out = u
		return nil
	})
	return out, err
}

// adminChangesLock is the advisory lock every rights change takes (transaction-scoped):
// two admins revoking each other at once are serialised, so the last-admin check reads a
// count no concurrent change can invalidate.
const adminChangesLock = 0x1d_2022_0001

// ChangeRights implements app.Users.
func (r *UsersRepository) ChangeRights(ctx context.Context, id, actorID string, at time.Time, update func(u *domain.User) error) (*domain.User, error) {
	var out *domain.User
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(adminChangesLock)); err != nil {
			return fmt.Errorf("lock rights changes: %w", err)
		}
		before, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id::text = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		u := before.Clone()
		if err := update(u); err != nil {
			return err
		}
		if before.ActiveAdmin() && !u.ActiveAdmin() {
			var others int
			if err := tx.QueryRow(ctx,
				`SELECT count(*) FROM users WHERE 'ADMIN' = ANY(roles) AND disabled_at IS NULL AND id <> $1`, u.ID).Scan(&others); err != nil {
				return fmt.Errorf("count admins: %w", err)
			}
			if others == 0 {
				return domain.ErrLastAdmin
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET roles = $2, disabled_at = $3 WHERE id = $1`,
			u.ID, rolesText(u.Roles), u.DisabledAt); err != nil {
			return fmt.Errorf("update user %s: %w", id, err)
		}
		for _, c := range domain.RoleChanges(before, u, actorID, at) {
			if _, err := tx.Exec(ctx, `INSERT INTO role_changes (user_id, role, change, actor_id, at) VALUES ($1, $2, $3, $4, $5)`,
				c.UserID, string(c.Role), string(c.Kind), c.ActorID, c.At); err != nil {
				return fmt.Errorf("audit role change: %w", err)
			}
		}
		out = u
		return nil
	})
	return out, err
}

// likePrefix escapes LIKE's wildcards in p and appends the prefix wildcard.
func likePrefix(p string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(p) + "%"
}

// Search implements app.Users: email order, keyset-paged on the (unique) email.
func (r *UsersRepository) Search(ctx context.Context, s domain.UserSearch) ([]*domain.User, error) {
	rows, err := r.pool.Query(ctx, `SELECT `+userColumns+` FROM users
		WHERE ($1 = '' OR email LIKE $2 OR lower(name) LIKE $2)
		  AND ($3 = '' OR $3 = ANY(roles))
		  AND email > $4
		ORDER BY email LIMIT $5`,
		s.Prefix, likePrefix(s.Prefix), string(s.Role), s.After, s.First+1)
	if err != nil {
		return nil, fmt.Errorf("search users: %w", err)
	}
	defer rows.Close()
	var out []*domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("search users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// RoleChanges implements app.Users.
func (r *UsersRepository) RoleChanges(ctx context.Context, userID string, limit int) ([]domain.RoleChange, error) {
	rows, err := r.pool.Query(ctx, `SELECT user_id::text, role, change, actor_id, at FROM role_changes
		WHERE user_id::text = $1 ORDER BY id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("role changes of %s: %w", userID, err)
	}
	defer rows.Close()
	var out []domain.RoleChange
	for rows.Next() {
		var c domain.RoleChange
		var role, kind string
		if err := rows.Scan(&c.UserID, &role, &kind, &c.ActorID, &c.At); err != nil {
			return nil, fmt.Errorf("role changes of %s: %w", userID, err)
		}
		c.Role, c.Kind = domain.Role(role), domain.RoleChangeKind(kind)
		out = append(out, c)
	}
	return out, rows.Err()
}

// RefreshTokensRepository stores refresh-token hashes in PostgreSQL.
type RefreshTokensRepository struct{ pool *pgxpool.Pool }

// NewRefreshTokensRepository returns a repository over pool.
func NewRefreshTokensRepository(pool *pgxpool.Pool) *RefreshTokensRepository {
	return &RefreshTokensRepository{pool: pool}
}

// Create stores t.
func (r *RefreshTokensRepository) Create(ctx context.Context, t domain.RefreshToken) error {
	_, err := r.pool.Exec(ctx,
		`INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		t.Hash, t.FamilyID, t.UserID, t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// Rotate exchanges the token with hash for next (same family) in one transaction.
// Presenting a token that was already rotated revokes its whole family, commits that,
// and returns ErrRefreshReused.
func (r *RefreshTokensRepository) Rotate(ctx context.Context, hash []byte, now time.Time, next func(old domain.RefreshToken) (domain.RefreshToken, error)) error {
	var reused bool
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		var t domain.RefreshToken
		err := tx.QueryRow(ctx,
			`SELECT token_hash, family_id::text, user_id::text, created_at, expires_at, rotated_at, revoked_at
			 FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`, hash).
			Scan(&t.Hash, &t.FamilyID, &t.UserID, &t.CreatedAt, &t.ExpiresAt, &t.RotatedAt, &t.RevokedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.ErrRefreshNotFound
		}
		if err != nil {
			return fmt.Errorf("load refresh token: %w", err)
		}
		switch err := t.CheckUsable(now); {
		case errors.Is(err, domain.ErrRefreshReused):
			if _, err := tx.Exec(ctx,
				`UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`, t.FamilyID, now); err != nil {
				return fmt.Errorf("revoke family: %w", err)
			}
			reused = true
			return nil // commit the revocation
		case err != nil:
			return err
		}
		n, err := next(t)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET rotated_at = $2 WHERE token_hash = $1`, hash, now); err != nil {
			return fmt.Errorf("rotate refresh token: %w", err)
		}
		_, err = tx.Exec(ctx,
			`INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			n.Hash, t.FamilyID, t.UserID, n.CreatedAt, n.ExpiresAt)
		if err != nil {
			return fmt.Errorf("insert rotated refresh token: %w", err)
		}
		return nil
	})
	if err == nil && reused {
		return domain.ErrRefreshReused
	}
	return err
}

// RevokeFamily revokes the family of the token with hash (logout). Unknown tokens are
// not an error: logout is idempotent.
func (r *RefreshTokensRepository) RevokeFamily(ctx context.Context, hash []byte, now time.Time) error {
	_, err := r.pool.Exec(ctx,
		`UPDATE refresh_tokens SET revoked_at = $2
		 WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL`, hash, now)
	if err != nil {
		return fmt.Errorf("revoke refresh family: %w", err)
	}
	return nil
}

// RevokeUser revokes every refresh token of userID (password change, disable).
func (r *RefreshTokensRepository) RevokeUser(ctx context.Context, userID string, now time.Time) error {
	_, err := r.pool.Exec(ctx,
		`UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id::text = $1 AND revoked_at IS NULL`, userID, now)
	if err != nil {
		return fmt.Errorf("revoke refresh tokens of %s: %w", userID, err)
	}
	return nil
}
