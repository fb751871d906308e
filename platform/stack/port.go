package stack

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrAddrTaken is wrapped by AddrTakenError.
var ErrAddrTaken = errors.New("address already in use")

// AddrTakenError says which address a process cannot listen on, who holds it when this
// machine's /proc tells, and the setting that moves it.
type AddrTakenError struct {
	// What wanted the address ("router", "subgraph identity", ...).
	What string
	Addr string
	// Holder is the listening process ("pid 123: dizhtime router serve"), empty if unknown.
	Holder string
	// Move says how to move it (an environment variable, a file), empty if nothing can.
	Move string
}

func (e *AddrTakenError) Error() string {
	msg := fmt.Sprintf("%s: port %s is taken", e.What, e.Addr)
	if e.Holder != "" {
		msg += " by " + e.Holder
	} else {
		msg += " (holder unknown: try `ss -ltnp` or `lsof -i :" + portOf(e.Addr) + "`)"
	}
	if e.Move != "" {
		msg += "; stop it or move " + e.What + ": " + e.Move
	}
	return msg
}

func (e *AddrTakenError) Unwrap() error { return ErrAddrTaken }

// CheckAddr returns an *AddrTakenError when addr cannot be listened on now because something
// listens there already (other listen failures are returned as they are).
func CheckAddr(what, addr, move string) error {
	l, err := net.Listen("tcp", addr)
	if err == nil {
		return l.Close()
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s: listen %s: %w", what, addr, err)
	}
	return &AddrTakenError{What: what, Addr: addr, Holder: PortHolder(addr), Move: move}
}

func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return port
}

// PortHolder names the process listening on addr's TCP port ("pid 123: cmdline"), from
// /proc/net/tcp{,6} and the holders' /proc/<pid>/fd; "" when it cannot tell (another user's
// process without root, or no /proc).
func PortHolder(addr string) string {
	port, err := strconv.Atoi(portOf(addr))
	if err != nil {
		return ""
	}
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		for _, inode := range listeningInodes(table, port) {
			inodes[inode] = true
		}
	}
	if len(inodes) == 0 {
		return ""
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		link, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			pid := strings.Split(fd, "/")[2]
			cmdline, _ := os.ReadFile("/proc/" + pid + "/cmdline")
			cmd := strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
			if cmd == "" {
				return "pid " + pid
			}
			return "pid " + pid + ": " + cmd
		}
	}
	return "a process this user cannot see (inode " + firstKey(inodes) + "; `sudo ss -ltnp` names it)"
}

func firstKey(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

// listeningInodes reads a /proc/net/tcp table: the socket inodes in LISTEN (state 0A) on port.
func listeningInodes(table string, port int) []string {
	f, err := os.Open(table)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" {
			continue
		}
		_, hexPort, ok := strings.Cut(fields[1], ":")
		if !ok {
			continue
		}
		if p, err := strconv.ParseUint(hexPort, 16, 16); err == nil && int(p) == port {
			out = append(out, fields[9])
		}
	}
	return out
}
