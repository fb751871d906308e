package core

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"sync/atomic"
)

// wholeMessageConn is a client connection to a subgraph's WebSocket endpoint that hands
// its reader only whole WebSocket messages.
//
// Why: the engine's upstream subscription client (graphql-go-tools rc.231, blocking
// mode) reads each message with a 5 s read deadline and, on a timeout, simply reads
// again. A deadline that expires after a frame's header was read but before its payload
// was leaves the stream in the middle of a frame: the next read takes the payload's
// first byte, '{' (0x7B), for a header with opcode 0xB and fails with "use of reserved
// op code", which the engine sends to every subscriber on that connection. It is not
// rare: the client pings every 15 s and the deadline chain (5 s, re-armed after each
// timeout) lands on the same instant as the subgraph's pong.
//
// Holding the bytes here until a message is complete makes a timeout fall between
// messages: a partial frame stays buffered for the next read instead of being lost.
// Until the HTTP upgrade answer has been read the connection is passed through (only the
// response head is handed out, so bytes after it are not swallowed by net/http's
// buffer); a response other than 101 keeps it a plain HTTP connection.
type wholeMessageConn struct {
	net.Conn

	mu sync.Mutex
	// buf holds bytes read from the socket and not yet handed to the reader; the first
	// ready of them may be handed out.
	buf   []byte
	ready int
	mode  frameMode
	// scanned is where the frame scan stopped (a frame begins there) and inFragments
	// whether a fragmented message is open at that point.
	scanned     int
	inFragments bool

	// onDrop, when set, hears once that an upgraded connection ended by the subgraph
	// (EOF, reset) rather than closed by the engine.
	onDrop   func()
	dropSaid bool
	closed   atomic.Bool
}

// Close marks the connection closed by the engine: read errors after it are no drop.
func (c *wholeMessageConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

type frameMode int

const (
	modeHTTPHead frameMode = iota // reading the upgrade response head
	modeFrames                    // upgraded: whole messages only
	modePlain                     // not upgraded: pass through
)

func newWholeMessageConn(c net.Conn) *wholeMessageConn { return &wholeMessageConn{Conn: c} }

func (c *wholeMessageConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mode == modePlain && len(c.buf) == 0 {
		return c.Conn.Read(p)
	}
	for c.ready == 0 {
		c.scan()
		if c.ready > 0 {
			break
		}
		var chunk [4096]byte
		n, err := c.Conn.Read(chunk[:])
		c.buf = append(c.buf, chunk[:n]...)
		if err != nil && c.mode == modeFrames && c.onDrop != nil && !c.dropSaid && !c.closed.Load() && !isTimeout(err) {
			c.dropSaid = true
			c.onDrop()
		}
		if err != nil {
			c.scan()
			if c.ready == 0 {
				// A timeout here leaves any partial frame buffered for the next Read.
				return 0, err
			}
		}
	}
	n := copy(p, c.buf[:c.ready])
	c.buf = c.buf[n:]
	c.ready -= n
	c.scanned = max(c.scanned-n, 0)
	if len(c.buf) == 0 {
		c.buf = nil // do not keep a large message's array alive
	}
	return n, nil
}

// scan extends ready over what may be handed out.
func (c *wholeMessageConn) scan() {
	switch c.mode {
	case modeHTTPHead:
		end := bytes.Index(c.buf, []byte("\r\n\r\n"))
		if end < 0 {
			return
		}
		end += 4
		c.ready, c.scanned = end, end
		if bytes.HasPrefix(c.buf, []byte("HTTP/1.1 101")) || bytes.HasPrefix(c.buf, []byte("HTTP/1.0 101")) {
			c.mode = modeFrames
		} else {
			c.mode = modePlain
		}
	case modeFrames:
		for {
			size, fin, opcode, ok := frameAt(c.buf[c.scanned:])
			if !ok {
				return
			}
			c.scanned += size
			if opcode < 0x8 { // data or continuation frame; control frames may interleave
				c.inFragments = !fin
			}
			if !c.inFragments {
				c.ready = c.scanned
			}
		}
	case modePlain:
		c.ready, c.scanned = len(c.buf), len(c.buf)
	}
}

// frameAt reports the size of the WebSocket frame at the start of b, whether it is final,
// and its opcode; ok is false while the frame is not complete.
func frameAt(b []byte) (size int, fin bool, opcode byte, ok bool) {
	if len(b) < 2 {
		return 0, false, 0, false
	}
	fin, opcode = b[0]&0x80 != 0, b[0]&0x0f
	header := 2
	length := uint64(b[1] & 0x7f)
	switch length {
	case 126:
		if len(b) < 4 {
			return 0, false, 0, false
		}
		header, length = 4, uint64(binary.BigEndian.Uint16(b[2:4]))
	case 127:
		if len(b) < 10 {
			return 0, false, 0, false
		}
		header, length = 10, binary.BigEndian.Uint64(b[2:10])
	}
	if b[1]&0x80 != 0 { // masked (a server must not, but the size must still be right)
		header += 4
	}
	if length > uint64(len(b)-header) {
		return 0, false, 0, false
	}
	return header + int(length), fin, opcode, true
}

// dialWholeMessages returns dial functions for an http.Transport that only carries
// WebSocket upgrades: every connection (after TLS, for wss) is a wholeMessageConn.
//
// onDrop (may be nil) hears the address of every upgraded connection the subgraph ended.
func dialWholeMessages(d *net.Dialer, onDrop func(addr string)) (func(ctx context.Context, network, addr string) (net.Conn, error), func(ctx context.Context, network, addr string) (net.Conn, error)) {
	wrap := func(c net.Conn, addr string) *wholeMessageConn {
		w := newWholeMessageConn(c)
		if onDrop != nil {
			w.onDrop = func() { onDrop(addr) }
		}
		return w
	}
	plain := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return wrap(c, addr), nil
	}
	secure := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		host, _, _ := net.SplitHostPort(addr)
		tc := tls.Client(c, &tls.Config{ServerName: host, NextProtos: []string{"http/1.1"}})
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = c.Close()
			return nil, err
		}
		return wrap(tc, addr), nil
	}
	return plain, secure
}
