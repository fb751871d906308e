package core

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gobwas/ws"
)

// TestWSMessageBytes_aWholeFrameFromItsBuffersStart reads back what wsMessageBytes
// writes, for every header length and an id that needs escaping, and checks that a frame
// goes back to the pool with all its buffer's room (frames cut out of the middle of their
// buffer shrank in the pool until every event allocated).
func TestWSMessageBytes_aWholeFrameFromItsBuffersStart(t *testing.T) {
	payload := func(n int) []byte {
		return []byte(`{"data":{"x":"` + strings.Repeat("a", n) + `"}}`)
	}
	for _, c := range []struct {
		name, id, kind string
		payload        []byte
	}{
		{"no id, no payload", "", "connection_ack", nil},
		{"short", "1", "next", payload(10)},
		{"16-bit length", "1", "next", payload(200)},
		{"64-bit length", "a-uuid-4f1c", "next", payload(70_000)},
		{"an id that needs escaping", `x"<y>\`, "complete", nil},
	} {
		frame := wsMessageBytes(c.id, c.kind, c.payload)
		f, err := ws.ReadFrame(bytes.NewReader(frame))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !f.Header.Fin || f.Header.OpCode != ws.OpText || f.Header.Masked || int(f.Header.Length) != len(f.Payload) {
			t.Errorf("%s: header %+v", c.name, f.Header)
		}
		if got := len(frame) - len(f.Payload); got != ws.HeaderSize(f.Header) {
			t.Errorf("%s: %d bytes besides the payload, want the header's %d", c.name, got, ws.HeaderSize(f.Header))
		}
		var m struct {
			ID      string          `json:"id"`
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(f.Payload, &m); err != nil {
			t.Fatalf("%s: %v in %q", c.name, err, f.Payload)
		}
		if m.ID != c.id || m.Type != c.kind || !bytes.Equal(m.Payload, c.payload) {
			t.Errorf("%s: read back %+v", c.name, m)
		}
	}
	// A new buffer has 512 bytes of room at least; a frame that is its whole buffer has
	// them all, however often it went through the pool.
	for range 100 {
		frame := wsMessageBytes("1", "next", payload(100))
		if cap(frame) < 512 {
			t.Fatalf("a frame with %d bytes of room: not its whole buffer", cap(frame))
		}
		wsFrames.put(frame)
	}
}
