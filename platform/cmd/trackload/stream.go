package main

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dizhtime/dizhtime/platform/city"
)

// A stream is one order in delivery: its courier pings updateLocation every interval, each
// fix stamped with its sequence number in the longitude (base + seq * stampStep degrees,
// ~7 cm a step here), and the send time of each sequence number is kept so a subscriber
// that receives the fix knows the fan-out latency (same process, same clock).
type stream struct {
	idx    int
	order  string
	driver *city.Session
	base   city.Point

	seq    atomic.Int64   // the last sequence number sent
	sentAt []atomic.Int64 // seq -> unix nanos before the call; -1: the call failed
	failed atomic.Int64
	// The window counted: fixes with from <= seq <= to (from 0: not counting).
	from, to atomic.Int64
}

const (
	stampStep = 1e-6
	maxSeq    = 1 << 16 // 9 hours of pings at 2/s
)

func newStream(idx int, order string, driver *city.Session, base city.Point) *stream {
	return &stream{idx: idx, order: order, driver: driver, base: base, sentAt: make([]atomic.Int64, maxSeq)}
}

// stamp is the position of fix seq; unstamp recovers seq from a longitude.
func stamp(base city.Point, seq int64) city.Point {
	return city.Point{Lat: base.Lat, Lng: base.Lng + float64(seq)*stampStep}
}

func unstamp(base city.Point, lng float64) int64 {
	return int64(math.Round((lng - base.Lng) / stampStep))
}

// ping sends updateLocation every interval, the first after phase, until ctx ends. A call
// slower than interval delays the next (the ticker drops ticks): the rate achieved is
// reported. Couriers are not synchronised: run spreads their phases over the interval
// (-phase-spread), so N streams are N events spread over it, not one burst of N.
func (s *stream) ping(ctx context.Context, interval, phase time.Duration, logf func(string, ...any)) {
	if phase > 0 {
		select {
		case <-ctx.Done():
			return
		case <-time.After(phase):
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var loud time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		seq := s.seq.Load() + 1
		if seq >= maxSeq {
			return
		}
		s.sentAt[seq].Store(time.Now().UnixNano())
		s.seq.Store(seq)
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := s.driver.UpdateLocation(cctx, stamp(s.base, seq))
		cancel()
		if err != nil && ctx.Err() == nil {
			s.sentAt[seq].Store(-1)
			s.failed.Add(1)
			if time.Since(loud) > 10*time.Second {
				loud = time.Now()
				logf("stream %d: updateLocation: %v", s.idx, err)
			}
		}
	}
}

// open starts counting with the next fix; close stops after the last one sent.
func (s *stream) open()  { s.to.Store(math.MaxInt64); s.from.Store(s.seq.Load() + 1) }
func (s *stream) close() { s.to.Store(s.seq.Load()) }

// counted reports whether seq is in the window and, if so, when it was sent (0 if its
// call failed).
func (s *stream) counted(seq int64) (bool, int64) {
	from := s.from.Load()
	if from == 0 || seq < from || seq > s.to.Load() || seq >= maxSeq {
		return false, 0
	}
	return true, max(0, s.sentAt[seq].Load())
}

// expected is how many fixes of the window went out (calls that did not fail).
func (s *stream) expected() int {
	n := 0
	for seq := s.from.Load(); seq <= s.to.Load() && seq < maxSeq; seq++ {
		if s.sentAt[seq].Load() > 0 {
			n++
		}
	}
	return n
}

// fixLng finds deliveryTracking's location.lng in a graphql-transport-ws "next" message
// without decoding it all (tens of thousands of messages a second arrive on 2 cores).
func fixLng(msg []byte) (float64, bool) {
	i := bytes.Index(msg, []byte(`"lng":`))
	if i < 0 {
		return 0, false
	}
	rest := msg[i+len(`"lng":`):]
	end := bytes.IndexAny(rest, ",}")
	if end < 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(bytes.TrimSpace(rest[:end])), 64)
	return v, err == nil
}
