package compose

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Load gathers each subgraph's SDL: from its committed file, or from the running
// subgraph's _service { sdl }.
func Load(ctx context.Context, client *http.Client, sg *config.Supergraph) ([]Subgraph, error) {
	out := make([]Subgraph, 0, len(sg.Subgraphs))
	for _, s := range sg.Subgraphs {
		sub := Subgraph{Name: s.Name, RoutingURL: s.RoutingURL, Timeout: s.Timeout}
		if s.Subscription != nil {
			sub.SubscriptionURL = s.Subscription.URL
			sub.Protocol = s.Subscription.Protocol
		}
		var err error
		if s.Schema != nil && s.Schema.SDL != "" {
			sub.SDL = s.Schema.SDL
		} else if s.Schema != nil {
			var b []byte
			b, err = os.ReadFile(s.Schema.File)
			sub.SDL = string(b)
		} else {
			sub.SDL, err = FetchSDL(ctx, client, s.RoutingURL)
		}
		if err != nil {
			return nil, fmt.Errorf("subgraph %q: schema: %w", s.Name, err)
		}
		out = append(out, sub)
	}
	return out, nil
}

// FetchSDL asks a federated subgraph for its SDL through _service { sdl }.
func FetchSDL(ctx context.Context, client *http.Client, routingURL string) (string, error) {
	body := []byte(`{"query":"query __ServiceSDL { _service { sdl } }"}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, routingURL, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("fetch _service sdl: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", fmt.Errorf("fetch _service sdl: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("fetch _service sdl: HTTP %d: %.200s", resp.StatusCode, raw)
	}
	var out struct {
		Data struct {
			Service struct {
				SDL string `json:"sdl"`
			} `json:"_service"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("fetch _service sdl: decode: %w", err)
	}
	if len(out.Errors) > 0 {
		return "", fmt.Errorf("fetch _service sdl: %s", out.Errors[0].Message)
	}
	if out.Data.Service.SDL == "" {
		return "", errors.New("fetch _service sdl: empty sdl (is this a federated subgraph?)")
	}
	return out.Data.Service.SDL, nil
}
