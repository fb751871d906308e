package core

import (
	"encoding/json"
)

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
