package adapters

import (
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/google/uuid"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/dizhtime/dizhtime/events/contracts"
)

// BenchmarkLocationPath measures a fix's CPU and allocations in this process on its way
// through driver.location, without the broker: encoding into a Kafka message (per=fix
// is the encoding before the batch arena, kept here as the reference), and on the
// reading replica decoding it and applying it to the index.
//
//	go test -run '^$' -bench LocationPath -benchmem ./adapters
func BenchmarkLocationPath(b *testing.B) {
	fixes := make([]contracts.DriverLocationV1, 500)
	for i := range fixes {
		fixes[i] = contracts.DriverLocationV1{DriverID: fmt.Sprintf("drv-%d", i), Lat: 41.3 + float64(i)*1e-5, Lng: 69.27, RecordedAt: time.Now().UTC()}
	}
	tp := "00-0102030000000000000000000000000-0405000000000000-01"
	b.Run("encode/per=fix", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cpuNow()
		msgs := make([]kafkago.Message, 0, len(fixes))
		for b.Loop() {
			msgs = msgs[:0]
			for _, fix := range fixes {
				id, _ := uuid.NewV7()
				now := time.Now()
				m := kafkago.Message{Key: []byte(fix.DriverID), Value: appendLocationEnvelope(make([]byte, 0, 384), id, now, tp, fix)}
				for _, h := range locationHeaders(id, now, tp, "", fix.DriverID) {
					m.Headers = append(m.Headers, kafkago.Header{Key: h.key, Value: []byte(h.value)})
				}
				msgs = append(msgs, m)
			}
		}
		perFix(b, len(fixes), cpu0)
	})
	b.Run("encode/batch=500", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cpuNow()
		msgs := make([]kafkago.Message, 0, len(fixes))
		for b.Loop() {
			msgs = msgs[:0]
			lb := newLocationBatch(len(fixes))
			for _, fix := range fixes {
				id, _ := uuid.NewV7()
				msgs = append(msgs, lb.message(id, time.Now(), tp, "", fix))
			}
		}
		perFix(b, len(fixes), cpu0)
	})
	values := make([][]byte, len(fixes))
	lb := newLocationBatch(len(fixes))
	for i, fix := range fixes {
		values[i] = lb.message(uuid.New(), time.Now(), tp, "", fix).Value
	}
	for _, dec := range []struct {
		name      string
		unmarshal func([]byte, any) error
	}{{"encoding-json", json.Unmarshal}, {"goccy", gojson.Unmarshal}} {
		b.Run("decode/"+dec.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuNow()
			for b.Loop() {
				for _, v := range values {
					var m locationMessage
					if err := dec.unmarshal(v, &m); err != nil || m.Data.DriverID == "" {
						b.Fatal(err)
					}
				}
			}
			perFix(b, len(values), cpu0)
		})
	}
	b.Run("apply", func(b *testing.B) {
		x := NewDriverIndex()
		f := &LocationFeed{index: x}
		b.ReportAllocs()
		cpu0 := cpuNow()
		for b.Loop() {
			for _, v := range values {
				f.apply(v)
			}
		}
		perFix(b, len(values), cpu0)
	})
}

// perFix reports the process's CPU time per fix since cpu0 (on a shared machine wall
// time says more about the neighbours than about the code).
func perFix(b *testing.B, fixes int, cpu0 time.Duration) {
	b.ReportMetric(float64((cpuNow()-cpu0).Nanoseconds())/float64(b.N*fixes), "cpu-ns/fix")
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
