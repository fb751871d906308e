package core

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/wundergraph/graphql-go-tools/execution/graphql"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// serveSubscription streams a subscription over plain HTTP: as server-sent events
// (graphql-sse "distinct connections" mode: `next` events, then `complete`) or as
// Apollo's multipart subscription protocol (multipart/mixed; subscriptionSpec=1.0,
// `{"payload": ...}` parts and `{}` heartbeats). It returns when upstream completes or
// the client goes away.
//
// A subscription authenticated by a token ends when the token expires, with an
// UNAUTHENTICATED error: the client reconnects with a fresh token.
func (h *GraphQLHandler) serveSubscription(ctx context.Context, w http.ResponseWriter, eng *Engine, req *graphql.Request, opName string, format streamFormat, st *requestState) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeErrors(w, http.StatusInternalServerError, newError(CodeInternal, "streaming is not supported on this connection"))
		return
	}
	transport := "sse"
	if format == streamMultipart {
		transport = "multipart"
	}
	if st != nil && st.identity != nil {
		slot, refused := streamCapsFrom(ctx).acquireUser(st.identity.UserID, transport)
		if refused != "" {
			w.Header().Set("Retry-After", "5")
			writeErrors(w, http.StatusServiceUnavailable, newError(CodeTooManyConnections, refused))
			return
		}
		defer slot.Release()
	}
	h.metrics.observeOperation(opName, "subscription", 0, "")
	defer h.metrics.subscriptionStarted(transport)()

	s := &httpStream{w: w, flusher: flusher, format: format}
	s.start()
	stopHeartbeat := s.heartbeatEvery(h.heartbeat)
	defer stopHeartbeat()

	ctx, stop := untilTokenExpires(ctx, st)
	defer stop()
	end, err := h.resubscribe.run(ctx, eng, req.Query, req.OperationName, req.Variables, st, func(data []byte) {
		data, _ = annotateSubgraphErrors(data, st)
		s.next(data)
	})
	if tokenExpired(ctx) {
		s.fail([]clientError{unauthenticated(errTokenExpired)})
		return
	}
	switch end {
	case endError:
		s.fail(operationErrors(h.logger, err))
		return
	case endReloaded:
		s.fail([]clientError{newError(CodeSupergraphReloaded, "The router's supergraph changed: this subscription ended, subscribe again.")})
		return
	}
	s.complete()
}

// httpStream writes one subscription's frames; the resolver's goroutine (events) and
// the heartbeat ticker write concurrently, so every write takes mu.
type httpStream struct {
	w       http.ResponseWriter
	flusher http.Flusher
	format  streamFormat

	mu   sync.Mutex
	done bool
}

const multipartBoundary = "graphql"

func (s *httpStream) start() {
	h := s.w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	if s.format == streamSSE {
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
	} else {
		h.Set("Content-Type", `multipart/mixed; boundary="`+multipartBoundary+`"; subscriptionSpec="1.0"`)
	}
	s.w.WriteHeader(http.StatusOK)
	s.flusher.Flush()
}

// next writes one event's response.
func (s *httpStream) next(data []byte) {
	if s.format == streamSSE {
		s.write("event: next\ndata: ", data, "\n\n")
		return
	}
	s.write(multipartPart+`{"payload":`, data, "}")
}

const multipartPart = "\r\n--" + multipartBoundary + "\r\ncontent-type: application/json; charset=utf-8\r\n\r\n"

func (s *httpStream) heartbeatEvery(interval time.Duration) (stop func()) {
	ticker := time.NewTicker(interval)
	quit := make(chan struct{})
	go func() {
		for {
			select {
			case <-quit:
				return
			case <-ticker.C:
				if s.format == streamSSE {
					s.write(":\n\n", nil, "")
				} else {
					s.write(multipartPart+"{}", nil, "")
				}
			}
		}
	}()
	return func() { ticker.Stop(); close(quit) }
}

func (s *httpStream) fail(errs []clientError) {
	var buf bytes.Buffer
	buf.WriteString(`{"errors":`)
	buf.Write(mustJSON(errs))
	buf.WriteString("}")
	if s.format == streamSSE {
		s.write("event: next\ndata: ", buf.Bytes(), "\n\n")
		s.complete()
		return
	}
	// A transport-level error in the multipart protocol: payload null, errors beside it.
	s.write(multipartPart+`{"payload":null,"errors":`, mustJSON(errs), "}")
	s.complete()
}

func (s *httpStream) complete() {
	if s.format == streamSSE {
		s.write("event: complete\ndata: \n\n", nil, "")
	} else {
		s.write("\r\n--"+multipartBoundary+"--\r\n", nil, "")
	}
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
}

func (s *httpStream) write(prefix string, data []byte, suffix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return
	}
	var buf bytes.Buffer
	buf.Grow(len(prefix) + len(data) + len(suffix))
	buf.WriteString(prefix)
	buf.Write(bytes.TrimRight(data, "\n"))
	buf.WriteString(suffix)
	if _, err := s.w.Write(buf.Bytes()); err != nil {
		s.done = true
		return
	}
	s.flusher.Flush()
}

var _ resolve.SubscriptionResponseWriter = (*eventWriter)(nil)

// untilTokenExpires bounds a long-lived operation by the caller's token.
func untilTokenExpires(ctx context.Context, st *requestState) (context.Context, context.CancelFunc) {
	if st == nil || st.identity == nil || st.identity.ExpiresAt.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadlineCause(ctx, st.identity.ExpiresAt, errTokenExpired)
}

func tokenExpired(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), errTokenExpired)
}
