// Package gqlserver wires a gqlgen executable schema into an HTTP handler with the
// transports the router talks to: POST, GET, WebSocket (both subprotocols) and SSE.
package gqlserver

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// New returns a gqlgen server for the schema.
func New(schema graphql.ExecutableSchema) *handler.Server {
	srv := handler.New(schema)
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 10 * time.Second,
		Implementation:        transport.CoderWebsocketImplementation{},
	})
	// SSE must come before POST: both match a JSON POST.
	srv.AddTransport(transport.SSE{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.GET{})
	srv.Use(extension.Introspection{})
	return srv
}

// UpgradeRecorder remembers the WebSocket subprotocols clients offered, so tests can
// check what the router asked its subgraphs for.
type UpgradeRecorder struct {
	Next http.Handler

	mu      sync.Mutex
	offered []string
}

func (u *UpgradeRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") != "" {
		u.mu.Lock()
		u.offered = append(u.offered, r.Header.Get("Sec-WebSocket-Protocol"))
		u.mu.Unlock()
	}
	u.Next.ServeHTTP(w, r)
}

// Offered returns the Sec-WebSocket-Protocol header of each upgrade request seen.
func (u *UpgradeRecorder) Offered() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.offered...)
}

// HeaderRecorder remembers the headers of the last request, so tests can check what
// the router forwarded.
type HeaderRecorder struct {
	Next http.Handler

	mu   sync.Mutex
	last http.Header
	// userIDs are the X-DizhTime-User-Id values of every request seen ("" when none).
	userIDs []string
}

func (h *HeaderRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.last = r.Header.Clone()
	h.userIDs = append(h.userIDs, r.Header.Get("X-DizhTime-User-Id"))
	h.mu.Unlock()
	h.Next.ServeHTTP(w, r)
}

// UserIDs returns the X-DizhTime-User-Id header of every request seen, oldest first.
func (h *HeaderRecorder) UserIDs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.userIDs...)
}

// Last returns the headers of the last request seen (nil before any).
func (h *HeaderRecorder) Last() http.Header {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last.Clone()
}

// RequestLog remembers the body of every plain HTTP request (not WebSocket upgrades),
// so tests can see which subgraphs the router called and with what.
type RequestLog struct {
	Next http.Handler

	mu     sync.Mutex
	bodies []string
}

func (l *RequestLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") == "" && r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err == nil {
			r.Body = io.NopCloser(bytes.NewReader(b))
			l.mu.Lock()
			l.bodies = append(l.bodies, string(b))
			l.mu.Unlock()
		}
	}
	l.Next.ServeHTTP(w, r)
}

// Count returns how many requests were seen.
func (l *RequestLog) Count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.bodies)
}

// Bodies returns the request bodies seen, oldest first.
func (l *RequestLog) Bodies() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.bodies...)
}

// StreamRecorder remembers every SSE subscription request (Accept: text/event-stream):
// its headers and body, so tests can check which caller each upstream stream was opened
// for and what it asked.
type StreamRecorder struct {
	Next http.Handler

	mu      sync.Mutex
	streams []StreamRequest
}

// StreamRequest is one recorded SSE subscription request.
type StreamRequest struct {
	Header http.Header
	Body   string
	// Proto is the HTTP version it came over ("HTTP/2.0" when multiplexed).
	Proto string
}

func (s *StreamRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil && strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		b, err := io.ReadAll(r.Body)
		if err == nil {
			r.Body = io.NopCloser(bytes.NewReader(b))
			s.mu.Lock()
			s.streams = append(s.streams, StreamRequest{Header: r.Header.Clone(), Body: string(b), Proto: r.Proto})
			s.mu.Unlock()
		}
	}
	s.Next.ServeHTTP(w, r)
}

// Streams returns the SSE subscription requests seen, oldest first.
func (s *StreamRecorder) Streams() []StreamRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]StreamRequest(nil), s.streams...)
}
