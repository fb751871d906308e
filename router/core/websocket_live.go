package core

import (
	"net"
	"sync"

	"github.com/gobwas/ws"
)

// closeGoingAway is the close code of the WebSockets a router closes when it shuts down
// (RFC 6455 1001, Going Away).
const closeGoingAway ws.StatusCode = 1001

// hijackedConns is every WebSocket the router upgraded and still holds. A hijacked
// connection is out of net/http's hands (http.Server.Shutdown and httptest's
// CloseClientConnections no longer see it), so Router.Close ends them here: on the event
// loop with a 1001 close frame after what is queued, on the goroutine-per-connection
// path by closing the socket (the library's writer may be mid-frame). The zero value is
// ready to use.
type hijackedConns struct {
	mu     sync.Mutex
	conns  map[net.Conn]func() // how to end each one
	closed bool
}

// add records conn with how to end it. false: the router is closed already, the caller
// closes conn itself. remove forgets conn once it ended on its own.
func (h *hijackedConns) add(conn net.Conn, end func()) (remove func(), ok bool) {
	if h == nil {
		return func() {}, true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	if h.conns == nil {
		h.conns = map[net.Conn]func(){}
	}
	h.conns[conn] = end
	return func() {
		h.mu.Lock()
		delete(h.conns, conn)
		h.mu.Unlock()
	}, true
}

// closeAll ends every connection held and refuses those upgraded later.
func (h *hijackedConns) closeAll() {
	h.mu.Lock()
	h.closed = true
	conns := h.conns
	h.conns = nil
	h.mu.Unlock()
	for _, end := range conns {
		end()
	}
}

// count is how many connections are held.
func (h *hijackedConns) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}
