package stack

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
)

func TestCheckAddr_aTakenPortNamesItsHolderAndHowToMoveIt(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().String()
	err = CheckAddr("the router", addr, "DIZHTIME_DEV_ROUTER_ADDR=127.0.0.1:<port>")
	var taken *AddrTakenError
	if !errors.As(err, &taken) || !errors.Is(err, ErrAddrTaken) {
		t.Fatalf("CheckAddr = %v, want an AddrTakenError", err)
	}
	msg := err.Error()
	for _, want := range []string{"the router", "port " + addr + " is taken", fmt.Sprintf("pid %d", os.Getpid()), "DIZHTIME_DEV_ROUTER_ADDR"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
}

func TestCheckAddr_aFreePortIsNoError(t *testing.T) {
	addrs, err := FreeAddrs(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckAddr("x", addrs[0], ""); err != nil {
		t.Fatal(err)
	}
}
