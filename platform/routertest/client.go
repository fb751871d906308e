package routertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// Response is a GraphQL response.
type Response struct {
	Data       json.RawMessage `json:"data"`
	Errors     []Error         `json:"errors"`
	Extensions map[string]any  `json:"extensions,omitempty"`
	// Status is the HTTP status (0 for subscription events).
	Status int `json:"-"`
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Code is extensions.code ("" when absent).
func (e Error) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// SubgraphCodes returns the codes of the subgraph errors the router wrapped into this
// one (extensions.errors[].extensions.code, the router's "wrapped" propagation mode).
func (e Error) SubgraphCodes() []string {
	nested, _ := e.Extensions["errors"].([]any)
	var out []string
	for _, n := range nested {
		m, _ := n.(map[string]any)
		ext, _ := m["extensions"].(map[string]any)
		if c, ok := ext["code"].(string); ok {
			out = append(out, c)
		}
	}
	return out
}

// Codes lists the errors' codes, each followed by the codes of the subgraph errors it
// wraps.
func (r *Response) Codes() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Code())
		out = append(out, e.SubgraphCodes()...)
	}
	return out
}

// HasCode reports whether any error, or any subgraph error wrapped in one, has code.
func (r *Response) HasCode(code string) bool {
	for _, c := range r.Codes() {
		if c == code {
			return true
		}
	}
	return false
}

// Decode unmarshals Data into v.
func (r *Response) Decode(v any) error { return json.Unmarshal(r.Data, v) }

// Post sends one operation to url (any GraphQL endpoint) with headers.
func Post(ctx context.Context, url, query string, variables map[string]any, headers http.Header) (*Response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range headers {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var out Response
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("status %d, body is not a GraphQL response: %s", resp.StatusCode, raw)
	}
	out.Status = resp.StatusCode
	return &out, nil
}

// Do posts to the router and fails the test on a transport error.
func (r *Router) Do(t testing.TB, query string, variables map[string]any, headers http.Header) *Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := Post(ctx, r.URL, query, variables, headers)
	if err != nil {
		t.Fatalf("POST %s: %v", r.URL, err)
	}
	return resp
}

// Subscription is a graphql-transport-ws subscription.
type Subscription struct {
	conn *websocket.Conn
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Subscribe opens a graphql-transport-ws connection to wsURL, sends connection_init
// with initPayload, waits for connection_ack and subscribes.
func Subscribe(ctx context.Context, wsURL, query string, variables map[string]any, initPayload map[string]any) (*Subscription, error) {
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", wsURL, err)
	}
	conn.SetReadLimit(1 << 20)
	init, _ := json.Marshal(initPayload)
	if initPayload == nil {
		init = nil
	}
	if err := wsjson.Write(ctx, conn, wsMessage{Type: "connection_init", Payload: init}); err != nil {
		conn.CloseNow()
		return nil, err
	}
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			conn.CloseNow()
			return nil, fmt.Errorf("waiting for connection_ack: %w", err)
		}
		if m.Type == "connection_ack" {
			break
		}
		if m.Type == "ping" {
			_ = wsjson.Write(ctx, conn, wsMessage{Type: "pong"})
		}
	}
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err := wsjson.Write(ctx, conn, wsMessage{ID: "1", Type: "subscribe", Payload: payload}); err != nil {
		conn.CloseNow()
		return nil, err
	}
	return &Subscription{conn: conn}, nil
}

// Next returns the next event; io.EOF when the server completed the subscription.
// An "error" message comes back as a Response carrying the errors.
func (s *Subscription) Next(ctx context.Context) (*Response, error) {
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, s.conn, &m); err != nil {
			return nil, err
		}
		switch m.Type {
		case "next":
			var r Response
			if err := json.Unmarshal(m.Payload, &r); err != nil {
				return nil, err
			}
			return &r, nil
		case "error":
			var errs []Error
			if err := json.Unmarshal(m.Payload, &errs); err != nil {
				return nil, err
			}
			return &Response{Errors: errs}, nil
		case "complete":
			return nil, io.EOF
		case "ping":
			_ = wsjson.Write(ctx, s.conn, wsMessage{Type: "pong"})
		}
	}
}

// Close ends the subscription and the connection.
func (s *Subscription) Close() {
	_ = wsjson.Write(context.Background(), s.conn, wsMessage{ID: "1", Type: "complete"})
	_ = s.conn.Close(websocket.StatusNormalClosure, "")
}
