package city

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dizhtime/dizhtime/platform/demo"
)

// DemoPassword is every demo account's password (laptop run only).
const DemoPassword = demo.Password

// DemoLogin is a ready-made account of the laptop run.
type DemoLogin struct {
	Role    string
	Session *Session
}

// demoAccounts are the laptop run's accounts, by the role they show. The restaurant owner is
// the demo roster's first (platform/demo): the owner seeded restaurants name.
var demoAccounts = []struct{ role, email, name string }{
	{"ADMIN", "admin@demo.dizhtime.local", "Demo Admin"},
	{"CUSTOMER", "customer@demo.dizhtime.local", "Demo Customer"},
	{"DRIVER", "driver@demo.dizhtime.local", "Demo Driver"},
	{"RESTAURANT_OWNER", demo.Owners()[0].Email, demo.Owners()[0].Name},
}

// EnsureDemoOwners makes the demo roster's owners real RESTAURANT_OWNER accounts with their
// fixed ids (`identity demo-owners`, an operator command: no GraphQL call chooses an id).
type EnsureDemoOwners func(ctx context.Context) error

// DemoLogins makes (or, on a later run, signs in) the demo admin, customer, driver and
// restaurant owner through the router, and returns them signed in with their roles. The
// first admin comes from grantAdmin (identity's operator command). The roster's owners come
// from ensureOwners, and the admin writes each seeded restaurant's owner tuple
// (grantRelation), so every owner runs their own restaurants; the demo RESTAURANT_OWNER is
// the roster's first. Every step is idempotent: a second run changes nothing.
func DemoLogins(ctx context.Context, c *Client, grantAdmin GrantAdmin, ensureOwners EnsureDemoOwners, opts ...DemoOption) ([]DemoLogin, error) {
	var o demoOptions
	for _, opt := range opts {
		opt(&o)
	}
	var out []DemoLogin
	var admin *Session
	for _, a := range demoAccounts {
		if a.role == "RESTAURANT_OWNER" {
			s, err := demoRestaurantOwner(ctx, c, admin, ensureOwners, a.email, o)
			if err != nil {
				return nil, fmt.Errorf("demo %s: %w", a.role, err)
			}
			out = append(out, DemoLogin{Role: a.role, Session: s})
			continue
		}
		// Signed in first: on every run but the first the account exists, and a register
		// would hash the password only to be refused (CONFLICT) before the sign-in.
		s, err := c.Login(ctx, a.email, DemoPassword)
		if gqlErr := (*GraphQLError)(nil); errors.As(err, &gqlErr) && gqlErr.Has("UNAUTHENTICATED") {
			s, err = c.RegisterOrLogin(ctx, a.email, DemoPassword, a.name)
		}
		if err != nil {
			return nil, fmt.Errorf("demo %s: %w", a.role, err)
		}
		switch {
		case slices.Contains(s.Roles, a.role):
			// A later run: the account has its role already (the token says so); no
			// operator command and no second sign-in.
			if a.role == "ADMIN" {
				admin = s
			}
		case a.role == "ADMIN":
			if err := grantAdmin(ctx, a.email); err != nil {
				return nil, err
			}
			if s, err = c.Login(ctx, a.email, DemoPassword); err != nil {
				return nil, fmt.Errorf("demo admin: %w", err)
			}
			admin = s
		case a.role == "DRIVER":
			if err := admin.AssignRole(ctx, s.UserID, a.role); err != nil && !isConflict(err) {
				return nil, fmt.Errorf("demo %s: %w", a.role, err)
			}
			if s, err = c.Login(ctx, a.email, DemoPassword); err != nil {
				return nil, fmt.Errorf("demo %s: %w", a.role, err)
			}
		}
		out = append(out, DemoLogin{Role: a.role, Session: s})
	}
	return out, nil
}

// demoRestaurantOwner signs the roster's first owner in, once the roster's accounts exist
// and every seeded restaurant's owner tuple is written.
func demoRestaurantOwner(ctx context.Context, c *Client, admin *Session, ensureOwners EnsureDemoOwners, email string, o demoOptions) (*Session, error) {
	// With known grants, written in order after the roster's accounts: the last tuple in
	// place means a previous run did all of it, accounts included (one read instead of
	// identity's operator command and hundreds of tuples rewritten).
	if o.known && len(o.grants) > 0 && admin.ownsAlready(ctx, o.grants[len(o.grants)-1]) {
		return c.Login(ctx, email, DemoPassword)
	}
	if err := ensureOwners(ctx); err != nil {
		return nil, fmt.Errorf("demo owners: %w", err)
	}
	if o.known {
		if err := admin.GrantOwners(ctx, o.grants); err != nil {
			return nil, err
		}
	} else if _, err := admin.GrantDemoOwnership(ctx); err != nil {
		return nil, err
	}
	return c.Login(ctx, email, DemoPassword)
}

// OwnerGrant is one restaurant and its owner's user id.
type OwnerGrant struct{ RestaurantID, OwnerID string }

// DemoOption changes how DemoLogins works.
type DemoOption func(*demoOptions)

type demoOptions struct {
	known  bool
	grants []OwnerGrant
}

// WithKnownOwnership gives DemoLogins the roster's restaurants and owners (a seed's, which
// the caller can generate) instead of listing every restaurant through the router: the
// laptop run's owner step then touches identity alone, not the restaurants store.
func WithKnownOwnership(grants []OwnerGrant) DemoOption {
	return func(o *demoOptions) { o.known, o.grants = true, grants }
}

// GrantDemoOwnership writes, as an ADMIN, the owner tuple of every restaurant the demo roster
// owns (restaurant:ID#owner@user:OWNER), which the seeder cannot write (identity may not
// be up yet when restaurants seeds). Writing a tuple that exists changes nothing. It
// reports how many restaurants belong to the roster.
func (s *Session) GrantDemoOwnership(ctx context.Context) (int, error) {
	roster := map[string]bool{}
	for _, o := range demo.Owners() {
		roster[o.ID] = true
	}
	var grants []OwnerGrant
	after := ""
	for {
		var page struct {
			Restaurants struct {
				Edges []struct {
					Node struct {
						ID    string
						Owner struct{ ID string }
					}
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		// Pages of 50: restaurants(first: 100) never reports a next page (the subgraph
		// caps the extra row it reads to learn of one).
		vars := map[string]any{"first": 50}
		if after != "" {
			vars["after"] = after
		}
		if err := s.Do(ctx, `query DemoRestaurants($first: Int, $after: String) {
  restaurants(first: $first, after: $after) { edges { node { id owner { id } } } pageInfo { hasNextPage endCursor } } }`,
			vars, &page); err != nil {
			return 0, fmt.Errorf("list the demo restaurants: %w", err)
		}
		for _, e := range page.Restaurants.Edges {
			if roster[e.Node.Owner.ID] {
				grants = append(grants, OwnerGrant{e.Node.ID, e.Node.Owner.ID})
			}
		}
		if !page.Restaurants.PageInfo.HasNextPage || page.Restaurants.PageInfo.EndCursor == "" {
			break
		}
		after = page.Restaurants.PageInfo.EndCursor
	}
	if err := s.GrantOwners(ctx, grants); err != nil {
		return 0, err
	}
	return len(grants), nil
}

// ownsAlready reports whether g's owner tuple is in place (false when it cannot tell).
func (s *Session) ownsAlready(ctx context.Context, g OwnerGrant) bool {
	var out struct {
		RestaurantTeam []struct {
			User     struct{ ID string }
			Relation string
		}
	}
	if err := s.Do(ctx, `query DemoOwnerInPlace($id: ID!) { restaurantTeam(restaurantId: $id) { user { id } relation } }`,
		map[string]any{"id": g.RestaurantID}, &out); err != nil {
		return false
	}
	for _, m := range out.RestaurantTeam {
		if m.User.ID == g.OwnerID && m.Relation == "OWNER" {
			return true
		}
	}
	return false
}

// GrantOwners writes, as an ADMIN, the owner tuple of each restaurant
// (restaurant:ID#owner@user:OWNER); writing a tuple that exists changes nothing.
func (s *Session) GrantOwners(ctx context.Context, grants []OwnerGrant) error {
	// Many grants per request, one aliased field each (a city is hundreds of restaurants), at
	// most the router's limit of root fields per operation (limits.max_root_fields, 20).
	const perRequest = 20
	for i := 0; i < len(grants); i += perRequest {
		var b strings.Builder
		b.WriteString("mutation DemoOwnership {")
		for j, g := range grants[i:min(i+perRequest, len(grants))] {
			fmt.Fprintf(&b, "\n  g%d: grantRelation(namespace: \"restaurant\", object: %q, relation: \"owner\", subject: %q)",
				j, g.RestaurantID, "user:"+g.OwnerID)
		}
		b.WriteString("\n}")
		if err := s.Do(ctx, b.String(), nil, nil); err != nil {
			return fmt.Errorf("grant the demo restaurants' owners: %w", err)
		}
	}
	return nil
}

func isConflict(err error) bool {
	var g *GraphQLError
	return errors.As(err, &g) && g.Has("CONFLICT")
}

// RestaurantIDs lists the first n restaurants in id order.
func (s *Session) RestaurantIDs(ctx context.Context, n int) ([]string, error) {
	var out struct {
		Restaurants struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	if err := s.Do(ctx, `query Restaurants($first: Int) { restaurants(first: $first) { edges { node { id } } } }`,
		map[string]any{"first": n}, &out); err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range out.Restaurants.Edges {
		ids = append(ids, e.Node.ID)
	}
	return ids, nil
}
