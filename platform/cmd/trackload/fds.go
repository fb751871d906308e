package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Open files. Every subscriber is one socket in this tool and one in the router (its client
// WebSocket). Upstream, the router opens WebSockets to dispatch: main's router (2026-12-07)
// opens one per subscriber even when subscribers share document, variables and token
// (measured: 2.00 open files per subscriber on one stream), so N subscribers cost it 2N.
// A router that deduplicates identical subscriptions, or multiplexes them over a few
// upstream sockets (issue 27 point 3), needs one per stream or fewer. -upstream auto (the
// default) checks the least a level can cost (one upstream per stream) before anything is
// made, then measures it with a few subscribers before the levels and refuses only what
// does not fit what it saw; -upstream stream / subscriber force either.
//
// The router also keeps -router-fd-reserve descriptors free for its request path (its
// connections.fd_reserve, 500 by default: it refuses new WebSockets within that distance of
// its soft limit), so its budget is: what it holds before the run + N + upstreams + reserve.
//
// On this machine the hard limit is 20,000 per process and cannot be raised (that needs
// CAP_SYS_RESOURCE); Go raises a process's soft limit to its hard limit at start, and this
// tool does so explicitly. With the router holding ~30 files idle: the largest N is ~9,700
// with an upstream socket per subscriber (main's router), ~19,400 with one per stream; the
// tool itself allows ~19,800. 50,000 needs a hard limit of at least ~51,000 in both
// processes (and in dispatch, which holds the other end of each upstream socket).

// ErrOpenFileLimit: the run would need more open files than a process may have.
var ErrOpenFileLimit = errors.New("open-file limit")

// fdBudget is what a level of the run needs.
type fdBudget struct {
	Subscribers int
	Streams     int
	// PerSubscriberUpstream budgets one upstream socket per subscriber instead of per stream.
	PerSubscriberUpstream bool
	// ToolBase and RouterBase are the files each holds besides the subscribers' sockets
	// (the router's counted from /proc before the run; the tool's an allowance for its HTTP
	// clients, pipes and the runtime's epoll).
	ToolBase, RouterBase int
	// RouterReserve is the router's fd_reserve.
	RouterReserve int
	// ToolLimit and RouterLimit are the soft limits (the tool's after raising it).
	ToolLimit, RouterLimit uint64
}

func (b fdBudget) upstreams() int {
	if b.PerSubscriberUpstream {
		return b.Subscribers
	}
	return min(b.Streams, b.Subscribers)
}

// ToolNeeds and RouterNeeds are the open files each process needs at the peak.
func (b fdBudget) ToolNeeds() int { return b.ToolBase + b.Subscribers }
func (b fdBudget) RouterNeeds() int {
	return b.RouterBase + b.Subscribers + b.upstreams() + b.RouterReserve
}

// MaxSubscribers is the largest N both limits permit (0 when not even one fits).
func (b fdBudget) MaxSubscribers() int {
	tool := int(b.ToolLimit) - b.ToolBase
	var router int
	if b.PerSubscriberUpstream {
		router = (int(b.RouterLimit) - b.RouterBase - b.RouterReserve) / 2
	} else {
		router = int(b.RouterLimit) - b.RouterBase - b.RouterReserve - b.Streams
	}
	return max(0, min(tool, router))
}

// Check returns ErrOpenFileLimit, saying which process and the largest N that fits, when
// the level does not fit.
func (b fdBudget) Check() error {
	var over []string
	if uint64(b.ToolNeeds()) > b.ToolLimit {
		over = append(over, fmt.Sprintf("this tool needs %d (%d subscriber sockets + %d other) over its limit %d",
			b.ToolNeeds(), b.Subscribers, b.ToolBase, b.ToolLimit))
	}
	if uint64(b.RouterNeeds()) > b.RouterLimit {
		over = append(over, fmt.Sprintf("the router needs %d (%d client + %d upstream sockets + %d held before the run + %d fd_reserve) over its limit %d",
			b.RouterNeeds(), b.Subscribers, b.upstreams(), b.RouterBase, b.RouterReserve, b.RouterLimit))
	}
	if len(over) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d subscribers on %d stream(s): %s; the largest N these limits permit is %d "+
		"(raise the hard limit, ulimit -Hn, which needs CAP_SYS_RESOURCE, in both processes)",
		ErrOpenFileLimit, b.Subscribers, b.Streams, strings.Join(over, "; "), b.MaxSubscribers())
}

// raiseOpenFiles sets this process's soft RLIMIT_NOFILE to its hard limit (no privilege
// needed) and returns both as they were and the soft limit now.
func raiseOpenFiles() (was, now, hard uint64, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, 0, fmt.Errorf("read the open-file limit: %w", err)
	}
	was = lim.Cur
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return was, was, lim.Max, fmt.Errorf("raise the open-file soft limit from %d to the hard limit %d: %w", was, lim.Max, err)
		}
	}
	return was, lim.Cur, lim.Max, nil
}

// Source addresses. A client socket bound to one source address takes one of its
// ephemeral ports (net.ipv4.ip_local_port_range: 32768-60999 here, ~28,000), so the
// subscribers are spread over several loopback addresses, 127.0.1.1, 127.0.1.2, ...
// (the whole of 127.0.0.0/8 is loopback on Linux, no set-up needed).

// sourceAddrsFor is how many addresses n subscribers need when each address should use at
// most half its ports (leaving the rest for sockets in TIME_WAIT from an earlier level and
// for other clients): at least 2, so spreading is always exercised.
func sourceAddrsFor(n, portsPerAddr int) int {
	per := max(1, portsPerAddr/2)
	return max(2, (n+per-1)/per)
}

// sourceAddr is the k-th (0-based) source address: 127.0.1.1 ... 127.0.1.254, 127.0.2.1, ...
func sourceAddr(k int) net.IP {
	return net.IPv4(127, 0, byte(1+k/254), byte(1+k%254))
}

// sourceFor is the address index subscriber i dials from: round robin over addrs.
func sourceFor(i, addrs int) int { return i % addrs }

// ephemeralPorts is the size of net.ipv4.ip_local_port_range (28,232 when unreadable).
func ephemeralPorts() int {
	raw, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 28232
	}
	return portsInRange(string(raw))
}

func portsInRange(s string) int {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 28232
	}
	lo, err1 := strconv.Atoi(f[0])
	hi, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || hi < lo {
		return 28232
	}
	return hi - lo + 1
}
