//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gobwas/ws"
	"golang.org/x/sys/unix"

	"github.com/dizhtime/dizhtime/platform/city"
)

func nextMessage(base city.Point, seq int64) []byte {
	p := stamp(base, seq)
	return fmt.Appendf(nil, `{"id":"1","type":"next","payload":{"data":{"deliveryTracking":{"driverId":"d-1","deliveryStatus":"PICKED_UP","etaSeconds":240,"location":{"lat":%v,"lng":%v}}}}}`, p.Lat, p.Lng)
}

// sentStream is a stream whose fixes 1..n were sent (counted from 1) just now.
func sentStream(base city.Point, n int64) *stream {
	st := newStream(0, "order-1", nil, base)
	st.open()
	for seq := int64(1); seq <= n; seq++ {
		st.sentAt[seq].Store(time.Now().UnixNano())
		st.seq.Store(seq)
	}
	return st
}

// TestEpollReader_countsEventsAnswersPingsAndEndsOnClose runs the epoll reader against a
// graphql-transport-ws server (github.com/coder/websocket, as the router's other path
// speaks it): the handshake with the token, a WebSocket ping (the server's Ping returns
// only once the pong is back) and a protocol ping answered with a pong, events whole and
// fragmented, counted with their latencies, and a close that ends the subscription.
func TestEpollReader_countsEventsAnswersPingsAndEndsOnClose(t *testing.T) {
	base := city.Point{Lat: 41.3111, Lng: 69.2797}
	st := sentStream(base, 4)
	pongs := make(chan string, 4)
	serverErr := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			serverErr <- err
			return
		}
		serverErr <- func() error {
			ctx := r.Context()
			_, init, err := conn.Read(ctx)
			if err != nil || !bytes.Contains(init, []byte(`"Bearer tok-1"`)) {
				return fmt.Errorf("connection_init %q: %v", init, err)
			}
			if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_ack"}`)); err != nil {
				return err
			}
			_, sub, err := conn.Read(ctx)
			var m struct {
				Type    string
				Payload struct{ Variables map[string]string }
			}
			if err != nil || json.Unmarshal(sub, &m) != nil || m.Type != "subscribe" || m.Payload.Variables["id"] != "order-1" {
				return fmt.Errorf("subscribe %q: %v", sub, err)
			}
			go func() { // reads the client's messages (and, inside Read, its WebSocket pongs)
				for {
					_, msg, err := conn.Read(context.Background())
					if err != nil {
						return
					}
					pongs <- string(msg)
				}
			}()
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if err := conn.Ping(pctx); err != nil {
				return fmt.Errorf("WebSocket ping: %w", err)
			}
			if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
				return err
			}
			for seq := int64(1); seq <= 3; seq++ {
				if err := conn.Write(ctx, websocket.MessageText, nextMessage(base, seq)); err != nil {
					return err
				}
			}
			// Fix 4 in three frames, and fix 3 again (a duplicate).
			msg := nextMessage(base, 4)
			wr, err := conn.Writer(ctx, websocket.MessageText)
			if err != nil {
				return err
			}
			for _, part := range [][]byte{msg[:10], msg[10:150], msg[150:]} {
				if _, err := wr.Write(part); err != nil {
					return err
				}
			}
			if err := wr.Close(); err != nil {
				return err
			}
			if err := conn.Write(ctx, websocket.MessageText, nextMessage(base, 3)); err != nil {
				return err
			}
			time.Sleep(100 * time.Millisecond)
			return conn.Close(4403, "Forbidden")
		}()
	}))
	defer srv.Close()

	raw, err := subscribeRaw(t.Context(), &net.Dialer{}, "ws"+strings.TrimPrefix(srv.URL, "http"), "tok-1", "order-1")
	if err != nil {
		t.Fatal(err)
	}
	ep, err := newEpReader(2, time.Millisecond, true)
	if err != nil {
		t.Fatal(err)
	}
	defer ep.stop()
	s := &subscriber{st: st}
	if err := ep.add(s, raw); err != nil {
		t.Fatal(err)
	}
	if err := <-serverErr; err != nil {
		t.Fatalf("server: %v", err)
	}
	select {
	case p := <-pongs:
		if p != `{"type":"pong"}` {
			t.Errorf("the client answered the protocol ping with %q", p)
		}
	case <-time.After(5 * time.Second):
		t.Error("no pong to the protocol ping")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		ended, err, got, dups, lats := s.endedSet, s.ended, s.got, s.dups, len(s.lats)
		s.mu.Unlock()
		if ended {
			if got != 4 || dups != 1 || lats != 4 {
				t.Errorf("got %d, dups %d, latencies %d; want 4, 1, 4", got, dups, lats)
			}
			if err == nil || !strings.Contains(err.Error(), "4403") {
				t.Errorf("ended with %v, want the router's close 4403", err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ended after 5 s: got %d", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if s.live.Load() == 0 {
		t.Error("not live after its events")
	}
	s.closeNow() // closed already: a no-op
}

// TestEpollReader_framesSplitAnywhereAcrossReads feeds frames (short, with a 16-bit
// length, with a 64-bit length) a few bytes per read, as a loaded socket can deliver
// them: every cut, in a header or a payload, is kept for the next read.
func TestEpollReader_framesSplitAnywhereAcrossReads(t *testing.T) {
	base := city.Point{Lat: 41.3111, Lng: 69.2797}
	st := sentStream(base, 3)
	var stream []byte
	for seq := int64(1); seq <= 3; seq++ {
		f := ws.NewTextFrame(nextMessage(base, seq))
		if seq == 3 { // the 64-bit length form, legal for any length
			b, _ := ws.CompileFrame(f)
			hdr := []byte{b[0], 127, 0, 0, 0, 0, 0, 0, 0, byte(len(f.Payload))}
			stream = append(stream, append(hdr, f.Payload...)...)
			continue
		}
		b, _ := ws.CompileFrame(f)
		stream = append(stream, b...)
	}
	stream = append(stream, ws.MustCompileFrame(ws.NewTextFrame([]byte(`{"type":"ka"}`)))...)
	for _, chunk := range []int{1, 3, 7, 64, 1000} {
		s := &subscriber{st: st}
		c := &epConn{s: s, fd: -1, loop: &epLoop{conns: map[uint64]*epConn{}}}
		buf := make([]byte, maxFrame)
		for i := 0; i < len(stream); i += chunk {
			part := stream[i:min(i+chunk, len(stream))]
			off := copy(buf, c.pending)
			c.consume(buf, off+copy(buf[off:], part), time.Now())
		}
		if s.got != 3 || len(c.pending) != 0 || s.endedSet {
			t.Errorf("%d bytes a read: got %d, %d bytes pending, ended %v (%v); want 3, 0, not ended", chunk, s.got, len(c.pending), s.endedSet, s.ended)
		}
	}
}

// TestEpollReader_kernelStampCountsArrivalNotRead: with kernel stamps an event read
// 300 ms after it reached the socket counts the latency until it reached it (what a client
// on another machine sees), with read stamps it counts the 300 ms.
func TestEpollReader_kernelStampCountsArrivalNotRead(t *testing.T) {
	const late = 300 * time.Millisecond
	stamps, err := stampsOn()
	if err != nil {
		t.Fatal(err)
	}
	defer stamps.Close()
	for _, kernel := range []bool{true, false} {
		base := city.Point{Lat: 41.3111, Lng: 69.2797}
		st := sentStream(base, 1)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		client, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		server, err := ln.Accept()
		ln.Close()
		if err != nil {
			t.Fatal(err)
		}
		raw := &rawSub{fd: -1}
		sc, _ := client.(*net.TCPConn).SyscallConn()
		if cerr := sc.Control(func(fd uintptr) { raw.fd, err = unix.Dup(int(fd)) }); cerr != nil || err != nil {
			t.Fatal(cerr, err)
		}
		client.Close()
		loop := &epLoop{conns: map[uint64]*epConn{}, kernelStamps: kernel}
		if loop.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		s := &subscriber{st: st}
		if err := loop.add(s, raw); err != nil {
			t.Fatal(err)
		}
		if _, err := server.Write(ws.MustCompileFrame(ws.NewTextFrame(nextMessage(base, 1)))); err != nil {
			t.Fatal(err)
		}
		time.Sleep(late)
		var oob []byte
		if kernel {
			oob = make([]byte, unix.CmsgSpace(16))
		}
		s.ep.read(make([]byte, maxFrame), oob)
		if s.got != 1 || len(s.lats) != 1 {
			t.Fatalf("kernel stamps %v: got %d events, %d latencies; want 1, 1", kernel, s.got, len(s.lats))
		}
		if lat := s.lats[0]; kernel && lat >= late/3 || !kernel && lat < late {
			t.Errorf("kernel stamps %v: latency %v for an event read %v after it arrived", kernel, lat, late)
		}
		s.ep.close()
		server.Close()
		unix.Close(loop.epfd)
	}
}
