package graphqlserver

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
)

// MaxStreamsPerConnection is how many concurrent streams (subscriptions) one HTTP/2
// connection from the router may carry; the router opens another connection past it.
const MaxStreamsPerConnection = 1000

// ServeHTTP2 makes srv (plain TCP, as every subgraph serves) answer cleartext HTTP/2 with
// prior knowledge besides HTTP/1.1 (and HTTP/2 over TLS, were it served with TLS). The
// router subscribes over SSE on HTTP/2 (supergraph.yaml subscription.protocol: sse):
// all its subscriptions to this subgraph are streams on a few connections instead of a
// WebSocket each, every stream with the caller's own signed identity in its headers,
// which Middleware (platform/authz) checks per stream as for any request.
//
// It also makes a graceful shutdown end the subscription streams as a crash would, so
// the router resubscribes them on the next instance: srv.Shutdown waits for in-flight
// requests, which a subscription never stops being. When shutdown starts, each SSE
// stream's context is cancelled and what the handler writes after that (gqlgen's
// "event: complete") is dropped, so the stream ends without completing. Call it after
// srv.Handler is set and before srv serves.
func ServeHTTP2(srv *http.Server) {
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetHTTP2(true)
	p.SetUnencryptedHTTP2(true)
	srv.Protocols = &p
	srv.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: MaxStreamsPerConnection}

	shutdown, stopStreams := context.WithCancel(context.Background())
	srv.RegisterOnShutdown(stopStreams)
	next := srv.Handler
	if next == nil {
		next = http.DefaultServeMux
	}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		sw := &stoppableStream{ResponseWriter: w}
		stop := context.AfterFunc(shutdown, func() {
			sw.stopped.Store(true)
			cancel()
		})
		defer stop()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// stoppableStream is an SSE response that swallows writes once the server is shutting
// down.
type stoppableStream struct {
	http.ResponseWriter
	stopped atomic.Bool
}

func (s *stoppableStream) Write(p []byte) (int, error) {
	if s.stopped.Load() {
		return len(p), nil
	}
	return s.ResponseWriter.Write(p)
}

func (s *stoppableStream) Flush() {
	if s.stopped.Load() {
		return
	}
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (s *stoppableStream) Unwrap() http.ResponseWriter { return s.ResponseWriter }
