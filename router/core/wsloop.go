package core

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/gobwas/ws"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/wundergraph/graphql-go-tools/execution/subscription"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/graphqlerrors"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// The WebSocket event loop (connections.websocket_event_loop).
//
// The goroutine-per-connection path (graphql-go-tools' websocket.Handle) keeps, for
// every client, the HTTP handler's goroutine, a goroutine blocked reading, a keep-alive
// goroutine and an init-timeout goroutine: ~55 KiB of stacks per subscriber before any
// subscription runs. Here the handler returns right after the upgrade; the connection is
// registered with one process-wide epoll instance (wsPoller) and a goroutine exists only
// while a message is being read. Keep-alives and the init timeout are runtime timers
// (no goroutine while they wait). What stays per connection is wsConn, its
// subscriptionEngine and the socket.
//
// Writes never block the caller (the engine's goroutine delivering an event): a frame is
// queued and a short-lived goroutine drains the queue with writev. A client that lets
// more than connections.websocket_send_queue_bytes pile up is a slow consumer: what is
// queued is dropped, the connection is closed with 1008 (Policy Violation, reason
// "slow consumer: ...") and counted in router_websocket_slow_consumers_total, so it can
// never hold up the events of the others on the same upstream stream.
//
// Both subprotocols behave as the library's handlers do (messages, close codes 4400,
// 4401, 4403, 4408, 4409, 4429, keep-alives), see handleTransportWS and handleLegacyWS,
// except that a graphql-transport-ws keep-alive (an unsolicited pong) is skipped on a
// connection that was sent frames since the last one (see onTimer).

// closeSlowConsumer is the close code of a WebSocket whose client does not read fast
// enough (RFC 6455 1008, Policy Violation).
const closeSlowConsumer ws.StatusCode = 1008

const (
	// wsMaxMessage bounds one client message (a subscribe with a large query).
	wsMaxMessage = 4 << 20
	// wsReadTimeout bounds reading the rest of a message once its first bytes arrived.
	wsReadTimeout = 10 * time.Second
	// wsWriteTimeout bounds one write of queued frames.
	wsWriteTimeout = 10 * time.Second
	// wsDefaultSendQueue is connections.websocket_send_queue_bytes' default.
	wsDefaultSendQueue = 256 << 10
)

// wsLoop is the configuration the event loop serves connections with.
type wsLoop struct {
	poller        *wsPoller
	sendQueue     int
	socketSendBuf int
	slowConsumers prometheus.Counter
}

var (
	processPollerOnce sync.Once
	processPoller     *wsPoller
	processPollerErr  error
)

// newWSLoop returns the event loop for cfg, or nil (and the reason) when it is off or
// epoll is unavailable.
func newWSLoop(cfg config.Connections, reg prometheus.Registerer) (*wsLoop, error) {
	if !cfg.WebSocketEventLoop {
		return nil, nil
	}
	processPollerOnce.Do(func() { processPoller, processPollerErr = newWSPoller() })
	if processPollerErr != nil {
		return nil, processPollerErr
	}
	l := &wsLoop{poller: processPoller, sendQueue: cfg.WebSocketSendQueueBytes, socketSendBuf: cfg.WebSocketSocketSendBuffer}
	if l.sendQueue <= 0 {
		l.sendQueue = wsDefaultSendQueue
	}
	l.slowConsumers = registerOrReuse(reg, prometheus.NewCounter(prometheus.CounterOpts{
		Name: "router_websocket_slow_consumers_total",
		Help: "Client WebSockets closed with 1008 because more than connections.websocket_send_queue_bytes waited for the client to read.",
	}))
	return l, nil
}

// wsConn is one client WebSocket served by the loop.
type wsConn struct {
	h      *WebSocketHandler
	loop   *wsLoop
	conn   *net.TCPConn
	raw    syscall.RawConn // conn's descriptor, for a write that must not wait
	id     uint64          // the poller's, never reused
	fd     int
	legacy bool // graphql-ws (subscriptions-transport-ws) rather than graphql-transport-ws
	engine *subscriptionEngine
	ctx    context.Context
	cancel context.CancelFunc
	caps   *streamCaps
	lease  func() // gives the connection's place under the caps back
	forget func() // takes the connection out of the router's hijackedConns

	mu          sync.Mutex
	slot        *userSlot // the connection's place under its user's cap
	early       []byte    // what the client sent behind its upgrade request, read first
	initialized bool
	timer       *time.Timer // the init timeout, then the keep-alive
	queue       [][]byte    // frames waiting to be written
	queued      int         // bytes queued or being written
	writing     bool        // a goroutine drains queue
	closing     bool        // a close frame is queued: nothing more is
	closed      bool
	sent        bool // a frame was sent since the keep-alive's last tick
}

// serveFromLoop hands an upgraded connection to the event loop; the handler's goroutine
// returns right after.
func (h *WebSocketHandler) serveFromLoop(r *http.Request, conn *net.TCPConn, early []byte, legacy bool, engine *subscriptionEngine, identity *authn.Identity) {
	c := &wsConn{h: h, loop: h.loop, conn: conn, legacy: legacy, engine: engine, caps: streamCapsFrom(r.Context()), early: early}
	c.raw, _ = conn.SyscallConn()
	engine.async = true
	// The request's values (client address, trace) outlive the request; its
	// cancellation (when this handler returns) must not end the connection.
	c.ctx, c.cancel = context.WithCancel(context.WithoutCancel(r.Context()))
	c.lease = keepStreamLease(r.Context())
	forget, open := h.live.add(conn, func() { c.closeWith(closeGoingAway, "the router is shutting down") })
	if !open {
		c.lease()
		c.cancel()
		_ = ws.WriteFrame(conn, ws.NewCloseFrame(ws.NewCloseFrameBody(closeGoingAway, "the router is shutting down")))
		_ = conn.Close()
		return
	}
	c.forget = forget
	if identity != nil {
		slot, refused := c.caps.acquireUser(identity.UserID, "websocket")
		if refused != "" {
			c.lease()
			c.cancel()
			c.forget()
			closeOverUserCap(conn, refused)
			return
		}
		c.slot = slot
	}
	if c.loop.socketSendBuf > 0 {
		_ = conn.SetWriteBuffer(c.loop.socketSendBuf)
	}
	c.mu.Lock()
	if !legacy {
		c.timer = time.AfterFunc(h.initTimeout, c.onTimer)
	}
	c.mu.Unlock()
	// Bytes already read are not announced by epoll: the connection is registered
	// disarmed and read at once (onReadable arms it when done).
	if err := c.loop.poller.add(c, len(early) == 0); err != nil {
		h.logger.Error("websocket event loop: registering a connection", "error", err)
		c.closeWith(1011, "internal error")
		c.release()
		return
	}
	if len(early) > 0 {
		go c.onReadable()
	}
}

// onTimer fires the init timeout (no connection_init in time) or the keep-alive.
func (c *wsConn) onTimer() {
	c.mu.Lock()
	if c.closed || c.closing {
		c.mu.Unlock()
		return
	}
	if !c.initialized {
		c.mu.Unlock()
		c.closeWith(4408, "Connection initialisation timeout")
		return
	}
	c.timer.Reset(c.h.keepAlive)
	if c.sent && !c.legacy {
		// Frames went out since the last tick: the connection is not idle, a heartbeat
		// would only add a write per subscriber (10,000 sockets tracking an order each
		// got one every keep-alive besides their events). graphql-ws clients time out
		// on missing "ka" messages, not on missing data: those always get theirs.
		c.sent = false
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	if c.legacy {
		c.send(wsMessageBytes("", "ka", nil))
	} else {
		c.send(wsMessageBytes("", "pong", []byte(`{"type":"heartbeat"}`)))
	}
	c.mu.Lock()
	c.sent = false // the heartbeat is no sign of activity at the next tick
	c.mu.Unlock()
}

var wsReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// onReadable reads the messages that arrived, then re-arms the connection.
func (c *wsConn) onReadable() {
	br := wsReaders.Get().(*bufio.Reader)
	c.mu.Lock()
	early := c.early
	c.early = nil
	c.mu.Unlock()
	if len(early) > 0 {
		br.Reset(io.MultiReader(bytes.NewReader(early), c.conn))
	} else {
		br.Reset(c.conn)
	}
	defer func() {
		br.Reset(nil)
		wsReaders.Put(br)
	}()
	for {
		_ = c.conn.SetReadDeadline(time.Now().Add(wsReadTimeout))
		msg, err := c.readMessage(br)
		if errors.Is(err, errWSClosed) {
			return // a close frame is queued: the connection ends once it is written
		}
		if err != nil {
			c.release()
			return
		}
		if msg != nil {
			c.handle(msg)
		}
		c.mu.Lock()
		closing := c.closing
		c.mu.Unlock()
		if closing || br.Buffered() == 0 {
			break
		}
	}
	_ = c.conn.SetReadDeadline(time.Time{})
	c.mu.Lock()
	var err error
	if !c.closing && !c.closed {
		err = c.loop.poller.rearm(c)
	}
	c.mu.Unlock()
	if err != nil {
		c.release()
	}
}

var errWSClosed = errors.New("websocket closed")

// readMessage reads one data message (nil after a control frame that ended the read).
func (c *wsConn) readMessage(br *bufio.Reader) ([]byte, error) {
	var message []byte
	for {
		h, err := ws.ReadHeader(br)
		if err != nil {
			return nil, err
		}
		if !h.Masked {
			c.closeWith(ws.StatusProtocolError, "client frames must be masked")
			return nil, errWSClosed
		}
		if h.Length > wsMaxMessage || int64(len(message))+h.Length > wsMaxMessage {
			c.closeWith(ws.StatusMessageTooBig, "message too big")
			return nil, errWSClosed
		}
		payload := make([]byte, h.Length)
		if _, err := io.ReadFull(br, payload); err != nil {
			return nil, err
		}
		ws.Cipher(payload, h.Mask, 0)
		switch h.OpCode {
		case ws.OpPing:
			c.send(wsFrame(ws.OpPong, payload))
			if message == nil {
				return nil, nil
			}
		case ws.OpPong:
			if message == nil {
				return nil, nil
			}
		case ws.OpClose:
			code := ws.StatusNormalClosure
			if len(payload) >= 2 {
				code = ws.StatusCode(binary.BigEndian.Uint16(payload))
			}
			c.closeWith(code, "")
			return nil, errWSClosed
		default: // text, binary, continuation
			if message == nil && h.Fin {
				return payload, nil
			}
			message = append(message, payload...)
			if h.Fin {
				return message, nil
			}
		}
	}
}

// wsClientMessage is a graphql-transport-ws or graphql-ws client message.
type wsClientMessage struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

func (c *wsConn) handle(data []byte) {
	var msg wsClientMessage
	err := json.Unmarshal(data, &msg)
	if c.legacy {
		c.handleLegacyWS(msg, err)
	} else {
		c.handleTransportWS(msg, err)
	}
}

// handleTransportWS serves graphql-transport-ws as graphql-go-tools'
// ProtocolGraphQLTransportWSHandler does.
func (c *wsConn) handleTransportWS(msg wsClientMessage, err error) {
	if err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			c.closeWith(4400, "JSON syntax error")
		} else {
			c.closeWith(4400, "Invalid message")
		}
		return
	}
	switch msg.Type {
	case "connection_init":
		c.mu.Lock()
		again := c.initialized
		c.mu.Unlock()
		if again {
			c.closeWith(4429, "Too many initialisation requests")
			return
		}
		if !c.init(msg.Payload) {
			return
		}
		c.send(wsMessageBytes("", "connection_ack", nil))
	case "ping":
		c.send(wsMessageBytes("", "pong", msg.Payload))
	case "pong":
	case "subscribe":
		c.mu.Lock()
		initialized := c.initialized
		c.mu.Unlock()
		if !initialized {
			c.closeWith(4401, "Unauthorized")
			return
		}
		if err := c.engine.StartOperation(c.ctx, msg.ID, msg.Payload, c); err != nil && !errors.Is(err, errDuplicateID) {
			c.h.logger.Debug("websocket operation", "error", err)
		}
	case "complete":
		_ = c.engine.StopSubscription(msg.ID, c)
	default:
		c.closeWith(4400, fmt.Sprintf("Invalid type '%s'", msg.Type))
	}
}

// handleLegacyWS serves graphql-ws (subscriptions-transport-ws) as graphql-go-tools'
// ProtocolGraphQLWSHandler does.
func (c *wsConn) handleLegacyWS(msg wsClientMessage, err error) {
	if err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			c.emitLegacy("error", "", nil, errors.New("json syntax error"))
		}
		return
	}
	switch msg.Type {
	case "connection_init":
		if !c.init(msg.Payload) {
			return
		}
		c.send(wsMessageBytes("", "connection_ack", nil))
	case "start":
		if err := c.engine.StartOperation(c.ctx, msg.ID, msg.Payload, c); err != nil && !errors.Is(err, errDuplicateID) {
			c.h.logger.Debug("websocket operation", "error", err)
		}
	case "stop":
		_ = c.engine.StopSubscription(msg.ID, c)
	case "connection_terminate":
		_ = c.engine.TerminateAllSubscriptions(c)
	default:
		c.emitLegacy("connection_error", msg.ID, nil, fmt.Errorf("unexpected message type: %s", msg.Type))
	}
}

// init accepts a connection_init (false: refused, the connection is closing) and starts
// the keep-alive.
func (c *wsConn) init(payload json.RawMessage) bool {
	if len(payload) > 0 && string(payload) != "null" {
		c.mu.Lock()
		slot := c.slot
		c.mu.Unlock()
		code, reason, err := c.h.acceptInit(c.ctx, payload, c.engine, c.caps, &slot)
		c.mu.Lock()
		c.slot = slot
		c.mu.Unlock()
		if err != nil {
			c.closeWith(code, reason)
			return false
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.initialized = true
	if c.timer == nil {
		c.timer = time.AfterFunc(c.h.keepAlive, c.onTimer)
	} else {
		c.timer.Reset(c.h.keepAlive)
	}
	return true
}

// Emit is subscription.EventHandler: the engine's results as protocol messages.
func (c *wsConn) Emit(eventType subscription.EventType, id string, data []byte, err error) {
	if c.legacy {
		switch eventType {
		case subscription.EventTypeOnSubscriptionCompleted:
			c.emitLegacy("complete", id, nil, nil)
		case subscription.EventTypeOnSubscriptionData:
			c.emitLegacy("data", id, data, nil)
		case subscription.EventTypeOnNonSubscriptionExecutionResult:
			c.emitLegacy("data", id, data, nil)
			c.emitLegacy("complete", id, nil, nil)
		case subscription.EventTypeOnError, subscription.EventTypeOnDuplicatedSubscriberID:
			c.emitLegacy("error", id, nil, err)
		case subscription.EventTypeOnConnectionError:
			c.emitLegacy("connection_error", id, nil, err)
		}
		return
	}
	switch eventType {
	case subscription.EventTypeOnSubscriptionCompleted:
		c.send(wsMessageBytes(id, "complete", nil))
	case subscription.EventTypeOnSubscriptionData:
		c.send(wsMessageBytes(id, "next", data))
	case subscription.EventTypeOnNonSubscriptionExecutionResult:
		c.send(wsMessageBytes(id, "next", data))
		c.send(wsMessageBytes(id, "complete", nil))
	case subscription.EventTypeOnError:
		c.send(wsMessageBytes(id, "error", requestErrorsJSON(err)))
	case subscription.EventTypeOnDuplicatedSubscriberID:
		c.closeWith(4409, fmt.Sprintf("Subscriber for %s already exists", id))
	}
}

func (c *wsConn) emitLegacy(kind, id string, data []byte, err error) {
	switch kind {
	case "error":
		data = requestErrorsJSON(err)
	case "connection_error":
		data, _ = json.Marshal(err.Error())
	}
	c.send(wsMessageBytes(id, kind, data))
}

func requestErrorsJSON(err error) []byte {
	b, _ := json.Marshal(graphqlerrors.RequestErrorsFromError(err))
	return b
}

// wsMessageBytes is one protocol message as a text frame: {"id":…,"type":…,"payload":…}
// with the frame header in front, written into one pooled buffer. The message's length is
// worked out first, so the header goes at the buffer's start and the frame is the whole
// buffer: it goes back to the pool with all its room (a frame cut out of its buffer's
// middle came back 8 bytes shorter each time, until the pool held only buffers too small
// and every event allocated a new one per subscriber).
func wsMessageBytes(id, kind string, payload []byte) []byte {
	n := len(`{"type":""}`) + len(kind)
	var quoted []byte // an id that needs escaping
	if id != "" {
		if plainJSONString(id) {
			n += len(`"id":"",`) + len(id)
		} else {
			quoted, _ = json.Marshal(id)
			n += len(`"id":,`) + len(quoted)
		}
	}
	if len(payload) > 0 {
		n += len(`,"payload":`) + len(payload)
	}
	buf := appendHeader(wsFrames.get(wsMaxHeader+n), ws.OpText, n)
	buf = append(buf, '{')
	if id != "" {
		buf = append(buf, `"id":`...)
		if quoted != nil {
			buf = append(buf, quoted...)
		} else {
			buf = append(buf, '"')
			buf = append(buf, id...)
			buf = append(buf, '"')
		}
		buf = append(buf, ',')
	}
	buf = append(buf, `"type":"`...)
	buf = append(buf, kind...)
	buf = append(buf, '"')
	if len(payload) > 0 {
		buf = append(buf, `,"payload":`...)
		buf = append(buf, payload...)
	}
	return append(buf, '}')
}

// wsFrame is one frame carrying payload.
func wsFrame(op ws.OpCode, payload []byte) []byte {
	buf := appendHeader(wsFrames.get(wsMaxHeader+len(payload)), op, len(payload))
	return append(buf, payload...)
}

const wsMaxHeader = 10 // a server frame's largest header (no mask)

// appendHeader appends the header of an unfragmented server frame of n payload bytes.
func appendHeader(buf []byte, op ws.OpCode, n int) []byte {
	buf = append(buf, 0x80|byte(op))
	switch {
	case n <= 125:
		return append(buf, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(buf, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(buf, 127), uint64(n))
	}
}

// plainJSONString reports whether s is a JSON string as it is between quotes (a
// subscription id is short printable ASCII: "1", a UUID); encoding/json would escape
// anything else (and <, >, & for HTML).
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// framePool keeps write buffers for reuse (those up to 64 KiB).
type framePool struct{ p sync.Pool }

var wsFrames framePool

func (f *framePool) get(size int) []byte {
	if b, ok := f.p.Get().(*[]byte); ok && cap(*b) >= size {
		return (*b)[:0]
	} else if ok {
		f.p.Put(b)
	}
	return make([]byte, 0, max(size, 512))
}

func (f *framePool) put(frame []byte) {
	if cap(frame) > 64<<10 || cap(frame) < wsMaxHeader {
		return
	}
	b := frame[:0]
	f.p.Put(&b)
}

// send queues one frame; it never blocks. Over the send queue bound the client is a
// slow consumer and the connection is closed with 1008.
func (c *wsConn) send(frame []byte) {
	c.mu.Lock()
	if c.closing || c.closed {
		c.mu.Unlock()
		wsFrames.put(frame)
		return
	}
	if c.queued > 0 && c.queued+len(frame) > c.loop.sendQueue {
		c.mu.Unlock()
		wsFrames.put(frame)
		c.slowConsumer()
		return
	}
	c.sent = true
	if !c.writing && len(c.queue) == 0 && c.raw != nil {
		// Nothing waits to be written: one write that does not wait, on this goroutine.
		// Most frames go out whole here, without a goroutine, a deadline or a copy; what
		// the socket does not take now is queued in front, and flush writes it.
		n := c.writeNow(frame)
		if n == len(frame) {
			c.mu.Unlock()
			wsFrames.put(frame)
			return
		}
		frame = frame[n:]
	}
	c.enqueueLocked(frame)
	c.mu.Unlock()
}

// writeNow writes what the socket takes at once (c.mu held, nothing queued or being
// written); 0 on any error (flush then meets it).
//
// Once the poller registered the connection, c.fd is written directly: the descriptor is
// closed only by release, which marks c closed under c.mu first, so with c.mu held and c
// not closed it is still c's socket. That spares the runtime's descriptor lock and its
// closure per frame (a broadcast writes one frame to each of thousands of sockets).
func (c *wsConn) writeNow(frame []byte) int {
	if c.fd > 0 {
		return writeAll(c.fd, frame)
	}
	written := 0
	_ = c.raw.Write(func(fd uintptr) bool {
		written = writeAll(int(fd), frame)
		return true // never wait for the socket: the rest is queued
	})
	return written
}

// writeAll writes frame to the non-blocking socket fd until it takes no more; it returns
// how much it took.
func writeAll(fd int, frame []byte) int {
	written := 0
	for written < len(frame) {
		n, err := syscall.Write(fd, frame[written:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break
		}
		written += n
	}
	return written
}

func (c *wsConn) enqueueLocked(frame []byte) {
	c.queue = append(c.queue, frame)
	c.queued += len(frame)
	if !c.writing {
		c.writing = true
		go c.flush()
	}
}

// slowConsumer drops what waits for the client and closes the connection with 1008
// once the write under way (if any) is done.
func (c *wsConn) slowConsumer() {
	c.mu.Lock()
	if c.closing || c.closed {
		c.mu.Unlock()
		return
	}
	for _, f := range c.queue {
		c.queued -= len(f)
		wsFrames.put(f)
	}
	c.queue = c.queue[:0]
	c.mu.Unlock()
	c.loop.slowConsumers.Inc()
	c.h.logger.Warn("websocket client too slow: closed", "client", c.engine.remoteAddr, "send_queue_bytes", c.loop.sendQueue)
	c.closeWith(closeSlowConsumer, fmt.Sprintf("slow consumer: more than %d bytes waited to be read (connections.websocket_send_queue_bytes)", c.loop.sendQueue))
}

// closeWith queues a close frame after what is queued; the connection is released once
// it is written.
func (c *wsConn) closeWith(code ws.StatusCode, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing || c.closed {
		return
	}
	c.closing = true
	body := ws.NewCloseFrameBody(code, reason)
	c.enqueueLocked(wsFrame(ws.OpClose, body))
}

// flush writes what is queued until the queue is empty.
func (c *wsConn) flush() {
	var batch [][]byte
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || c.closed {
			c.writing = false
			done := c.closing && !c.closed
			c.mu.Unlock()
			if done {
				c.release()
			}
			return
		}
		batch = append(batch[:0], c.queue...)
		c.queue = c.queue[:0]
		c.mu.Unlock()

		n := 0
		for _, f := range batch {
			n += len(f)
		}
		bufs := net.Buffers(append([][]byte(nil), batch...))
		_ = c.conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
		_, err := bufs.WriteTo(c.conn)
		for i, f := range batch {
			wsFrames.put(f)
			batch[i] = nil
		}
		c.mu.Lock()
		c.queued -= n
		c.mu.Unlock()
		if err != nil {
			c.mu.Lock()
			c.writing = false
			c.mu.Unlock()
			c.release()
			return
		}
	}
}

// release ends the connection: the socket is closed, every operation ends and the
// connection's places under the caps are given back. Safe to call more than once.
func (c *wsConn) release() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.closing = true, true
	for _, f := range c.queue {
		wsFrames.put(f)
	}
	c.queue = nil
	if c.timer != nil {
		c.timer.Stop()
	}
	slot := c.slot
	c.slot = nil
	registered := c.fd > 0
	c.mu.Unlock()
	if registered {
		c.loop.poller.remove(c) // before the descriptor is closed and its number reused
	}
	_ = c.conn.Close()
	c.cancel()
	_ = c.engine.TerminateAllSubscriptions(c)
	slot.Release()
	c.lease()
	c.forget()
}

var _ subscription.EventHandler = (*wsConn)(nil)
