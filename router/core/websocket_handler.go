package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gobwas/ws"
	"github.com/jensneuse/abstractlogger"
	"github.com/wundergraph/graphql-go-tools/execution/subscription/websocket"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
)

// WebSocketHandler serves subscriptions (and queries) over graphql-transport-ws and the
// legacy graphql-ws subprotocol (subscriptions-transport-ws).
//
// Authentication: browsers cannot set headers on a WebSocket, so the token comes in the
// connection_init payload ({"Authorization": "Bearer …"}, {"authorization": …} or
// {"headers": {"Authorization": …}}); an Authorization header on the upgrade request is
// honoured too. A bad token refuses the connection: 401 before the upgrade, or close
// code 4403 (Forbidden) at connection_init. Each operation is then checked like an HTTP
// request (required identity, rate limit, @authenticated / @requiresScopes), and a
// subscription ends with UNAUTHENTICATED when the token expires.
type WebSocketHandler struct {
	engines     *EngineHolder
	logger      *slog.Logger
	keepAlive   time.Duration
	initTimeout time.Duration
	metrics     *Metrics
	headers     headerRules
	auth        *authenticator
	limiter     *rateLimiter
	// pipeline checks every operation as the HTTP handler does (nil: a pipeline with
	// no limits, for handlers built without a router).
	pipeline *operationPipeline
	// requestTimeout bounds each query or mutation sent over the connection.
	requestTimeout time.Duration
	// resubscribe re-establishes subscriptions whose upstream went away.
	resubscribe *resubscriber
	// loop serves connections from the event loop (nil: a goroutine per connection).
	loop *wsLoop
	// live holds every upgraded connection so the router can end them when it closes
	// (nil: nobody does).
	live *hijackedConns
}

// NewWebSocketHandler returns a handler for WebSocket upgrades.
func NewWebSocketHandler(engines *EngineHolder, logger *slog.Logger, keepAlive, initTimeout time.Duration, metrics *Metrics, propagate []string) *WebSocketHandler {
	if logger == nil {
		logger = slog.Default()
	}
	return &WebSocketHandler{engines: engines, logger: logger, keepAlive: keepAlive, initTimeout: initTimeout, metrics: metrics, headers: newHeaderRules(propagate)}
}

func (h *WebSocketHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	identity, err := h.auth.authenticateHTTP(r)
	if err != nil && !errors.Is(err, errNoToken) {
		writeUnauthenticated(w, err)
		return
	}
	upgrader := ws.HTTPUpgrader{
		Timeout: 5 * time.Second,
		Protocol: func(p string) bool {
			return p == string(websocket.ProtocolGraphQLTransportWS) || p == string(websocket.ProtocolGraphQLWS)
		},
	}
	conn, rw, hs, err := upgrader.Upgrade(r, w)
	if err != nil {
		h.logger.Debug("websocket upgrade", "error", err)
		return // the upgrader has answered the client
	}
	// What the client sent right behind its upgrade request (a pipelining client's
	// connection_init) is in net/http's read buffer, no longer in the socket.
	var early []byte
	if rw != nil && rw.Reader.Buffered() > 0 {
		early, _ = rw.Reader.Peek(rw.Reader.Buffered())
		early = bytes.Clone(early)
	}
	protocol := websocket.Protocol(hs.Protocol)
	if protocol == websocket.ProtocolUndefined {
		protocol = websocket.ProtocolGraphQLTransportWS
	}

	engine := h.newEngine(r, identity, string(protocol))
	if h.loop != nil {
		if c, ok := conn.(*net.TCPConn); ok {
			h.serveFromLoop(r, c, early, protocol == websocket.ProtocolGraphQLWS, engine, identity)
			return
		}
	}
	if len(early) > 0 {
		conn = &earlyBytesConn{Conn: conn, early: early}
	}
	forget, open := h.live.add(conn, func() { _ = conn.Close() })
	if !open {
		_ = ws.WriteFrame(conn, ws.NewCloseFrame(ws.NewCloseFrameBody(closeGoingAway, "the router is shutting down")))
		_ = conn.Close()
		return
	}
	defer forget()

	// The connection's place under its user's cap (connections.max_streams_per_user): taken
	// here for a token on the upgrade, or in connection_init.
	caps := streamCapsFrom(r.Context())
	var slot *userSlot
	defer func() { slot.Release() }()
	if identity != nil {
		var refused string
		if slot, refused = caps.acquireUser(identity.UserID, "websocket"); refused != "" {
			closeOverUserCap(conn, refused)
			return
		}
	}
	// Handle blocks until the connection ends; keeping it on this goroutine keeps the
	// request (and its context) alive for the connection's life.
	done := make(chan bool)
	errCh := make(chan error, 1)
	websocket.Handle(done, errCh, conn, nil,
		websocket.WithCustomClient(&extensionsKeepingClient{Client: websocket.NewClient(abstractlogger.Noop{}, conn), engine: engine}),
		websocket.WithProtocol(protocol),
		websocket.WithCustomSubscriptionEngine(engine),
		websocket.WithCustomKeepAliveInterval(h.keepAlive),
		websocket.WithCustomConnectionInitTimeOut(h.initTimeout),
		websocket.WithInitFunc(h.initFunc(conn, engine, caps, &slot)),
	)
	select {
	case err := <-errCh:
		h.logger.Error("websocket connection", "error", err)
	default:
	}
}

// newEngine is the subscription engine running one connection's operations.
func (h *WebSocketHandler) newEngine(r *http.Request, identity *authn.Identity, protocol string) *subscriptionEngine {
	engine := newSubscriptionEngine(h.engines, h.headers.pick(r.Header), h.logger, h.metrics, protocol)
	engine.remoteAddr = r.RemoteAddr
	engine.limiter = h.limiter
	engine.authRequired = h.auth != nil && h.auth.verifier != nil && h.auth.required
	engine.setIdentity(identity)
	engine.setToken(r.Header.Get("Authorization"))
	engine.traceParent = upgradeTraceParent(r)
	h.armEngine(engine)
	return engine
}

// armEngine gives the engine the handler's operation checks.
func (h *WebSocketHandler) armEngine(engine *subscriptionEngine) {
	engine.pipeline = h.pipeline
	if engine.pipeline == nil {
		engine.pipeline = &operationPipeline{introspection: true, persisted: &persistedQueries{}, metrics: h.metrics, logger: h.logger}
	}
	engine.requestTimeout = h.requestTimeout
	engine.resubscribe = h.resubscribe
	if engine.resubscribe == nil {
		engine.resubscribe = &resubscriber{engines: h.engines, logger: h.logger}
	}
}

// closeOverUserCap closes a WebSocket whose user holds connections.max_streams_per_user
// connections already: 1013 (Try Again Later), as for the other caps.
func closeOverUserCap(conn net.Conn, reason string) {
	_ = ws.WriteFrame(conn, ws.NewCloseFrame(ws.NewCloseFrameBody(closeTryAgainLater, reason)))
	_ = conn.Close()
}

// initFunc verifies the token of a connection_init payload. A refused token closes the
// connection with 4403 before the library answers (its own refusal would be 4500); a user
// over connections.max_streams_per_user closes it with 1013. slot holds the connection's
// place under its user's cap.
func (h *WebSocketHandler) initFunc(conn net.Conn, engine *subscriptionEngine, caps *streamCaps, slot **userSlot) websocket.InitFunc {
	return func(ctx context.Context, payload websocket.InitPayload) (context.Context, error) {
		code, reason, err := h.acceptInit(ctx, payload, engine, caps, slot)
		if err != nil {
			_ = ws.WriteFrame(conn, ws.NewCloseFrame(ws.NewCloseFrameBody(code, reason)))
			_ = conn.Close()
		}
		return ctx, err
	}
}

// acceptInit verifies the token of a connection_init payload (none: the connection goes
// on as it is) and moves the connection under its user's cap. A refusal comes with the
// close code and reason to close the connection with: 4403 for a bad token, 1013 over
// connections.max_streams_per_user.
func (h *WebSocketHandler) acceptInit(ctx context.Context, payload []byte, engine *subscriptionEngine, caps *streamCaps, slot **userSlot) (ws.StatusCode, string, error) {
	var fields map[string]any
	if len(payload) == 0 || json.Unmarshal(payload, &fields) != nil {
		return 0, "", nil
	}
	token, present := authn.TokenFromInitPayload(fields)
	if !present {
		return 0, "", nil
	}
	identity, err := h.auth.authenticate(ctx, token, true)
	if err != nil {
		return 4403, "Forbidden", err
	}
	engine.setToken(token)
	if identity != nil {
		(*slot).Release() // a token on the upgrade counted its own user
		next, refused := caps.acquireUser(identity.UserID, "websocket")
		*slot = next
		if refused != "" {
			return closeTryAgainLater, refused, errors.New(refused)
		}
		engine.setIdentity(identity)
		h.armEngine(engine)
	}
	return 0, "", nil
}

// extensionsKeepingClient reads client messages as the library's client does, and keeps
// the `extensions` of each graphql-transport-ws `subscribe` payload for the operation's
// id: the library rebuilds that payload from query, operationName and variables only,
// which would let an operation skip the persisted query rules (APQ, safelist by hash).
type extensionsKeepingClient struct {
	*websocket.Client
	engine *subscriptionEngine
}

func (c *extensionsKeepingClient) ReadBytesFromClient() ([]byte, error) {
	data, err := c.Client.ReadBytesFromClient()
	if err != nil || !bytes.Contains(data, []byte(`"extensions"`)) {
		return data, err
	}
	var msg struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Payload struct {
			Extensions json.RawMessage `json:"extensions"`
		} `json:"payload"`
	}
	if json.Unmarshal(data, &msg) == nil && msg.Type == "subscribe" && len(msg.Payload.Extensions) > 0 {
		c.engine.keepExtensions(msg.ID, msg.Payload.Extensions)
	}
	return data, err
}

// earlyBytesConn reads first what the client sent behind its upgrade request.
type earlyBytesConn struct {
	net.Conn
	early []byte
}

func (c *earlyBytesConn) Read(p []byte) (int, error) {
	if len(c.early) > 0 {
		n := copy(p, c.early)
		c.early = c.early[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
