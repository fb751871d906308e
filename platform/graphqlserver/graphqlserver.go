// Package graphqlserver builds a subgraph's GraphQL handler the one way every subgraph serves
// it: POST and GET, plus SSE and WebSocket (graphql-transport-ws and legacy graphql-ws) for a
// schema with subscriptions; errors through platform/graphqlerr (every error carries
// extensions.code, internals stay in the logs); the router-forwarded identity put in the
// request context by platform/authz.
package graphqlserver

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/platform/telemetry"
)

// Options says which transports a schema needs.
type Options struct {
	// Subscriptions adds WebSocket and SSE.
	Subscriptions bool
}

// New returns the handler for schema, to mount at the subgraph's GraphQL path (/query).
func New(schema graphql.ExecutableSchema, logger *slog.Logger, o Options) http.Handler {
	srv := handler.New(schema)
	if o.Subscriptions {
		// gqlgen 0.17.98: the coder/websocket implementation (the gorilla Upgrader is gone).
		srv.AddTransport(transport.Websocket{
			KeepAlivePingInterval: 10 * time.Second,
			Implementation:        transport.CoderWebsocketImplementation{},
		})
		srv.AddTransport(transport.SSE{}) // before POST: both match a JSON POST
	}
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.GET{})
	srv.Use(extension.Introspection{})
	srv.SetErrorPresenter(graphqlerr.Presenter(logger))
	srv.SetRecoverFunc(graphqlerr.Recover(logger))
	srv.AroundOperations(traceOperations)
	// The router's traceparent (on a request or a WebSocket upgrade) becomes the parent.
	return telemetry.ServerHandler("graphql", authz.Middleware(srv))
}
