//go:build linux

package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"golang.org/x/sys/unix"
)

// The epoll reader (-reader epoll): every subscriber socket is read by one of a few
// goroutines, each blocked in epoll_wait on an epoll instance of its own, instead of a
// goroutine (and github.com/coder/websocket's reader) per subscriber. A loop reads what a
// ready socket holds into its one reused buffer, timestamps it at the read, cuts it into
// frames and hands each text message to subscriber.onMessage, which parses only the
// stamp. With 10,000 subscribers on one order an event is 10,000 reads within a few
// milliseconds: per delivered event this costs a read(2) and a few hundred nanoseconds,
// not a goroutine wake-up and the library's reader, so the CPU the router shares with the
// tool on one machine is mostly the router's.
//
// The handshake (upgrade, connection_init / connection_ack, subscribe) is done blocking
// with github.com/gobwas/ws on a net.Conn; then the descriptor is dup()ed, the net.Conn
// closed (the runtime's poller lets go of it; the socket stays open through the dup) and
// the dup registered edge-triggered (see read). Pings (WebSocket and
// graphql-transport-ws) are answered and a close is answered and ends the subscription,
// as the goroutine reader does.

// maxFrame bounds one message (as SetReadLimit(64 KiB) does for the goroutine reader).
const maxFrame = 64 << 10

// rawSub is a subscribed socket handed to the epoll reader: its descriptor and what was
// read behind the handshake.
type rawSub struct {
	fd    int
	early []byte
}

// subscribeRaw is subscribe for the epoll reader: the same three steps with gobwas/ws.
func subscribeRaw(ctx context.Context, d *net.Dialer, wsURL, token, order string) (*rawSub, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	dialer := ws.Dialer{Protocols: []string{"graphql-transport-ws"}, Timeout: 60 * time.Second, NetDial: d.DialContext}
	conn, br, hs, err := dialer.Dial(ctx, wsURL)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	if hs.Protocol != "graphql-transport-ws" {
		conn.Close()
		return nil, fmt.Errorf("dial: the router chose subprotocol %q", hs.Protocol)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	var rw io.ReadWriter = conn
	if br != nil { // the router wrote behind its upgrade response: read that first
		rw = struct {
			io.Reader
			io.Writer
		}{br, conn}
	}
	write := func(msg []byte) error { return wsutil.WriteClientText(conn, msg) }
	read := func() ([]byte, error) {
		msg, _, err := wsutil.ReadServerData(rw)
		return msg, err
	}
	if err := handshake(write, read, token, order); err != nil {
		conn.Close()
		return nil, err
	}
	out := &rawSub{fd: -1}
	if br != nil && br.Buffered() > 0 {
		early, _ := br.Peek(br.Buffered())
		out.early = append([]byte(nil), early...)
	}
	if br != nil {
		ws.PutReader(br)
	}
	tcp, ok := conn.(*net.TCPConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("dial: %T is no TCP connection", conn)
	}
	raw, err := tcp.SyscallConn()
	if err == nil {
		cerr := raw.Control(func(s uintptr) { out.fd, err = unix.Dup(int(s)) })
		if err == nil {
			err = cerr
		}
	}
	// The dup shares the socket (and its O_NONBLOCK): closing conn only closes the
	// runtime's descriptor, no FIN is sent.
	conn.Close()
	if err != nil {
		return nil, fmt.Errorf("dup the socket: %w", err)
	}
	unix.CloseOnExec(out.fd)
	return out, nil
}

// epReader is the loops; subscribers are spread over them round robin.
type epReader struct {
	loops  []*epLoop
	stamps io.Closer // with kernel stamps: keeps them on (see stampsOn)
	mu     sync.Mutex
	next   int
}

// newEpReader starts loops loops (at least one), polling every poll while busy (0: each
// blocks in epoll_wait after every round, see epLoop.run); kernelStamps: an event counts
// as received when the kernel queued it on the socket (see epLoop.kernelStamps), not when
// a loop read it.
func newEpReader(loops int, poll time.Duration, kernelStamps bool) (*epReader, error) {
	r := &epReader{}
	if kernelStamps {
		var err error
		if r.stamps, err = stampsOn(); err != nil {
			return nil, err
		}
	}
	for range max(1, loops) {
		l, err := newEpLoop(poll, kernelStamps)
		if err != nil {
			r.stop()
			return nil, err
		}
		r.loops = append(r.loops, l)
	}
	return r, nil
}

// add has one of the loops read s from raw's descriptor.
func (r *epReader) add(s *subscriber, raw *rawSub) error {
	r.mu.Lock()
	l := r.loops[r.next%len(r.loops)]
	r.next++
	r.mu.Unlock()
	return l.add(s, raw)
}

// stop ends the loops (their sockets stay open: subscribers close them).
func (r *epReader) stop() {
	for _, l := range r.loops {
		l.stop()
	}
	if r.stamps != nil {
		r.stamps.Close()
	}
}

// stampsOn turns the kernel's receive timestamps on and returns what keeps them on until
// closed: a loopback connection of its own with SO_TIMESTAMPNS. The kernel turns them on
// for the whole stack asynchronously when the first socket asks (and off when the last
// one closes), so a segment arriving soon after the first setsockopt can come unstamped;
// this waits until a segment of its own arrives stamped (up to 5 s), and holding the
// connection keeps them on between levels, when no subscriber socket is open.
func stampsOn() (io.Closer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("kernel stamps: %w", err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return nil, fmt.Errorf("kernel stamps: %w", err)
	}
	server, err := ln.Accept()
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("kernel stamps: %w", err)
	}
	both := closers{client, server}
	raw, err := client.(*net.TCPConn).SyscallConn()
	if err == nil {
		cerr := raw.Control(func(fd uintptr) { err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) })
		if err == nil {
			err = cerr
		}
	}
	if err != nil {
		both.Close()
		return nil, fmt.Errorf("kernel stamps: setsockopt SO_TIMESTAMPNS: %w", err)
	}
	buf, oob := make([]byte, 16), make([]byte, unix.CmsgSpace(16))
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := server.Write([]byte{0}); err != nil {
			both.Close()
			return nil, fmt.Errorf("kernel stamps: %w", err)
		}
		var oobn int
		var rerr error
		if err := raw.Read(func(fd uintptr) bool {
			_, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, 0)
			return !errors.Is(rerr, unix.EAGAIN)
		}); err != nil || rerr != nil {
			both.Close()
			return nil, fmt.Errorf("kernel stamps: recvmsg: %w", errors.Join(err, rerr))
		}
		if _, ok := kernelStamp(oob[:oobn]); ok {
			return both, nil
		}
	}
	both.Close()
	return nil, errors.New("kernel stamps: no segment came stamped within 5 s (SO_TIMESTAMPNS on a loopback socket): use -stamp read")
}

// closers closes each of its members.
type closers []io.Closer

func (cs closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// epLoop is one epoll instance and the goroutine waiting on it.
type epLoop struct {
	epfd, wake int // wake: an eventfd registered with id 0, written to stop the loop
	mu         sync.Mutex
	conns      map[uint64]*epConn
	nextID     uint64
	done       chan struct{}
	poll       time.Duration // see run
	// kernelStamps: every socket has SO_TIMESTAMPNS on and is read with recvmsg, and what
	// a read returns counts as received at the kernel's timestamp (for TCP, that of the
	// last segment the read took: never earlier than any frame in it arrived), taken
	// when the router's write put it in the socket. On one machine the tool shares the
	// cores with the router, so a loop may read an event a while after it arrived (its
	// thread waiting for a core, or its poll); a client on another machine would have
	// it at the kernel's time. A read without a timestamp counts at the read.
	kernelStamps bool
}

// epConn is one subscriber's socket in a loop.
type epConn struct {
	s    *subscriber
	loop *epLoop
	id   uint64 // never reused (a descriptor number is, as soon as it is closed)

	mu      sync.Mutex // held while reading, writing and closing: no read of a closed (reused) fd
	fd      int
	closed  bool
	pending []byte // a frame's first bytes, read before the rest
	frag    []byte // a fragmented message so far
}

func newEpLoop(poll time.Duration, kernelStamps bool) (*epLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &unix.EpollEvent{Events: unix.EPOLLIN}); err != nil {
		unix.Close(epfd)
		unix.Close(wake)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	l := &epLoop{epfd: epfd, wake: wake, conns: map[uint64]*epConn{}, done: make(chan struct{}), poll: poll, kernelStamps: kernelStamps}
	go l.run()
	return l, nil
}

func (l *epLoop) add(s *subscriber, raw *rawSub) error {
	if l.kernelStamps {
		if err := unix.SetsockoptInt(raw.fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
			unix.Close(raw.fd)
			return fmt.Errorf("setsockopt SO_TIMESTAMPNS: %w", err)
		}
	}
	c := &epConn{s: s, loop: l, fd: raw.fd, pending: raw.early}
	l.mu.Lock()
	l.nextID++
	c.id = l.nextID
	l.conns[c.id] = c
	l.mu.Unlock()
	s.ep = c
	ev := &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET, Fd: int32(uint32(c.id)), Pad: int32(uint32(c.id >> 32))}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, raw.fd, ev); err != nil {
		c.close()
		return fmt.Errorf("epoll_ctl add: %w", err)
	}
	c.mu.Lock()
	if len(c.pending) > 0 && !c.closed { // frames read behind the handshake: count them now
		buf := make([]byte, maxFrame)
		c.consume(buf, copy(buf, c.pending), time.Now())
	}
	c.mu.Unlock()
	return nil
}

func (l *epLoop) stop() {
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	_, _ = unix.Write(l.wake, one[:])
	<-l.done
	unix.Close(l.epfd)
	unix.Close(l.wake)
}

// run reads ready sockets until stopped. With poll > 0, once woken it polls every poll
// while sockets keep being ready and blocks in epoll_wait again only after a poll found
// none: on one machine, a router write that finds the loop blocked pays for waking it up
// (the loopback send runs the receiver's side too), one that finds it polling does not,
// as a client on another machine costs the router no wake-up. An event is then read up to
// poll later than it could have been: the latency counted includes that.
func (l *epLoop) run() {
	defer close(l.done)
	events := make([]unix.EpollEvent, 1024)
	ready := make([]*epConn, 0, len(events))
	buf := make([]byte, maxFrame)
	var oob []byte // a recvmsg's control data: room for one timestamp
	if l.kernelStamps {
		oob = make([]byte, unix.CmsgSpace(16))
	}
	timeout := -1
	for {
		n, err := unix.EpollWait(l.epfd, events, timeout)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return
		}
		if n == 0 {
			timeout = -1
			continue
		}
		ready = ready[:0]
		l.mu.Lock()
		for i := range n {
			id := uint64(uint32(events[i].Fd)) | uint64(uint32(events[i].Pad))<<32
			if id == 0 {
				l.mu.Unlock()
				return
			}
			if c := l.conns[id]; c != nil {
				ready = append(ready, c)
			}
		}
		l.mu.Unlock()
		for _, c := range ready {
			c.read(buf, oob)
		}
		clear(ready)
		if l.poll > 0 {
			time.Sleep(l.poll)
			timeout = 0
		}
	}
}

// read reads what the socket holds and handles every whole frame in it. The socket is
// registered edge-triggered (a level-triggered one is polled again at the next
// epoll_wait only to find it empty: ~10% of the tool's CPU): it is read until a read
// returns less than it asked for, which for TCP means the receive queue is empty (data
// arriving after that is a new edge). With oob (the loop's kernelStamps) it reads with
// recvmsg and what it read counts as received at the kernel's timestamp.
func (c *epConn) read(buf, oob []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for !c.closed {
		off := copy(buf, c.pending)
		var n, oobn int
		var err error
		if oob != nil {
			n, oobn, _, _, err = unix.Recvmsg(c.fd, buf[off:], oob, 0)
		} else {
			n, err = unix.Read(c.fd, buf[off:])
		}
		now := time.Now()
		if stamp, ok := kernelStamp(oob[:oobn]); ok {
			now = stamp
		}
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN):
			return
		case err != nil:
			c.endLocked(fmt.Errorf("read: %w", err))
			return
		case n == 0:
			c.endLocked(io.EOF)
			return
		}
		c.consume(buf, off+n, now)
		if off+n < len(buf) {
			return
		}
	}
}

// kernelStamp is the SCM_TIMESTAMPNS timestamp in a recvmsg's control data (ok false:
// there is none).
func kernelStamp(oob []byte) (time.Time, bool) {
	if len(oob) == 0 {
		return time.Time{}, false
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, false
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
			sec, nsec := binary.NativeEndian.Uint64(m.Data[0:8]), binary.NativeEndian.Uint64(m.Data[8:16])
			return time.Unix(int64(sec), int64(nsec)), true
		}
	}
	return time.Time{}, false
}

// consume handles the whole frames in buf[:n] and keeps the rest in pending. The caller
// holds c.mu.
func (c *epConn) consume(buf []byte, n int, now time.Time) {
	data := buf[:n]
frames:
	for len(data) >= 2 {
		fin, op := data[0]&0x80 != 0, ws.OpCode(data[0]&0x0f)
		masked, length, hl := data[1]&0x80 != 0, uint64(data[1]&0x7f), 2
		switch length {
		case 126:
			if len(data) < 4 {
				break frames
			}
			length, hl = uint64(binary.BigEndian.Uint16(data[2:4])), 4
		case 127:
			if len(data) < 10 {
				break frames
			}
			length, hl = binary.BigEndian.Uint64(data[2:10]), 10
		}
		var mask [4]byte
		if masked {
			if len(data) < hl+4 {
				break frames
			}
			copy(mask[:], data[hl:hl+4])
			hl += 4
		}
		if length > maxFrame-uint64(hl) {
			c.endLocked(fmt.Errorf("a frame of %d bytes: over the %d-byte limit", length, maxFrame))
			return
		}
		if uint64(len(data)-hl) < length {
			break frames
		}
		payload := data[hl : hl+int(length)]
		data = data[hl+int(length):]
		if masked {
			ws.Cipher(payload, mask, 0)
		}
		if !c.frame(fin, op, payload, now) {
			return
		}
	}
	c.pending = append(c.pending[:0], data...)
}

// frame handles one frame (false: the connection ended). The caller holds c.mu.
func (c *epConn) frame(fin bool, op ws.OpCode, payload []byte, now time.Time) bool {
	switch op {
	case ws.OpPing:
		c.writeLocked(ws.OpPong, payload)
		return true
	case ws.OpPong:
		return true
	case ws.OpClose:
		code, reason := ws.StatusNoStatusRcvd, ""
		if len(payload) >= 2 {
			code, reason = ws.StatusCode(binary.BigEndian.Uint16(payload)), string(payload[2:])
			c.writeLocked(ws.OpClose, payload[:2])
		} else {
			c.writeLocked(ws.OpClose, nil)
		}
		c.endLocked(fmt.Errorf("the router closed the WebSocket: status %d, reason %q", code, reason))
		return false
	case ws.OpContinuation:
		if len(c.frag)+len(payload) > maxFrame {
			c.endLocked(fmt.Errorf("a message over the %d-byte limit", maxFrame))
			return false
		}
		c.frag = append(c.frag, payload...)
		if !fin {
			return true
		}
		payload = c.frag
		defer func() { c.frag = c.frag[:0] }()
	case ws.OpText, ws.OpBinary:
		if !fin {
			c.frag = append(c.frag[:0], payload...)
			return true
		}
	default:
		c.endLocked(fmt.Errorf("frame with opcode %d", op))
		return false
	}
	pong, err := c.s.onMessage(payload, now)
	if err != nil {
		c.endLocked(err)
		return false
	}
	if pong {
		c.writeLocked(ws.OpText, pongMessage)
	}
	return true
}

// writeLocked writes one masked client frame (a pong or close: a few bytes, written
// whole by a socket with room; an error shows up at the next read).
func (c *epConn) writeLocked(op ws.OpCode, payload []byte) {
	f := ws.MaskFrameInPlace(ws.NewFrame(op, true, append([]byte(nil), payload...)))
	b, err := ws.CompileFrame(f)
	if err == nil {
		_, _ = unix.Write(c.fd, b)
	}
}

// endLocked ends the subscriber with err and closes the socket. The caller holds c.mu.
func (c *epConn) endLocked(err error) {
	c.s.end(err)
	c.closeLocked()
}

func (c *epConn) closeLocked() {
	if c.closed {
		return
	}
	c.closed = true
	_ = unix.EpollCtl(c.loop.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	_ = unix.Close(c.fd)
	c.loop.mu.Lock()
	delete(c.loop.conns, c.id)
	c.loop.mu.Unlock()
}

// close closes the socket (the subscriber is done with it).
func (c *epConn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}
