package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// An fdBudget is what one process of the bench may hold open at the peak: a socket per
// connection it terminates or dials, plus a fixed allowance for everything else (listeners,
// the PostgreSQL pool, Kafka connections, pipes, the Go runtime's epoll and files).
type fdBudget struct {
	process string
	parts   string // how the sockets add up
	sockets int
	other   int
	pid     int // filled in once the process runs; its open files are counted at the peak
}

func (b fdBudget) total() int { return b.sockets + b.other }

// planBudgets spreads subscribers round robin over routers. Each subscriber is:
//   - in the load tool, its client socket;
//   - in its router, the client's socket and the upstream WebSocket to the subgraph;
//   - in the subgraph (this process), the server end of that upstream WebSocket.
//
// The load tool and the routers are processes of their own so that no process holds both
// ends of anything; one router with 10,000 subscribers alone would need 20,000 sockets.
func planBudgets(subscribers, routers int) []fdBudget {
	out := []fdBudget{
		{process: "bench + notifications subgraph", parts: fmt.Sprintf("%d upstream WebSockets (server end)", subscribers), sockets: subscribers, other: 1000},
	}
	for r := range routers {
		n := perRouter(subscribers, routers, r)
		out = append(out, fdBudget{process: fmt.Sprintf("router %d", r+1),
			parts: fmt.Sprintf("%d client + %d upstream WebSockets", n, n), sockets: 2 * n, other: 500})
	}
	out = append(out, fdBudget{process: "load tool", parts: fmt.Sprintf("%d client WebSockets", subscribers), sockets: subscribers, other: 200})
	return out
}

// perRouter is how many of subscribers router r (0-based) gets when subscriber i goes to
// router i % routers.
func perRouter(subscribers, routers, r int) int {
	n := subscribers / routers
	if r < subscribers%routers {
		n++
	}
	return n
}

// checkBudgets refuses a plan in which any process would pass limit (the soft limit every
// process of the bench runs with: the hard limit, see raiseOpenFiles).
func checkBudgets(budgets []fdBudget, limit uint64) error {
	var over []string
	for _, b := range budgets {
		logf("fd budget %-32s %6d = %s + %d other (limit %d)", b.process+":", b.total(), b.parts, b.other, limit)
		if uint64(b.total()) > limit {
			over = append(over, fmt.Sprintf("%s needs %d", b.process, b.total()))
		}
	}
	if len(over) > 0 {
		return fmt.Errorf("open files over this machine's per-process limit of %d: %s; add routers (-routers) or "+
			"raise the hard limit (needs CAP_SYS_RESOURCE, at most /proc/sys/fs/nr_open)", limit, strings.Join(over, ", "))
	}
	return nil
}

// raiseOpenFiles sets this process's soft RLIMIT_NOFILE to its hard limit (which needs no
// privilege; raising the hard limit would) and returns it. The routers and the load tool
// started from here inherit it.
func raiseOpenFiles() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("read the open-file limit: %w", err)
	}
	if lim.Cur < lim.Max {
		was := lim.Cur
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, fmt.Errorf("raise the open-file soft limit from %d to the hard limit %d: %w", was, lim.Max, err)
		}
		logf("open-file soft limit raised from %d to the hard limit %d (inherited by the routers and the load tool)", was, lim.Max)
	}
	return lim.Cur, nil
}

// openFiles counts pid's open file descriptors, or -1 when /proc cannot say.
func openFiles(pid int) int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(ents)
}

// softLimit reads pid's soft open-file limit from /proc, or "?".
func softLimit(pid int) string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); strings.HasPrefix(l, "Max open files") && len(f) >= 5 {
			return f[3] + "/" + f[4]
		}
	}
	return "?"
}
