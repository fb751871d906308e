package core

import (
	"errors"
	"strings"
	"testing"
)

func TestReadEventStream_nextEventsThenComplete(t *testing.T) {
	in := ":\n\nevent: next\ndata: {\"data\":1}\n\n: keep-alive\n\nevent: next\r\ndata: {\"a\":\r\ndata: 2}\r\n\r\nevent: complete\n\nevent: next\ndata: {\"late\":true}\n\n"
	var got []string
	completed, err := readEventStream(strings.NewReader(in), func(b []byte) { got = append(got, string(b)) })
	if err != nil || !completed {
		t.Fatalf("completed %v, err %v", completed, err)
	}
	if len(got) != 2 || got[0] != `{"data":1}` || got[1] != "{\"a\":\n2}" {
		t.Fatalf("events %q", got)
	}
}

func TestReadEventStream_anEndWithoutCompleteIsNotACompletion(t *testing.T) {
	completed, err := readEventStream(strings.NewReader("event: next\ndata: {}\n\n"), func([]byte) {})
	if completed || err != nil {
		t.Fatalf("completed %v, err %v", completed, err)
	}
	if !isUpstreamDrop(upstreamDropResult(errors.New("connection reset"))) {
		t.Fatal("a broken stream's result is not recognised as an upstream drop")
	}
}
