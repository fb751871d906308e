// Package authz is the authorization helper every DizhTime subgraph uses the same way.
//
// The router verifies the caller's access token and forwards the verified identity to
// subgraphs in the X-DizhTime-User-Id and X-DizhTime-Roles headers (it strips those
// headers from client requests, so a client cannot forge them). A subgraph wraps its
// handler in Middleware, which puts that Identity into the request context, and its
// resolvers ask one of the Require* helpers:
//
//	id, err := authz.RequireSelfOrRole(ctx, order.CustomerID, authz.RoleAdmin)
//	_, err := authz.RequireRelation(ctx, checker, "restaurant", restaurantID, "staff")
//
// The helpers return platform/graphqlerr errors (UNAUTHENTICATED when there is no
// identity, FORBIDDEN when it lacks the right), so a resolver can return them as they are.
//
// Ownership lives in the identity subgraph as Keto-style relation tuples
// (restaurant:42#owner@user:7). RelationClient asks its check API over HTTP and caches
// answers briefly; anything with a Check method works as a Checker.
package authz
