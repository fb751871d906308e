//go:build linux

package core

import (
	"errors"
	"net"
	"sync"

	"golang.org/x/sys/unix"
)

// wsPoller is one epoll instance watching every client WebSocket of the process for
// readability. Each connection is registered one-shot (EPOLLONESHOT): when it becomes
// readable one goroutine is started to read what arrived, and the connection is re-armed
// when that goroutine is done, so no goroutine waits on an idle connection and no two
// read one connection at once.
//
// Why not a library: github.com/mailru/easygo/netpoll takes the descriptor through
// (*net.TCPConn).File, which dup()s it — two descriptors per client, where descriptors
// are the scarce resource (issue 27) — and graphql-go-tools' pkg/netpoll registers
// level-triggered without one-shot, which re-reports a connection while a worker still
// reads it. Both are thin wrappers over the same three epoll calls used here.
//
// The Go runtime keeps the descriptor in its own (edge-triggered) poller too, so the
// reads themselves go through net.Conn with deadlines as usual.
type wsPoller struct {
	epfd int

	mu    sync.Mutex
	conns map[uint64]*wsConn
	next  uint64
}

func newWSPoller() (*wsPoller, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	p := &wsPoller{epfd: fd, conns: map[uint64]*wsConn{}}
	go p.run()
	return p, nil
}

const wsPollEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT

// socketFD is the connection's descriptor (the runtime's own; not dup'ed).
func socketFD(conn *net.TCPConn) (int, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	if err := raw.Control(func(s uintptr) { fd = int(s) }); err != nil {
		return -1, err
	}
	return fd, nil
}

// event carries the connection's id (not its descriptor: a descriptor number is reused
// as soon as a connection closes, an id never is).
func wsEvent(id uint64) *unix.EpollEvent {
	return &unix.EpollEvent{Events: wsPollEvents, Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
}

// add registers c and assigns its id (an error when c closed meanwhile); armed false
// registers it without asking for readability yet (rearm does).
func (p *wsPoller) add(c *wsConn, armed bool) error {
	fd, err := socketFD(c.conn)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.next++
	id := p.next
	p.conns[id] = c
	p.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		err = net.ErrClosed
	} else {
		c.id, c.fd = id, fd
		ev := wsEvent(id)
		if !armed {
			ev.Events = unix.EPOLLONESHOT // registered, reporting nothing until re-armed
		}
		err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, ev)
		if err != nil {
			c.fd = 0
		}
	}
	if err != nil {
		p.mu.Lock()
		delete(p.conns, id)
		p.mu.Unlock()
	}
	return err
}

// rearm asks for the next readability of c. The caller holds c.mu and has checked that
// c is not closed, so c.fd is still c's descriptor.
func (p *wsPoller) rearm(c *wsConn) error {
	return unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, c.fd, wsEvent(c.id))
}

// remove forgets c; called before its descriptor is closed.
func (p *wsPoller) remove(c *wsConn) {
	_ = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	p.mu.Lock()
	delete(p.conns, c.id)
	p.mu.Unlock()
}

// count is how many connections are registered.
func (p *wsPoller) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

func (p *wsPoller) run() {
	events := make([]unix.EpollEvent, 256)
	for {
		n, err := unix.EpollWait(p.epfd, events, -1)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return
		}
		p.mu.Lock()
		for i := range n {
			id := uint64(uint32(events[i].Fd)) | uint64(uint32(events[i].Pad))<<32
			if c := p.conns[id]; c != nil {
				go c.onReadable()
			}
		}
		p.mu.Unlock()
	}
}
