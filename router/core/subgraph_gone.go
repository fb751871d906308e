package core

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/wundergraph/graphql-go-tools/execution/graphql"
)

// goneReporter tells a subscriber, once, that its subgraph went away. The engine reports a
// dropped upstream connection as a bare transport error ({"errors":[{"message":"EOF"}]}) or
// not at all (the subscription just ends); either way the client should hear
// SUBGRAPH_UNAVAILABLE naming the subgraph, when the subgraph no longer accepts connections.
type goneReporter struct {
	eng    *Engine
	ctx    context.Context
	req    *graphql.Request
	next   func([]byte)
	said   bool
	logger *slog.Logger
}

// flush passes an event on, turning an upstream drop into SUBGRAPH_UNAVAILABLE. The broken
// connection itself is the evidence: no reachability probe (the subgraph may still be
// closing its listener when its connections drop). The engine's message (a socket or
// WebSocket protocol error) goes to the logs, not to the client.
//
// A dying connection can fail more than once (a reset, then EOF): the client hears it
// once, the repeats go to the logs only.
func (g *goneReporter) flush(data []byte) {
	if isUpstreamDrop(data) {
		if gone := g.eng.upstreamDroppedResult(g.req); gone != nil {
			if g.logger != nil {
				g.logger.Warn("upstream subscription connection failed", "operation", g.req.OperationName, "error", string(data))
			}
			if !g.said {
				g.said = true
				g.next(gone)
			}
			return
		}
	}
	g.next(data)
}

// atEnd reports a gone subgraph when the subscription ended without completing and nothing
// said so yet.
func (g *goneReporter) atEnd() {
	if g.said || g.ctx.Err() != nil {
		return
	}
	if gone := g.eng.subgraphGoneResult(g.ctx, g.req); gone != nil {
		g.said = true
		g.next(gone)
	}
}

// isUpstreamDrop recognizes the engine's result for a broken upstream connection: errors
// only, no data, none with extensions. The engine's subscription client renders every
// failure of its upstream socket that way ({"errors":[{"message":"EOF"}]}, "use of
// reserved op code", ...); a subgraph's own GraphQL errors come with extensions (our
// subgraphs always set a code) or through the resolver, which adds them.
func isUpstreamDrop(data []byte) bool {
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &res) != nil || len(res.Errors) == 0 {
		return false
	}
	if len(res.Data) > 0 && string(res.Data) != "null" {
		return false
	}
	for _, e := range res.Errors {
		if len(e.Extensions) > 0 {
			return false
		}
	}
	return true
}
