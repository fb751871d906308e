package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dizhtime/dizhtime/platform/city"
)

type options struct {
	router, adminEmail, adminPassword string
	routerPID                         int
	levels, streams                   []int
	duration, interval, idle, settle  time.Duration
	liveTimeout                       time.Duration
	concurrency, sourceAddrs          int
	probeRate                         float64
	perSubscriberUpstream, calibrate  bool
	probeInProcess                    bool
	routerReserve, toolBase           int
	reader                            string
	readerLoops                       int
	readerPoll                        time.Duration
	stamp                             string
	phaseSpread                       bool
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == probeChildArg {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		if err := runProbeChild(ctx, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "trackload:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	var levels, streams, upstream string
	flag.StringVar(&o.router, "router", "http://127.0.0.1:4000/graphql", "the running router's GraphQL endpoint (make run's)")
	flag.IntVar(&o.routerPID, "router-pid", 0, "the router's pid (0: the process listening on -router's port, from /proc)")
	flag.StringVar(&o.adminEmail, "admin-email", "admin@demo.dizhtime.local", "an ADMIN account (make run's demo admin): gives the run's accounts their roles")
	flag.StringVar(&o.adminPassword, "admin-password", city.DemoPassword, "its password")
	flag.StringVar(&levels, "subscribers", "1000", "comma-separated subscriber counts, each a level of its own")
	flag.StringVar(&streams, "streams", "1", "comma-separated stream counts: subscribers spread round robin over this many orders in delivery (1: all on one order)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured window per level")
	flag.DurationVar(&o.interval, "interval", 500*time.Millisecond, "each courier's updateLocation interval")
	flag.DurationVar(&o.idle, "idle", 10*time.Second, "placeOrder probe before any subscriber (the idle p99)")
	flag.DurationVar(&o.settle, "settle", 3*time.Second, "wait after every subscriber is live before reading memory and measuring")
	flag.DurationVar(&o.liveTimeout, "live-timeout", 3*time.Minute, "how long subscribers may take to get their first event")
	flag.IntVar(&o.concurrency, "concurrency", 64, "subscription handshakes in flight during setup")
	flag.IntVar(&o.sourceAddrs, "source-addrs", 0, "loopback source addresses 127.0.1.1, 127.0.1.2, ... (0: enough for half of each one's ephemeral ports, at least 2)")
	flag.Float64Var(&o.probeRate, "probe-rate", 5, "placeOrder calls per second, idle and during each level (0: no probe); at 2/s a 20 s level's p99 is its one slowest call")
	flag.BoolVar(&o.probeInProcess, "probe-in-process", false, "place the probe's orders from this process (behind its subscriber readers) instead of a probe process of its own")
	flag.StringVar(&upstream, "upstream", "auto", "router fd budget: one upstream socket per stream (deduplicated or multiplexed subscriptions), per subscriber, or auto: measured with a few subscribers before the levels")
	flag.IntVar(&o.routerReserve, "router-fd-reserve", 500, "the router's connections.fd_reserve")
	flag.IntVar(&o.toolBase, "tool-fd-base", 200, "open files this tool holds besides the subscribers' sockets")
	flag.StringVar(&o.reader, "reader", "epoll", "how the tool reads its subscribers: epoll (a few goroutines over epoll, raw reads into reused buffers: little CPU per event) or goroutine (github.com/coder/websocket, a goroutine per subscriber)")
	flag.IntVar(&o.readerLoops, "reader-loops", 1, "-reader epoll: epoll loops (goroutines) reading the subscribers")
	flag.DurationVar(&o.readerPoll, "reader-poll", time.Millisecond, "-reader epoll: while events arrive, poll the sockets this often instead of being woken for each (a router write that wakes the tool costs the router that wake-up, which a client on another machine would not); 0: always block in epoll_wait. With -stamp read, latencies include up to this delay")
	flag.StringVar(&o.stamp, "stamp", "kernel", "-reader epoll: when an event counts as received: kernel (the time the kernel put it in the subscriber's socket, SO_TIMESTAMPNS: what a client on another machine would see, whatever this tool's own scheduling on the shared cores) or read (when this tool read it, up to -reader-poll later)")
	flag.BoolVar(&o.phaseSpread, "phase-spread", true, "start the couriers' tickers spread evenly over one -interval (false: every courier pings at the same instant)")
	flag.Parse()
	var err error
	if o.levels, err = ints(levels); err == nil {
		o.streams, err = ints(streams)
	}
	if err == nil && o.reader != "epoll" && o.reader != "goroutine" {
		err = fmt.Errorf("-reader is epoll or goroutine, not %q", o.reader)
	}
	if err == nil && o.stamp != "kernel" && o.stamp != "read" {
		err = fmt.Errorf("-stamp is kernel or read, not %q", o.stamp)
	}
	if err == nil && upstream != "stream" && upstream != "subscriber" && upstream != "auto" {
		err = fmt.Errorf("-upstream is auto, stream or subscriber, not %q", upstream)
	}
	o.perSubscriberUpstream = upstream == "subscriber"
	o.calibrate = upstream == "auto"
	if err != nil {
		fmt.Fprintln(os.Stderr, "trackload:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "trackload:", err)
		if errors.Is(err, ErrOpenFileLimit) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad count %q in %q", f, s)
		}
		out = append(out, n)
	}
	return out, nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[trackload %s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

type runner struct {
	o        options
	pid      int
	wsURL    string
	metrics  string
	pprof    string // the router's /debug/pprof/heap?gc=1
	w        *world
	toolLim  uint64
	idleP99  string
	results  []string
	orderSeq atomic.Int64
	ep       *epReader // nil: -reader goroutine
}

func run(ctx context.Context, o options) error {
	was, now, hard, err := raiseOpenFiles()
	if err != nil {
		return err
	}
	logf("open files: this tool's soft limit %d -> %d (hard %d)", was, now, hard)
	// Many concurrent calls (couriers, probe) to one router: keep their connections.
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = 64

	u, err := url.Parse(o.router)
	if err != nil || u.Port() == "" {
		return fmt.Errorf("-router %q: want http://host:port/graphql", o.router)
	}
	r := &runner{o: o, toolLim: now, pid: o.routerPID,
		wsURL: "ws" + strings.TrimPrefix(o.router, "http"), metrics: u.Scheme + "://" + u.Host + "/metrics",
		pprof: u.Scheme + "://" + u.Host + "/debug/pprof/heap?gc=1"}
	if r.pid == 0 {
		port, _ := strconv.Atoi(u.Port())
		if r.pid, err = listenerPID(port); err != nil {
			return fmt.Errorf("find the router's process (does `make run` run?): %w", err)
		}
	}
	logf("router pid %d: open-file limit %d, %d open now, RSS %d KiB", r.pid, openFileLimit(r.pid), openFiles(r.pid), procStatus(r.pid, "VmRSS"))
	// Every level is checked before anything is made (with -upstream auto: what it costs
	// at the least, an upstream socket per stream, since nothing is measured yet) and again
	// once calibrated with what was measured: a level over a limit is refused with
	// ErrOpenFileLimit, not found out half-way, and a level that fits is not refused on a
	// guess.
	if err := r.checkLevels(); err != nil {
		return err
	}

	if o.reader == "epoll" {
		if r.ep, err = newEpReader(o.readerLoops, o.readerPoll, o.stamp == "kernel"); err != nil {
			return err
		}
		defer r.ep.stop()
	}

	c := city.NewClient(o.router)
	admin, err := c.Login(ctx, o.adminEmail, o.adminPassword)
	if err != nil {
		return fmt.Errorf("sign in as admin %s (does `make run` run, with its demo logins?): %w", o.adminEmail, err)
	}
	start := time.Now()
	if r.w, err = setup(ctx, c, admin, maxOf(o.streams), logf); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	logf("setup: %d order(s) in delivery in %s", len(r.w.streams), time.Since(start).Round(100*time.Millisecond))

	pingCtx, stopPings := context.WithCancel(ctx)
	var pings sync.WaitGroup
	for i, st := range r.w.streams {
		var phase time.Duration
		if o.phaseSpread {
			phase = time.Duration(i) * o.interval / time.Duration(len(r.w.streams))
		}
		pings.Go(func() { st.ping(pingCtx, o.interval, phase, logf) })
	}
	defer func() { stopPings(); pings.Wait() }()

	if o.calibrate {
		if err := r.calibrate(ctx); err != nil {
			return err
		}
		if err := r.checkLevels(); err != nil {
			return err
		}
	}

	if o.probeRate > 0 {
		lat, errs := r.probe(ctx, o.idle)
		r.idleP99 = probeSummary(lat, errs)
		logf("placeOrder idle (no subscriber, %d courier(s) pinging): %s", len(r.w.streams), r.idleP99)
	}
	phases := "started together"
	if o.phaseSpread && len(r.w.streams) > 1 {
		phases = "phases spread over the interval"
	}
	received := "the read" // what the fan-out latency counts to
	if o.reader == "epoll" && o.stamp == "kernel" {
		received = "the kernel's receive timestamp"
	}
	fmt.Printf("\ntrackload: deliveryTracking fan-out through the router (pid %d) at %s; updateLocation every %s per stream (%s); reader %s, received at %s; %d CPUs; load %s\n",
		r.pid, o.router, o.interval, phases, o.reader, received, numCPU(), loadavg())
	for _, s := range o.streams {
		for _, n := range o.levels {
			if err := r.level(ctx, n, s); err != nil {
				return err
			}
		}
	}
	fmt.Println()
	fmt.Println("tracking | subscribers | streams | setup | router memory per subscriber | fan-out | events | CPU s (tool / router) | load | placeOrder p99 idle / during")
	for _, l := range r.results {
		fmt.Println(l)
	}
	return nil
}

// checkLevels checks every level's fd budget and logs the largest N that fits.
func (r *runner) checkLevels() error {
	for _, s := range r.o.streams {
		for _, n := range r.o.levels {
			if err := r.budget(n, s).Check(); err != nil {
				return err
			}
		}
	}
	up := "one per stream"
	switch {
	case r.o.calibrate:
		up = "not measured yet: one per stream, the least, checked again once measured"
	case r.o.perSubscriberUpstream:
		up = "one per subscriber"
	}
	logf("fd budget (router upstream sockets: %s): largest N these limits permit: %d on one stream, %d on %d streams (router fd_reserve %d, tool allowance %d)",
		up, r.budget(1, 1).MaxSubscribers(), r.budget(1, maxOf(r.o.streams)).MaxSubscribers(), maxOf(r.o.streams), r.o.routerReserve, r.o.toolBase)
	return nil
}

// drainMax bounds the wait for late events after the window; drainQuiet ends it early when
// none arrived for that long.
const (
	drainMax   = 60 * time.Second
	drainQuiet = 5 * time.Second
)

// calibrationSubscribers is how many subscribers measure what one costs the router in open
// files (its client socket, and an upstream socket unless subscriptions share one).
const calibrationSubscribers = 50

// calibrate opens calibrationSubscribers subscribers on one stream and counts the router's
// open files: about 2 each means an upstream socket per subscriber (no deduplication or
// multiplexing of identical subscriptions), about 1 one per stream. The budget follows.
func (r *runner) calibrate(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	before := openFiles(r.pid)
	var retries atomic.Int64
	subs, err := connectAll(ctx, r.wsURL, r.w.customer.Token, calibrationSubscribers, r.w.streams[:1], dialers(2), 16, r.ep, &retries)
	if err == nil {
		err = eventually(ctx, "calibration subscribers live", time.Minute, func() (bool, error) {
			for _, s := range subs {
				if s.live.Load() == 0 {
					return false, nil
				}
			}
			return true, nil
		})
	}
	after := openFiles(r.pid)
	for _, s := range subs {
		if s != nil {
			s.closeNow()
		}
	}
	if err != nil {
		return fmt.Errorf("calibrate the router's open files per subscriber: %w", err)
	}
	per := float64(after-before) / calibrationSubscribers
	r.o.perSubscriberUpstream = per >= 1.5
	r.o.calibrate = false
	logf("calibration: %d subscribers on one stream took the router from %d to %d open files (%.2f each): budgeting %s",
		calibrationSubscribers, before, after, per, map[bool]string{true: "an upstream socket per subscriber", false: "upstream sockets per stream"}[r.o.perSubscriberUpstream])
	time.Sleep(3 * time.Second)
	return nil
}

func maxOf(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func (r *runner) budget(n, streams int) fdBudget {
	// Before calibrating, perSubscriberUpstream is false: the least a level can cost.
	return fdBudget{Subscribers: n, Streams: streams, PerSubscriberUpstream: r.o.perSubscriberUpstream,
		ToolBase: r.o.toolBase, RouterBase: max(0, openFiles(r.pid)), RouterReserve: r.o.routerReserve,
		ToolLimit: r.toolLim, RouterLimit: openFileLimit(r.pid)}
}

// level runs n subscribers over the first streams streams and prints its figures.
func (r *runner) level(parent context.Context, n, streams int) error {
	o := r.o
	if err := r.budget(n, streams).Check(); err != nil {
		return err
	}
	if err := r.w.customer.Renew(parent); err != nil { // tokens last 15 minutes
		return fmt.Errorf("renew the customer's token: %w", err)
	}
	addrs := o.sourceAddrs
	if addrs == 0 {
		addrs = sourceAddrsFor(n, ephemeralPorts())
	}
	sts := r.w.streams[:streams]
	logf("level: %d subscribers on %d stream(s) from %d source addresses (%s ...), %d handshakes at a time",
		n, streams, addrs, sourceAddr(0), o.concurrency)
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	gc0 := forceGC(ctx, r.pprof)
	rss0, fds0 := procStatus(r.pid, "VmRSS"), openFiles(r.pid)
	m0, merr := scrapeMetrics(ctx, r.metrics)
	var retries atomic.Int64
	start := time.Now()
	subs, err := connectAll(ctx, r.wsURL, r.w.customer.Token, n, sts, dialers(addrs), o.concurrency, r.ep, &retries)
	subscribed := time.Since(start)
	if err != nil {
		return fmt.Errorf("%d subscribers: %w", n, err)
	}
	live := 0
	deadline := time.Now().Add(o.liveTimeout)
	for {
		live = 0
		for _, s := range subs {
			if s.live.Load() != 0 {
				live++
			}
		}
		if live == n || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	setupTime := time.Since(start)
	notLive := ""
	if live < n {
		// Measured all the same: what they miss counts as missed.
		notLive = fmt.Sprintf("; %d of %d NEVER got an event within -live-timeout %s", n-live, n, o.liveTimeout)
		logf("%d subscribers: only %d had an event %s after the start (subscribed in %s); measuring all the same", n, live, setupTime.Round(time.Millisecond), subscribed.Round(time.Millisecond))
	}
	logf("%d subscribers live in %s (all subscribed in %s, %d handshakes retried)", n, setupTime.Round(time.Millisecond), subscribed.Round(time.Millisecond), retries.Load())
	time.Sleep(o.settle)
	gc1 := forceGC(ctx, r.pprof)
	rss1, fds1, limit := procStatus(r.pid, "VmRSS"), openFiles(r.pid), openFileLimit(r.pid)
	// Memory is per subscriber only while they are all open: one the router ended (a
	// "complete" it sent) no longer costs it anything.
	open := 0
	for _, s := range subs {
		s.mu.Lock()
		if !s.endedSet {
			open++
		}
		s.mu.Unlock()
	}
	m1, merr1 := scrapeMetrics(ctx, r.metrics)
	memory := fmt.Sprintf("RSS %+.1f KiB", float64(rss1-rss0)/float64(n))
	if open < n {
		memory = fmt.Sprintf("INVALID, only %d of %d subscriptions still open at the reading: ", open, n) + memory
	}
	if merr == nil && merr1 == nil && m0.HeapInuse >= 0 && m1.HeapInuse >= 0 {
		gc := "after a forced GC"
		if !gc0 || !gc1 {
			gc = "no forced GC: garbage included; DIZHTIME_ROUTER_PPROF=true lets the tool force one"
		}
		memory += fmt.Sprintf(", heap+stack %+.1f KiB (heap %+.1f, stacks %+.1f; %s), goroutines %+.2f",
			(m1.HeapInuse+m1.StackInuse-m0.HeapInuse-m0.StackInuse)/1024/float64(n),
			(m1.HeapInuse-m0.HeapInuse)/1024/float64(n), (m1.StackInuse-m0.StackInuse)/1024/float64(n), gc, (m1.Goroutines-m0.Goroutines)/float64(n))
	} else {
		memory += " (router /metrics unreadable: no goroutines)"
	}

	cpuTool0, cpuRouter0 := cpuSeconds(os.Getpid()), cpuSeconds(r.pid)
	for _, st := range sts {
		st.open()
	}
	probeDone := make(chan string, 1)
	go func() {
		if o.probeRate <= 0 {
			probeDone <- "-"
			return
		}
		lat, errs := r.probe(ctx, o.duration)
		probeDone <- probeSummary(lat, errs)
	}()
	measureStart := time.Now()
	time.Sleep(o.duration)
	for _, st := range sts {
		st.close()
	}
	expected := map[*stream]int{}
	for _, st := range sts {
		expected[st] = st.expected()
	}
	// Drain: what was sent last may still be on its way. Waited for while events keep
	// arriving (a loaded router delivers late, not never), up to drainMax; an event not in
	// by then is missed.
	drainStart := time.Now()
	lastGot, lastProgress := -1, time.Now()
	for time.Since(drainStart) < drainMax {
		behind, got := 0, 0
		for _, s := range subs {
			s.mu.Lock()
			got += s.got
			if s.got < expected[s.st] && !s.endedSet {
				behind++
			}
			s.mu.Unlock()
		}
		if behind == 0 {
			break
		}
		if got != lastGot {
			lastGot, lastProgress = got, time.Now()
		} else if time.Since(lastProgress) > drainQuiet {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	drained := time.Since(drainStart)
	measured := time.Since(measureStart)
	cpuTool, cpuRouter := cpuSeconds(os.Getpid())-cpuTool0, cpuSeconds(r.pid)-cpuRouter0
	load := loadavg()
	during := <-probeDone

	var lat latencies
	var want, got, dups, ended int
	var firstEnd error
	for _, s := range subs {
		s.mu.Lock()
		want += expected[s.st]
		got += min(s.got, expected[s.st])
		dups += s.dups
		lat = append(lat, s.lats...)
		if s.endedSet && ctx.Err() == nil {
			ended++
			if firstEnd == nil {
				firstEnd = s.ended
			}
		}
		s.mu.Unlock()
	}
	var sent, failed int64
	for _, st := range sts {
		sent += st.to.Load() - st.from.Load() + 1
		failed += st.failed.Load()
	}
	fanout := lat.summary()
	events := fmt.Sprintf("%d of %d received, missed %d (%d fixes sent in %s: %.2f/s per stream, %d updateLocation failed; %d duplicates; %d subscriptions ended; drained %s)",
		got, want, want-got, sent, o.duration, float64(sent)/o.duration.Seconds()/float64(streams), failed, dups, ended, drained.Round(100*time.Millisecond))
	fmt.Printf("\n== %d subscribers on %d stream(s), %d source addresses\n", n, streams, addrs)
	fmt.Printf("  setup            %s to every subscriber's first event (subscribed in %s, %d at a time, %d retried%s)\n",
		setupTime.Round(time.Millisecond), subscribed.Round(time.Millisecond), o.concurrency, retries.Load(), notLive)
	fmt.Printf("  router memory    %s per subscriber (RSS %d -> %d KiB, peak %d KiB)\n", memory, rss0, rss1, procStatus(r.pid, "VmHWM"))
	fmt.Printf("  router files     %d -> %d open (%.2f per subscriber; limit %d); this tool %d (limit %d)\n", fds0, fds1, float64(fds1-fds0)/float64(n), limit, openFiles(os.Getpid()), r.toolLim)
	fmt.Printf("  fan-out          %s (updateLocation sent -> event received, %d events)\n", fanout, len(lat))
	fmt.Printf("  events           %s\n", events)
	fmt.Printf("  CPU              this tool %.1f s, router %.1f s over %s\n", cpuTool, cpuRouter, measured.Round(100*time.Millisecond))
	fmt.Printf("  load average     %s\n", load)
	fmt.Printf("  placeOrder       idle %s; during %s\n", r.idleP99, during)
	if firstEnd != nil {
		fmt.Printf("  first ended      %v\n", firstEnd)
	}
	r.results = append(r.results, fmt.Sprintf("tracking | %d | %d | %s | %s | %s | %d/%d missed %d | %.1f / %.1f in %s | %s | %s / %s",
		n, streams, setupTime.Round(time.Millisecond).String()+notLive, memory, fanout, got, want, want-got, cpuTool, cpuRouter, measured.Round(100*time.Millisecond), load, pickP99(r.idleP99), pickP99(during)))
	cancel()
	for _, s := range subs {
		s.closeNow()
	}
	time.Sleep(3 * time.Second) // the router lets go of them before the next level's baseline
	return nil
}

// probe places orders at probeRate for d (as the run's customer, at its restaurant), in a
// probe process unless -probe-in-process, and returns each call's latency and the number
// that failed.
func (r *runner) probe(ctx context.Context, d time.Duration) (latencies, int) {
	spec := probeSpec{Router: r.o.router, Email: r.w.customer.Email, Password: password,
		Restaurant: r.w.restaurant, Dish: r.w.dish, Drop: city.Offset(r.w.at, -500, -500),
		KeyPrefix: fmt.Sprintf("%s-probe-%d-", r.w.run, r.orderSeq.Add(1)), Rate: r.o.probeRate, For: d}
	res := &probeResult{}
	if r.o.probeInProcess {
		placeOrders(ctx, r.w.customer, spec, res.add)
	} else {
		var err error
		if res, err = probeInChild(ctx, spec); err != nil {
			logf("placeOrder probe: %v", err)
			return nil, 1
		}
	}
	if res.firstErr != "" {
		logf("placeOrder probe: %d failed, the first: %s", res.errs, res.firstErr)
	}
	return res.lat, res.errs
}

func probeSummary(lat latencies, errs int) string {
	n := len(lat)
	if n == 0 {
		return fmt.Sprintf("no call succeeded (%d failed)", errs)
	}
	return fmt.Sprintf("%s (%d calls, %d failed)", lat.summary(), n, errs)
}

// pickP99 is the "p99 X" of a summary, for the table.
func pickP99(summary string) string {
	f := strings.Fields(summary)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "p99" {
			return f[i+1]
		}
	}
	return summary
}
