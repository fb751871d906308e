package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
)

var errBadCredentials = graphqlerr.Unauthenticated("email or password is wrong")

// RegisterInput is a new account.
type RegisterInput struct {
	Email, Password, Name, Phone string
}

// Register creates a CUSTOMER account and signs it in.
func (a *Application) Register(ctx context.Context, in RegisterInput) (Tokens, error) {
	u, err := domain.NewUser(in.Email, in.Name, in.Phone, a.cfg.Now())
	if err != nil {
		return Tokens{}, clientError(err)
	}
	if err := domain.ValidatePassword(in.Password, u.Email); err != nil {
		return Tokens{}, clientError(err)
	}
	if u.PasswordHash, err = domain.HashPassword(in.Password, a.cfg.Argon2); err != nil {
		return Tokens{}, clientError(err)
	}
	// Sign first: a registration that cannot be signed must not leave an account behind
	// (its owner could neither sign in now nor register again). The id is chosen here so
	// the token can name the account before it is stored.
	if u.ID, err = newUUID(); err != nil {
		return Tokens{}, clientError(err)
	}
	access, accessExp, err := a.signAccess(ctx, u, a.cfg.Now())
	if err != nil {
		return Tokens{}, clientError(err)
	}
	if err := a.users.Create(ctx, u); err != nil {
		return Tokens{}, clientError(err)
	}
	t, err := a.issueSigned(ctx, u, access, accessExp)
	return t, clientError(err)
}

// Login checks a password and starts a session. An unknown email, a wrong password and
// a disabled account get the same answer (and take as long), so logins cannot be used
// to find accounts. Attempts are rate-limited per account and per client address.
func (a *Application) Login(ctx context.Context, email, password, clientIP string) (Tokens, error) {
	email, err := domain.NormalizeEmail(email)
	if err != nil {
		return Tokens{}, clientError(err)
	}
	if password == "" || len(password) > domain.MaxPasswordLength {
		return Tokens{}, graphqlerr.BadUserInput("password", "password must have 1 to 128 bytes")
	}
	ok, retry, err := a.limiter.Allow(ctx, email, clientIP)
	if err != nil {
		return Tokens{}, graphqlerr.Internal(err)
	}
	if !ok {
		return Tokens{}, graphqlerr.RateLimited("too many login attempts; try again later", retry)
	}
	u, err := a.users.ByEmail(ctx, email)
	switch {
	case errors.Is(err, domain.ErrUserNotFound):
		_ = domain.VerifyPassword(password, a.dummyHash)
		return Tokens{}, errBadCredentials
	case err != nil:
		return Tokens{}, graphqlerr.Internal(err)
	}
	if err := domain.VerifyPassword(password, u.PasswordHash); err != nil {
		if errors.Is(err, domain.ErrPasswordMismatch) {
			return Tokens{}, errBadCredentials
		}
		return Tokens{}, graphqlerr.Internal(err)
	}
	if u.Disabled() {
		return Tokens{}, errBadCredentials
	}
	if domain.NeedsRehash(u.PasswordHash, a.cfg.Argon2) {
		if hash, err := domain.HashPassword(password, a.cfg.Argon2); err == nil {
			_, _ = a.users.Update(ctx, u.ID, func(x *domain.User) error { x.PasswordHash = hash; return nil })
		}
	}
	t, err := a.issue(ctx, u)
	return t, clientError(err)
}

// Refresh exchanges a refresh token for new tokens. The presented token is used up;
// presenting it again revokes every token of its login (the family). The new access token
// is signed inside the exchange: a failure to sign leaves the presented token as it was
// (usable again once signing works), never used up with nothing given back.
func (a *Application) Refresh(ctx context.Context, refreshToken string) (Tokens, error) {
	if refreshToken == "" || len(refreshToken) > 256 {
		return Tokens{}, graphqlerr.BadUserInput("refreshToken", "refresh token is malformed")
	}
	now := a.cfg.Now()
	secret, hash, err := domain.NewRefreshSecret()
	if err != nil {
		return Tokens{}, graphqlerr.Internal(err)
	}
	var (
		u         *domain.User
		access    string
		accessExp time.Time
	)
	next := domain.RefreshToken{Hash: hash, CreatedAt: now, ExpiresAt: now.Add(a.cfg.RefreshTTL)}
	err = a.refresh.Rotate(ctx, domain.HashRefreshSecret(refreshToken), now, func(old domain.RefreshToken) (domain.RefreshToken, error) {
		var err error
		if u, err = a.users.ByID(ctx, old.UserID); err != nil {
			return domain.RefreshToken{}, err
		}
		if u.Disabled() {
			return domain.RefreshToken{}, errDisabledAccount
		}
		if access, accessExp, err = a.signAccess(ctx, u, now); err != nil {
			return domain.RefreshToken{}, err
		}
		return next, nil
	})
	switch {
	case errors.Is(err, domain.ErrRefreshReused):
		return Tokens{}, graphqlerr.Unauthenticated("refresh token was already used; sign in again")
	case errors.Is(err, domain.ErrRefreshNotFound), errors.Is(err, domain.ErrRefreshRevoked), errors.Is(err, domain.ErrRefreshExpired):
		return Tokens{}, graphqlerr.Unauthenticated("refresh token is not valid; sign in again")
	case errors.Is(err, errDisabledAccount):
		_ = a.refresh.RevokeUser(ctx, u.ID, now)
		return Tokens{}, graphqlerr.Unauthenticated("refresh token is not valid; sign in again")
	case err != nil:
		return Tokens{}, graphqlerr.Internal(err)
	}
	return Tokens{AccessToken: access, AccessExpiresAt: accessExp, RefreshToken: secret, RefreshExpiresAt: next.ExpiresAt, User: u}, nil
}

// errDisabledAccount stops a refresh of a disabled account inside its exchange.
var errDisabledAccount = errors.New("account is disabled")

// Logout revokes the refresh token's whole login. Unknown tokens succeed too.
func (a *Application) Logout(ctx context.Context, refreshToken string) error {
	if refreshToken == "" || len(refreshToken) > 256 {
		return graphqlerr.BadUserInput("refreshToken", "refresh token is malformed")
	}
	return clientError(a.refresh.RevokeFamily(ctx, domain.HashRefreshSecret(refreshToken), a.cfg.Now()))
}

// ChangePassword replaces the caller's password and ends every session.
func (a *Application) ChangePassword(ctx context.Context, current, next string) error {
	id, err := authz.RequireAuthenticated(ctx)
	if err != nil {
		return err
	}
	u, err := a.users.ByID(ctx, id.UserID)
	if err != nil {
		return clientError(err)
	}
	if err := domain.VerifyPassword(current, u.PasswordHash); err != nil {
		return graphqlerr.BadUserInput("currentPassword", "current password is wrong")
	}
	if err := domain.ValidatePassword(next, u.Email); err != nil {
		return clientError(err)
	}
	hash, err := domain.HashPassword(next, a.cfg.Argon2)
	if err != nil {
		return graphqlerr.Internal(err)
	}
	if _, err := a.users.Update(ctx, u.ID, func(x *domain.User) error { x.PasswordHash = hash; return nil }); err != nil {
		return clientError(err)
	}
	return clientError(a.refresh.RevokeUser(ctx, u.ID, a.cfg.Now()))
}

// User returns an account to itself or an ADMIN.
func (a *Application) User(ctx context.Context, id string) (*domain.User, error) {
	if _, err := authz.RequireSelfOrRole(ctx, id, authz.RoleAdmin); err != nil {
		return nil, err
	}
	u, err := a.users.ByID(ctx, strings.TrimSpace(id))
	return u, clientError(err)
}

// UserReference returns an account for federation entity resolution; the caller's
// rights are checked per field (email and phone).
func (a *Application) UserReference(ctx context.Context, id string) (*domain.User, error) {
	u, err := a.users.ByID(ctx, id)
	return u, clientError(err)
}

// AssignRole gives a user a role (ADMIN only; audited).
func (a *Application) AssignRole(ctx context.Context, userID, role string) (*domain.User, error) {
	return a.adminUpdate(ctx, userID, role, func(u *domain.User, r domain.Role) { u.AssignRole(r) })
}

// RevokeRole takes a role away (ADMIN only; audited). The last active ADMIN keeps ADMIN.
func (a *Application) RevokeRole(ctx context.Context, userID, role string) (*domain.User, error) {
	return a.adminUpdate(ctx, userID, role, func(u *domain.User, r domain.Role) { u.RevokeRole(r) })
}

// DisableUser stops an account from signing in and ends its sessions (ADMIN only;
// audited). The last active ADMIN cannot be disabled.
func (a *Application) DisableUser(ctx context.Context, userID string) (*domain.User, error) {
	now := a.cfg.Now()
	u, err := a.adminUpdate(ctx, userID, "", func(u *domain.User, _ domain.Role) { u.Disable(now) })
	if err != nil {
		return nil, err
	}
	return u, clientError(a.refresh.RevokeUser(ctx, u.ID, now))
}

func (a *Application) adminUpdate(ctx context.Context, userID, role string, change func(*domain.User, domain.Role)) (*domain.User, error) {
	caller, err := authz.RequireRole(ctx, authz.RoleAdmin)
	if err != nil {
		return nil, err
	}
	var r domain.Role
	if role != "" {
		var err error
		if r, err = domain.ParseRole(role); err != nil {
			return nil, clientError(err)
		}
	}
	u, err := a.users.ChangeRights(ctx, strings.TrimSpace(userID), caller.UserID, a.cfg.Now(),
		func(u *domain.User) error { change(u, r); return nil })
	if errors.Is(err, domain.ErrLastAdmin) {
		return nil, graphqlerr.Conflict("this is the last active admin: grant ADMIN to another account first")
	}
	return u, clientError(err)
}

// MaxUsersPage bounds one page of the admin's user list.
const MaxUsersPage = 100

// SearchUsers lists accounts for the admin portal (ADMIN only): prefix matches the
// start of the email or the name (case-insensitive), role keeps its holders, after is
// the previous page's last email. It returns one more than first when there are more.
func (a *Application) SearchUsers(ctx context.Context, prefix, role, after string, first int) ([]*domain.User, error) {
	if _, err := authz.RequireRole(ctx, authz.RoleAdmin); err != nil {
		return nil, err
	}
	if first < 1 || first > MaxUsersPage {
		return nil, graphqlerr.BadUserInput("first", fmt.Sprintf("first: must be 1 to %d, got %d", MaxUsersPage, first))
	}
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	if utf8.RuneCountInString(prefix) > 254 {
		return nil, graphqlerr.BadUserInput("search", "search: at most 254 characters")
	}
	s := domain.UserSearch{Prefix: prefix, After: after, First: first}
	if role != "" {
		r, err := domain.ParseRole(role)
		if err != nil {
			return nil, clientError(err)
		}
		s.Role = r
	}
	us, err := a.users.Search(ctx, s)
	return us, clientError(err)
}

// RoleChanges is the audit of an account's rights, newest first (ADMIN only).
func (a *Application) RoleChanges(ctx context.Context, userID string, limit int) ([]domain.RoleChange, error) {
	if _, err := authz.RequireRole(ctx, authz.RoleAdmin); err != nil {
		return nil, err
	}
	if limit < 1 || limit > MaxUsersPage {
		return nil, graphqlerr.BadUserInput("first", fmt.Sprintf("first: must be 1 to %d, got %d", MaxUsersPage, limit))
	}
	cs, err := a.users.RoleChanges(ctx, strings.TrimSpace(userID), limit)
	return cs, clientError(err)
}

// GrantRoleAsOperator gives the account with email a role without an ADMIN caller. It is the
// operator's way in (the `identity grant-role` command, run with database access): the first
// ADMIN cannot be made through GraphQL, since assignRole needs an ADMIN already.
func (a *Application) GrantRoleAsOperator(ctx context.Context, email, role string) (*domain.User, error) {
	normalized, err := domain.NormalizeEmail(email)
	if err != nil {
		return nil, clientError(err)
	}
	r, err := domain.ParseRole(role)
	if err != nil {
		return nil, clientError(err)
	}
	u, err := a.users.ByEmail(ctx, normalized)
	if err != nil {
		return nil, clientError(err)
	}
	u, err = a.users.Update(ctx, u.ID, func(u *domain.User) error { u.AssignRole(r); return nil })
	return u, clientError(err)
}

// OperatorAccount is an account an operator makes with an id of its choosing (the demo
// roster's owners, whose ids seeded data already names).
type OperatorAccount struct {
	ID, Email, Name, Password string
	Roles                     []string
}

// EnsureAccountAsOperator makes the account unless one with its id exists, and gives it
// the account's roles either way; it reports whether it made it. An existing account
// keeps its email, name and password. Another account holding the email: CONFLICT.
// Like GrantRoleAsOperator it is the operator's path (`identity demo-owners`), never
// GraphQL's.
func (a *Application) EnsureAccountAsOperator(ctx context.Context, in OperatorAccount) (*domain.User, bool, error) {
	roles := make([]domain.Role, 0, len(in.Roles))
	for _, name := range in.Roles {
		r, err := domain.ParseRole(name)
		if err != nil {
			return nil, false, clientError(err)
		}
		roles = append(roles, r)
	}
	grant := func(u *domain.User) error {
		for _, r := range roles {
			u.AssignRole(r)
		}
		return nil
	}
	existing, err := a.users.ByID(ctx, in.ID)
	switch {
	case err == nil:
		u, err := a.users.Update(ctx, existing.ID, grant)
		return u, false, clientError(err)
	case !errors.Is(err, domain.ErrUserNotFound):
		return nil, false, clientError(err)
	}
	u, err := domain.NewUser(in.Email, in.Name, "", a.cfg.Now())
	if err != nil {
		return nil, false, clientError(err)
	}
	if err := domain.ValidatePassword(in.Password, u.Email); err != nil {
		return nil, false, clientError(err)
	}
	if u.PasswordHash, err = domain.HashPassword(in.Password, a.cfg.Argon2); err != nil {
		return nil, false, clientError(err)
	}
	u.ID = in.ID
	_ = grant(u)
	if err := a.users.Create(ctx, u); err != nil {
		return nil, false, clientError(err)
	}
	return u, true, nil
}
