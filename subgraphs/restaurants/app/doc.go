// Package app holds the restaurants subgraph's use cases: the commands owners, staff and
// admins run (create and edit a restaurant, pause and resume, edit the menu, change
// prices, mark items sold out), the queries (restaurants, menu items, price quotes) and
// the ports they need (the repository, the relation-tuple API of identity, a clock).
//
// Authorization happens here, through platform/authz, so every entry point (GraphQL, the
// internal HTTP quote API, the seed command) gets the same rules. Errors returned to
// callers are platform/graphqlerr errors carrying the client-facing code.
package app
