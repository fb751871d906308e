package core

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gobwas/ws"
	"github.com/wundergraph/graphql-go-tools/execution/subscription/websocket"
)

// WebSocketHandler serves subscriptions (and queries) over graphql-transport-ws and the
// legacy graphql-ws subprotocol (subscriptions-transport-ws).
type WebSocketHandler struct {
	engines     *EngineHolder
	logger      *slog.Logger
	keepAlive   time.Duration
	initTimeout time.Duration
	metrics     *Metrics
	headers     headerRules
}

// NewWebSocketHandler returns a handler for WebSocket upgrades.
func NewWebSocketHandler(engines *EngineHolder, logger *slog.Logger, keepAlive, initTimeout time.Duration, metrics *Metrics, propagate []string) *WebSocketHandler {
	if logger == nil {
		logger = slog.Default()
	}
	return &WebSocketHandler{engines: engines, logger: logger, keepAlive: keepAlive, initTimeout: initTimeout, metrics: metrics, headers: newHeaderRules(propagate)}
}

func (h *WebSocketHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	upgrader := ws.HTTPUpgrader{
		Timeout: 5 * time.Second,
		Protocol: func(p string) bool {
			return p == string(websocket.ProtocolGraphQLTransportWS) || p == string(websocket.ProtocolGraphQLWS)
		},
	}
	conn, _, hs, err := upgrader.Upgrade(r, w)
	if err != nil {
		h.logger.Debug("websocket upgrade", "error", err)
		return // the upgrader has answered the client
	}
	protocol := websocket.Protocol(hs.Protocol)
	if protocol == websocket.ProtocolUndefined {
		protocol = websocket.ProtocolGraphQLTransportWS
	}

	done := make(chan bool)
	errCh := make(chan error, 1)
	// Handle blocks until the connection ends; keeping it on this goroutine keeps the
	// request (and its context) alive for the connection's life.
	engine := newSubscriptionEngine(h.engines, h.headers.pick(r.Header), h.logger, h.metrics, string(protocol))
	websocket.Handle(done, errCh, conn, nil,
		websocket.WithProtocol(protocol),
		websocket.WithCustomSubscriptionEngine(engine),
		websocket.WithCustomKeepAliveInterval(h.keepAlive),
		websocket.WithCustomConnectionInitTimeOut(h.initTimeout),
	)
	select {
	case err := <-errCh:
		h.logger.Error("websocket connection", "error", err)
	default:
	}
}
