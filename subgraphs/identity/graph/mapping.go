package graph

import (
	"context"
	"encoding/base64"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/subgraphs/identity/app"
	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
	"github.com/dizhtime/dizhtime/subgraphs/identity/graph/model"
)

type clientIPKey struct{}

// WithClientIP stores the connection's peer address, the client address of a request
// that did not come through the router.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// clientIP is the address login limits count against: the one the router signed into
// its token (the client's, resolved against the router's trusted proxies), else the
// peer's. An X-Forwarded-For header is never believed here: anyone could write it.
func clientIP(ctx context.Context) string {
	if ip := authz.ClientIPFrom(ctx); ip != "" {
		return ip
	}
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

func toUser(u *domain.User) *model.User {
	if u == nil {
		return nil
	}
	out := &model.User{
		ID: u.ID, Name: u.Name, Disabled: u.Disabled(), CreatedAt: u.CreatedAt.UTC().Format(time.RFC3339),
		Email: &u.Email,
	}
	if u.Phone != "" {
		out.Phone = &u.Phone
	}
	for _, r := range u.Roles {
		out.Roles = append(out.Roles, model.Role(r))
	}
	if out.Roles == nil {
		out.Roles = []model.Role{}
	}
	return out
}

func toAuthPayload(t app.Tokens) *model.AuthPayload {
	return &model.AuthPayload{
		AccessToken: t.AccessToken, AccessTokenExpiresAt: t.AccessExpiresAt.UTC().Format(time.RFC3339),
		RefreshToken: t.RefreshToken, RefreshTokenExpiresAt: t.RefreshExpiresAt.UTC().Format(time.RFC3339),
		User: toUser(t.User),
	}
}

// private returns a private field's value to the account itself and admins, nil to
// everyone else.
func private(ctx context.Context, owner string, v *string) *string {
	if underAuthPayload(ctx) {
		return v // the user of register/login/refresh is the caller itself
	}
	if _, err := authz.RequireSelfOrRole(ctx, owner, authz.RoleAdmin); err != nil {
		return nil
	}
	return v
}

// underAuthPayload reports whether the field sits under a register, login or refresh
// result, whose user is the account that just proved itself.
func underAuthPayload(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	for fc.Parent != nil && fc.Parent.Field.Field != nil {
		fc = fc.Parent
	}
	if fc.Field.Field == nil {
		return false
	}
	root := fc.Field.Name
	switch root {
	case "register", "login", "refresh":
		return graphql.GetOperationContext(ctx).Operation.Operation == ast.Mutation
	}
	return false
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func encodeUserCursor(email string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("user:" + email))
}

func decodeUserCursor(c string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), "user:")
}
