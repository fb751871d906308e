package main

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/city"
)

func ms(xs ...int) []time.Duration {
	out := make([]time.Duration, len(xs))
	for i, x := range xs {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestPercentile_nearestRank(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, c := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample is every percentile", ms(7), 99, 7 * time.Millisecond},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p99 of 10 samples is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p50 of 4 samples is the 2nd", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p50 of 5 samples is the 3rd", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
	} {
		if got := percentile(c.sorted, c.p); got != c.want {
			t.Errorf("%s: percentile(%v, %v) = %v, want %v", c.name, c.sorted, c.p, got, c.want)
		}
	}
}

func TestLatencies_summarySortsAndNamesTheMax(t *testing.T) {
	l := latencies(ms(30, 10, 20, 250))
	if got, want := l.summary(), "p50 20ms p99 250ms max 250ms"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if got := latencies(nil).summary(); got != "no events" {
		t.Errorf("empty summary = %q", got)
	}
	if got := pickP99("p50 1ms p99 3ms max 4ms (9 calls, 0 failed)"); got != "3ms" {
		t.Errorf("pickP99 = %q", got)
	}
}

func TestFDBudget_oneStreamSharesOneUpstreamSocket(t *testing.T) {
	b := fdBudget{Subscribers: 10_000, Streams: 1, ToolBase: 200, RouterBase: 100, RouterReserve: 500, ToolLimit: 20_000, RouterLimit: 20_000}
	if got, want := b.RouterNeeds(), 100+10_000+1+500; got != want {
		t.Errorf("router needs %d, want %d", got, want)
	}
	if got, want := b.ToolNeeds(), 10_200; got != want {
		t.Errorf("tool needs %d, want %d", got, want)
	}
	if err := b.Check(); err != nil {
		t.Errorf("10,000 on one stream under 20,000: %v", err)
	}
	// The router is the tighter: 20,000 - 100 - 500 - 1 = 19,399 (the tool allows 19,800).
	if got := b.MaxSubscribers(); got != 19_399 {
		t.Errorf("max subscribers = %d, want 19399", got)
	}
	b.Subscribers = 19_399
	if err := b.Check(); err != nil {
		t.Errorf("the largest N must pass: %v", err)
	}
	b.Subscribers = 19_400
	if err := b.Check(); !errors.Is(err, ErrOpenFileLimit) {
		t.Errorf("one over: %v, want ErrOpenFileLimit", err)
	}
}

func TestFDBudget_50kIsRefusedByNameWithTheLargestNThatFits(t *testing.T) {
	b := fdBudget{Subscribers: 50_000, Streams: 10, ToolBase: 200, RouterBase: 100, RouterReserve: 500, ToolLimit: 20_000, RouterLimit: 20_000}
	err := b.Check()
	if !errors.Is(err, ErrOpenFileLimit) {
		t.Fatalf("50,000 under 20,000: %v, want ErrOpenFileLimit", err)
	}
	for _, want := range []string{"this tool needs 50200", "the router needs 50610", "largest N these limits permit is 19390"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestFDBudget_anUpstreamPerSubscriberHalvesTheRoom(t *testing.T) {
	b := fdBudget{Subscribers: 9_000, Streams: 9_000, PerSubscriberUpstream: true, ToolBase: 200, RouterBase: 100, RouterReserve: 500, ToolLimit: 20_000, RouterLimit: 20_000}
	if got, want := b.RouterNeeds(), 100+2*9_000+500; got != want {
		t.Errorf("router needs %d, want %d", got, want)
	}
	if got := b.MaxSubscribers(); got != 9_700 {
		t.Errorf("max = %d, want (20000-100-500)/2 = 9700", got)
	}
	b.Subscribers = 9_701
	if err := b.Check(); !errors.Is(err, ErrOpenFileLimit) {
		t.Errorf("9,701 with an upstream each: %v, want ErrOpenFileLimit", err)
	}
	// Fewer subscribers than streams never count more upstreams than subscribers.
	small := fdBudget{Subscribers: 3, Streams: 10, RouterLimit: 100, ToolLimit: 100}
	if got := small.RouterNeeds(); got != 6 {
		t.Errorf("3 subscribers on 10 streams need %d router files, want 6", got)
	}
}

func TestSourceAddresses_spreadRoundRobinOverLoopbackAddresses(t *testing.T) {
	for _, c := range []struct{ n, ports, want int }{
		{1, 28232, 2},      // at least two, so spreading is exercised
		{14_116, 28232, 2}, // half of two addresses' ports
		{14_117, 28232, 2}, // 2 x 14,116 = 28,232 still fits
		{28_233, 28232, 3}, // one more needs a third
		{50_000, 28232, 4}, // the goal: 4 addresses
		{100, 10, 20},      // a tiny port range: 5 per address
		{100, 0, 100},      // nothing known: one port per address
	} {
		if got := sourceAddrsFor(c.n, c.ports); got != c.want {
			t.Errorf("sourceAddrsFor(%d, %d) = %d, want %d", c.n, c.ports, got, c.want)
		}
	}
	for k, want := range map[int]string{0: "127.0.1.1", 1: "127.0.1.2", 253: "127.0.1.254", 254: "127.0.2.1", 600: "127.0.3.93"} {
		if got := sourceAddr(k).String(); got != want {
			t.Errorf("sourceAddr(%d) = %s, want %s", k, got, want)
		}
	}
	counts := map[int]int{}
	for i := range 10 {
		counts[sourceFor(i, 3)]++
	}
	if counts[0] != 4 || counts[1] != 3 || counts[2] != 3 {
		t.Errorf("10 subscribers over 3 addresses: %v, want 4/3/3", counts)
	}
	if got := portsInRange("32768\t60999\n"); got != 28232 {
		t.Errorf("ports in 32768-60999 = %d", got)
	}
}

func TestStamp_roundTripsTheSequenceThroughTheLongitude(t *testing.T) {
	base := city.Point{Lat: 41.3111, Lng: 69.2797}
	for _, seq := range []int64{1, 2, 999, 40_000, maxSeq - 1} {
		p := stamp(base, seq)
		if got := unstamp(base, p.Lng); got != seq {
			t.Errorf("unstamp(stamp(%d)) = %d", seq, got)
		}
	}
	msg := []byte(`{"id":"1","type":"next","payload":{"data":{"deliveryTracking":{"driverId":"d","deliveryStatus":"ASSIGNED","etaSeconds":60,"location":{"lat":41.3111,"lng":69.279823}}}}}`)
	lng, ok := fixLng(msg)
	if !ok || unstamp(base, lng) != 123 {
		t.Errorf("fixLng = %v %v, seq %d; want 123", lng, ok, unstamp(base, lng))
	}
	if _, ok := fixLng([]byte(`{"type":"next","payload":{"data":null}}`)); ok {
		t.Error("fixLng found a longitude in a message without one")
	}
}

func TestStream_countsOnlyTheWindowAndFailedCallsAreNotExpected(t *testing.T) {
	s := newStream(0, "o", nil, city.Point{})
	mark := func(seq int64, at int64) { s.sentAt[seq].Store(at); s.seq.Store(seq) }
	mark(1, 100)
	mark(2, 200)
	s.open() // counts from 3
	mark(3, 300)
	mark(4, -1) // failed
	mark(5, 500)
	s.close() // up to 5
	mark(6, 600)
	if in, _ := s.counted(2); in {
		t.Error("a fix before the window counted")
	}
	if in, at := s.counted(3); !in || at != 300 {
		t.Errorf("counted(3) = %v %d", in, at)
	}
	if in, at := s.counted(4); !in || at != 0 {
		t.Errorf("counted(4), a failed call = %v %d; want in, no send time", in, at)
	}
	if in, _ := s.counted(6); in {
		t.Error("a fix after the window counted")
	}
	if got := s.expected(); got != 2 {
		t.Errorf("expected = %d, want 2 (3 and 5; 4 failed)", got)
	}
}

func TestProc_parsesStatTablesAndMetrics(t *testing.T) {
	stat := "1234 (router serve (x)) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 12 0 100 0 0"
	if got := statCPUSeconds(stat); got != 4.0 {
		t.Errorf("cpu seconds = %v, want (250+150)/100 = 4", got)
	}
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0FA0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 55501 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0FA0 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 55502 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 55503 1 0000000000000000 100 0 0 10 0
`
	if got := listeningInodes(table, 4000); len(got) != 1 || got[0] != "55501" {
		t.Errorf("listening inodes on 4000 = %v, want [55501] (not the established one)", got)
	}
	m := parseMetrics(strings.NewReader("# HELP go_goroutines x\ngo_goroutines 4021\ngo_memstats_heap_inuse_bytes 1.5e+08\ngo_memstats_stack_inuse_bytes 2.1e+07\n"))
	if m.Goroutines != 4021 || m.HeapInuse != 1.5e8 || m.StackInuse != 2.1e7 {
		t.Errorf("metrics = %+v", m)
	}
}

func TestFDBudget_autoRefusesOnlyWhatDoesNotFitOnceMeasured(t *testing.T) {
	r := &runner{o: options{calibrate: true, levels: []int{10_000}, streams: []int{1}, routerReserve: 500, toolBase: 200}, pid: os.Getpid(), toolLim: 20_000}
	// Before calibrating, nothing is measured: 10,000 on one stream is checked at what it
	// costs at the least (an upstream per stream), so it is not refused on a guess.
	b := r.budget(10_000, 1)
	b.RouterBase, b.RouterLimit = 100, 20_000
	if b.PerSubscriberUpstream {
		t.Fatal("before calibrating, the budget counts an upstream socket per subscriber")
	}
	if err := b.Check(); err != nil {
		t.Fatalf("10,000 on one stream under 20,000, not measured yet: %v", err)
	}
	// Measured: an upstream per subscriber (2 files each). Now it does not fit.
	r.o.calibrate, r.o.perSubscriberUpstream = false, true
	b = r.budget(10_000, 1)
	b.RouterBase, b.RouterLimit = 100, 20_000
	if err := b.Check(); !errors.Is(err, ErrOpenFileLimit) || !strings.Contains(err.Error(), "largest N these limits permit is 9700") {
		t.Fatalf("10,000 at 2 files each under 20,000: %v, want ErrOpenFileLimit naming 9700", err)
	}
}

func TestProbeOutput_okAndErrLinesAreCalls_anythingElseIsRefused(t *testing.T) {
	res, err := parseProbeOutput([]byte("ok 12000000\nerr placeOrder: SUBGRAPH_UNAVAILABLE\nok 3000000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.lat) != 2 || res.lat[0] != 12*time.Millisecond || res.lat[1] != 3*time.Millisecond {
		t.Fatalf("latencies %v, want [12ms 3ms]", res.lat)
	}
	if res.errs != 1 || res.firstErr != "placeOrder: SUBGRAPH_UNAVAILABLE" {
		t.Fatalf("errs %d (%q), want 1 with its message", res.errs, res.firstErr)
	}
	if res, err := parseProbeOutput(nil); err != nil || len(res.lat) != 0 || res.errs != 0 {
		t.Fatalf("no output: %+v %v, want no calls", res, err)
	}
	if _, err := parseProbeOutput([]byte("ok twelve\n")); err == nil {
		t.Fatal("a bad latency was accepted")
	}
	if _, err := parseProbeOutput([]byte("panic: oops\n")); err == nil {
		t.Fatal("a line that is no call was accepted")
	}
}

func TestProbeChild_refusesASpecWithoutRateOrDuration(t *testing.T) {
	for _, spec := range []string{`{"Rate":0,"For":1000000000}`, `{"Rate":2,"For":0}`, `not json`} {
		var out strings.Builder
		if err := runProbeChild(t.Context(), strings.NewReader(spec), &out); err == nil {
			t.Errorf("spec %s: no error", spec)
		}
		if out.Len() != 0 {
			t.Errorf("spec %s: wrote %q", spec, out.String())
		}
	}
}
