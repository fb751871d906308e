package core

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/wundergraph/graphql-go-tools/execution/graphql"
)

// goneReporter tells a subscriber, once, that its subgraph went away. The engine reports a
// dropped upstream connection as a bare transport error ({"errors":[{"message":"EOF"}]}) or
// not at all (the subscription just ends); either way the client should hear
// SUBGRAPH_UNAVAILABLE naming the subgraph, when the subgraph no longer accepts connections.
type goneReporter struct {
	eng  *Engine
	ctx  context.Context
	req  *graphql.Request
	next func([]byte)
	said bool
}

// flush passes an event on, turning an upstream drop into SUBGRAPH_UNAVAILABLE. The broken
// connection itself is the evidence: no reachability probe (the subgraph may still be
// closing its listener when its connections drop).
func (g *goneReporter) flush(data []byte) {
	if !g.said && isUpstreamDrop(data) {
		if gone := g.eng.upstreamDroppedResult(g.req); gone != nil {
			g.said = true
			g.next(gone)
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
// only, no data, each message a transport failure.
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
		if len(e.Extensions) > 0 || !isTransportFailure(e.Message) {
			return false
		}
	}
	return true
}

func isTransportFailure(msg string) bool {
	switch msg {
	case "EOF", "unexpected EOF":
		return true
	}
	for _, s := range []string{"connection reset by peer", "broken pipe", "use of closed network connection", "connection refused"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
