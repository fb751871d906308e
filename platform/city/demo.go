package city

import (
	"context"
	"errors"
	"fmt"
)

// DemoPassword is every demo account's password (laptop run only).
const DemoPassword = "dizhtime-demo"

// DemoLogin is a ready-made account of the laptop run.
type DemoLogin struct {
	Role    string
	Session *Session
}

// demoAccounts are the laptop run's accounts, by the role they show.
var demoAccounts = []struct{ role, email, name string }{
	{"ADMIN", "admin@demo.dizhtime.local", "Demo Admin"},
	{"CUSTOMER", "customer@demo.dizhtime.local", "Demo Customer"},
	{"DRIVER", "driver@demo.dizhtime.local", "Demo Driver"},
	{"RESTAURANT_OWNER", "owner@demo.dizhtime.local", "Demo Owner"},
}

// DemoLogins makes (or, on a later run, signs in) the demo admin, customer, driver and
// restaurant owner through the router, and returns them signed in with their roles. The
// first admin comes from grantAdmin (identity's operator command); the owner is made owner of
// the first ownRestaurants restaurants so its token can run their orders.
func DemoLogins(ctx context.Context, c *Client, grantAdmin GrantAdmin, ownRestaurants int) ([]DemoLogin, error) {
	var out []DemoLogin
	var admin *Session
	for _, a := range demoAccounts {
		s, err := c.RegisterOrLogin(ctx, a.email, DemoPassword, a.name)
		if err != nil {
			return nil, fmt.Errorf("demo %s: %w", a.role, err)
		}
		switch a.role {
		case "ADMIN":
			if err := grantAdmin(ctx, a.email); err != nil {
				return nil, err
			}
			if s, err = c.Login(ctx, a.email, DemoPassword); err != nil {
				return nil, fmt.Errorf("demo admin: %w", err)
			}
			admin = s
		case "DRIVER", "RESTAURANT_OWNER":
			if err := admin.AssignRole(ctx, s.UserID, a.role); err != nil && !isConflict(err) {
				return nil, fmt.Errorf("demo %s: %w", a.role, err)
			}
			if a.role == "RESTAURANT_OWNER" {
				ids, err := s.RestaurantIDs(ctx, ownRestaurants)
				if err != nil {
					return nil, err
				}
				for _, id := range ids {
					if err := admin.GrantRestaurantOwner(ctx, id, s.UserID); err != nil && !isConflict(err) {
						return nil, fmt.Errorf("demo owner of %s: %w", id, err)
					}
				}
			}
			if s, err = c.Login(ctx, a.email, DemoPassword); err != nil {
				return nil, fmt.Errorf("demo %s: %w", a.role, err)
			}
		}
		out = append(out, DemoLogin{Role: a.role, Session: s})
	}
	return out, nil
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
