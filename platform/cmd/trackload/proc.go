package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every Linux
// architecture Go supports.
const clockTicks = 100

// procStatus reads a "Name:   value kB" field of /proc/<pid>/status in KiB (-1 if unknown).
func procStatus(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

// cpuSeconds is utime + stime of pid from /proc/<pid>/stat (-1 if unknown).
func cpuSeconds(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	return statCPUSeconds(string(raw))
}

// statCPUSeconds parses a /proc/<pid>/stat line: fields 14 and 15 (utime, stime), counted
// after the command name, which is in parentheses and may itself hold spaces.
func statCPUSeconds(stat string) float64 {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state): utime is field 14, f[11]; stime f[12].
	if len(f) < 13 {
		return -1
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return float64(u+s) / clockTicks
}

// openFiles counts pid's open descriptors (-1 if /proc cannot say).
func openFiles(pid int) int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(ents)
}

// openFileLimit is pid's soft "Max open files" from /proc/<pid>/limits (0 if unknown).
func openFileLimit(pid int) uint64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); strings.HasPrefix(l, "Max open files") && len(f) >= 5 {
			n, _ := strconv.ParseUint(f[3], 10, 64)
			return n
		}
	}
	return 0
}

func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// listenerPID is the process listening on TCP port (from /proc/net/tcp{,6}: the listening
// socket's inode, then the process holding it among /proc/*/fd), or an error.
func listenerPID(port int) (int, error) {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		raw, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, inode := range listeningInodes(string(raw), port) {
			inodes[inode] = true
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("nothing listens on port %d", port)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd")
	for _, dir := range procs {
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(dir, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
				return strconv.Atoi(strings.Split(dir, "/")[2])
			}
		}
	}
	return 0, fmt.Errorf("no process of ours holds the socket listening on port %d (-router-pid names it)", port)
}

// listeningInodes are the inodes of the sockets in LISTEN state (0A) on port in a
// /proc/net/tcp table.
func listeningInodes(table string, port int) []string {
	var out []string
	want := fmt.Sprintf(":%04X", port)
	for _, l := range strings.Split(table, "\n")[1:] {
		f := strings.Fields(l)
		if len(f) < 10 || f[3] != "0A" || !strings.HasSuffix(f[1], want) {
			continue
		}
		out = append(out, f[9])
	}
	return out
}

// routerMetrics are the Go runtime's figures from the router's /metrics.
type routerMetrics struct {
	Goroutines, HeapInuse, StackInuse float64
}

func scrapeMetrics(ctx context.Context, url string) (routerMetrics, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return routerMetrics{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return routerMetrics{}, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return parseMetrics(resp.Body), nil
}

// parseMetrics reads the Prometheus text format's go_goroutines,
// go_memstats_heap_inuse_bytes and go_memstats_stack_inuse_bytes (-1 when missing).
func parseMetrics(r io.Reader) routerMetrics {
	m := routerMetrics{Goroutines: -1, HeapInuse: -1, StackInuse: -1}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "go_goroutines":
			m.Goroutines = v
		case "go_memstats_heap_inuse_bytes":
			m.HeapInuse = v
		case "go_memstats_stack_inuse_bytes":
			m.StackInuse = v
		}
	}
	return m
}

func numCPU() int { return runtime.NumCPU() }

// forceGC asks the router for a heap profile with gc=1, which runs a garbage collection
// first, so heap in use counts live memory rather than garbage not yet collected. It
// needs the router's pprof (DIZHTIME_ROUTER_PPROF=true); it reports whether it worked.
func forceGC(ctx context.Context, pprofHeap string) bool {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, pprofHeap, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}
