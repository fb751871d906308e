package city

import (
	"context"
	"errors"

	"github.com/dizhtime/dizhtime/platform/stack"
)

const authFields = `accessToken user { id email roles }`

type authPayload struct {
	AccessToken string `json:"accessToken"`
	User        struct {
		ID    string   `json:"id"`
		Email string   `json:"email"`
		Roles []string `json:"roles"`
	} `json:"user"`
}

func (c *Client) session(p authPayload, password string) *Session {
	return &Session{client: c, UserID: p.User.ID, Email: p.User.Email, Token: p.AccessToken, Roles: p.User.Roles, password: password}
}

// Register creates an account and signs it in.
func (c *Client) Register(ctx context.Context, email, password, name string) (*Session, error) {
	var out struct{ Register authPayload }
	err := c.do(ctx, "", `mutation Register($input: RegisterInput!) { register(input: $input) { `+authFields+` } }`,
		map[string]any{"input": map[string]any{"email": email, "password": password, "name": name}}, &out)
	if err != nil {
		return nil, err
	}
	return c.session(out.Register, password), nil
}

// Login signs an existing account in; its token carries the roles it has now.
func (c *Client) Login(ctx context.Context, email, password string) (*Session, error) {
	var out struct{ Login authPayload }
	err := c.do(ctx, "", `mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { `+authFields+` } }`,
		map[string]any{"email": email, "password": password}, &out)
	if err != nil {
		return nil, err
	}
	return c.session(out.Login, password), nil
}

// RegisterOrLogin registers the account, or signs it in when the email is taken: what a
// demo start does on its second run.
func (c *Client) RegisterOrLogin(ctx context.Context, email, password, name string) (*Session, error) {
	s, err := c.Register(ctx, email, password, name)
	var gqlErr *GraphQLError
	if errors.As(err, &gqlErr) && gqlErr.Has("CONFLICT") {
		return c.Login(ctx, email, password)
	}
	return s, err
}

// AssignRole gives userID a role; the session must be an ADMIN's.
func (s *Session) AssignRole(ctx context.Context, userID, role string) error {
	return s.Do(ctx, `mutation AssignRole($id: ID!, $role: Role!) { assignRole(userId: $id, role: $role) { id roles } }`,
		map[string]any{"id": userID, "role": role}, nil)
}

// GrantRestaurantOwner makes userID an owner (and so staff) of a restaurant; ADMIN only.
func (s *Session) GrantRestaurantOwner(ctx context.Context, restaurantID, userID string) error {
	return s.Do(ctx, `mutation GrantRelation($object: String!, $subject: String!) {
  grantRelation(namespace: "restaurant", object: $object, relation: "owner", subject: $subject) }`,
		map[string]any{"object": restaurantID, "subject": "user:" + userID}, nil)
}

// GrantAdmin makes the account with email an ADMIN. The first ADMIN cannot come through
// GraphQL (assignRole needs an ADMIN already); the operator path is identity's own command,
// `identity grant-role EMAIL ADMIN`, run with identity's configuration. Sign in again
// afterwards: tokens carry the roles of their sign-in.
type GrantAdmin func(ctx context.Context, email string) error

// GrantAdminWith runs `identity grant-role EMAIL ADMIN` through a stack's identity binary.
func GrantAdminWith(s *stack.Stack) GrantAdmin {
	return func(ctx context.Context, email string) error {
		_, err := s.Command(ctx, "identity", "grant-role", email, "ADMIN")
		return err
	}
}

// EnsureDemoOwnersWith runs `identity demo-owners` through a stack's identity binary.
func EnsureDemoOwnersWith(s *stack.Stack) EnsureDemoOwners {
	return func(ctx context.Context) error {
		_, err := s.Command(ctx, "identity", "demo-owners")
		return err
	}
}
