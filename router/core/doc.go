// Package core is the router's request path: the GraphQL HTTP handler (POST and GET),
// the WebSocket handler (graphql-transport-ws and legacy graphql-ws), the subscription
// engine that completes when upstream completes, and the holder of the current
// execution engine, swapped atomically when a new supergraph is composed.
package core
