package core

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// loopbackPair returns both ends of a TCP connection on loopback.
func loopbackPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { _ = client.Close(); _ = server.Close() })
	return client, server
}

// readLikeTheEngine reads the way graphql-go-tools rc.231's upstream client does in its
// read loop: a read deadline per message, and on a timeout just another read.
func readLikeTheEngine(conn net.Conn, firstDeadline time.Duration) ([]byte, error) {
	_ = conn.SetReadDeadline(time.Now().Add(firstDeadline))
	msg, err := wsutil.ReadServerText(conn)
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		return msg, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	return wsutil.ReadServerText(conn)
}

// sendSplitPong writes a server text frame {"type":"pong"} as its header, a pause, then
// its payload: what a deadline expiring between the engine's header and payload reads
// looks like.
func sendSplitPong(t *testing.T, server net.Conn, pause time.Duration) {
	t.Helper()
	payload := []byte(`{"type":"pong"}`)
	var head [2]byte
	head[0], head[1] = 0x81, byte(len(payload))
	if _, err := server.Write(head[:]); err != nil {
		t.Error(err)
		return
	}
	time.Sleep(pause)
	if _, err := server.Write(payload); err != nil {
		t.Error(err)
	}
}

func TestUpstreamRead_aDeadlineBetweenHeaderAndPayloadDesynchronisesTheBareConnection(t *testing.T) {
	client, server := loopbackPair(t)
	go sendSplitPong(t, server, 150*time.Millisecond)
	_, err := readLikeTheEngine(client, 50*time.Millisecond)
	if !errors.Is(err, ws.ErrProtocolOpCodeReserved) {
		t.Fatalf("got %v, want %v: the defect this guards against no longer shows on a bare connection; recheck wholeMessageConn's reason to exist", err, ws.ErrProtocolOpCodeReserved)
	}
}

func TestUpstreamRead_aDeadlineBetweenHeaderAndPayloadLosesNothingOnAWholeMessageConn(t *testing.T) {
	client, server := loopbackPair(t)
	conn := newWholeMessageConn(client)
	conn.mode = modeFrames
	go sendSplitPong(t, server, 150*time.Millisecond)
	msg, err := readLikeTheEngine(conn, 50*time.Millisecond)
	if err != nil || string(msg) != `{"type":"pong"}` {
		t.Fatalf("got %q, %v; want the pong", msg, err)
	}
}

func TestWholeMessageConn_handsOutTheUpgradeHeadThenWholeMessagesIncludingFragments(t *testing.T) {
	client, server := loopbackPair(t)
	conn := newWholeMessageConn(client)
	go func() {
		var out []byte
		out = append(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"...)
		// A first message right behind the head, in the same write.
		out = append(out, 0x81, 3)
		out = append(out, `"a"`...)
		// A fragmented message with a ping between its fragments, the last fragment
		// arriving late.
		out = append(out, 0x01, 2)
		out = append(out, `"b`...)
		out = append(out, 0x89, 0)
		_, _ = server.Write(out)
		time.Sleep(150 * time.Millisecond)
		_, _ = server.Write(append([]byte{0x80, 1}, '"'))
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade answer: %v %v", resp, err)
	}
	if msg, err := readLikeTheEngine(conn, time.Second); err != nil || string(msg) != `"a"` {
		t.Fatalf("first message: %q %v", msg, err)
	}
	// The ping is answered by the reader's control handler: give it somewhere to write.
	go func() {
		buf := make([]byte, 64)
		_, _ = server.Read(buf)
	}()
	if msg, err := readLikeTheEngine(conn, 50*time.Millisecond); err != nil || string(msg) != `"b"` {
		t.Fatalf("fragmented message: %q %v", msg, err)
	}
}

func TestWholeMessageConn_leavesAnswersOtherThan101Alone(t *testing.T) {
	client, server := loopbackPair(t)
	conn := newWholeMessageConn(client)
	go func() {
		_, _ = server.Write([]byte("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\n\x81\x7f\x00\x00"))
	}()
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("answer: %v %v", resp, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "\x81\x7f\x00\x00" {
		t.Fatalf("body %q %v", body, err)
	}
}
