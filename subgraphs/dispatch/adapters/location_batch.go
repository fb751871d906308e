package adapters

import (
	"time"

	"github.com/google/uuid"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
)

// locationBatch encodes a batch of fixes into Kafka messages whose keys, values and
// header values share one byte arena, and whose headers share one array, per batch (a
// fix costs no allocation of its own). The writer keeps the messages' bytes until they
// are sent, so an arena is never reused: the next batch starts a new one.
type locationBatch struct {
	arena   []byte
	headers []kafkago.Header
}

func newLocationBatch(fixes int) *locationBatch {
	return &locationBatch{arena: make([]byte, 0, fixes*400), headers: make([]kafkago.Header, 0, fixes*7)}
}

// Constant header values, shared by every message (kafka-go only reads them).
var (
	headerTypeValue    = []byte(contracts.TypeDriverLocation)
	headerVersionValue = []byte("1")
	headerSourceValue  = []byte(app.Source)
)

// message encodes fix as the driver.location event with this id, time and trace: the
// envelope appendLocationEnvelope writes and the headers locationHeaders lists.
func (lb *locationBatch) message(id uuid.UUID, now time.Time, traceparent, tracestate string, fix contracts.DriverLocationV1) kafkago.Message {
	start := len(lb.arena)
	var idAt, timeAt int
	lb.arena, idAt, timeAt = appendLocationEnvelopeAt(lb.arena, id, now, traceparent, fix)
	value := lb.arena[start:len(lb.arena):len(lb.arena)]
	idAt, timeAt = idAt-start, timeAt-start
	timeEnd := timeAt
	for value[timeEnd] != '"' {
		timeEnd++
	}
	key := lb.bytes(fix.DriverID)
	h := len(lb.headers)
	lb.headers = append(lb.headers,
		kafkago.Header{Key: events.HeaderID, Value: value[idAt : idAt+36 : idAt+36]},
		kafkago.Header{Key: events.HeaderType, Value: headerTypeValue},
		kafkago.Header{Key: events.HeaderVersion, Value: headerVersionValue},
		kafkago.Header{Key: events.HeaderSource, Value: headerSourceValue},
		kafkago.Header{Key: events.HeaderTime, Value: value[timeAt:timeEnd:timeEnd]},
		kafkago.Header{Key: events.HeaderSubject, Value: key})
	if traceparent != "" {
		lb.headers = append(lb.headers, kafkago.Header{Key: events.HeaderTraceParent, Value: lb.bytes(traceparent)})
	}
	if tracestate != "" {
		lb.headers = append(lb.headers, kafkago.Header{Key: events.HeaderTraceState, Value: lb.bytes(tracestate)})
	}
	return kafkago.Message{Key: key, Value: value, Headers: lb.headers[h:len(lb.headers):len(lb.headers)]}
}

// bytes copies s into the arena.
func (lb *locationBatch) bytes(s string) []byte {
	at := len(lb.arena)
	lb.arena = append(lb.arena, s...)
	return lb.arena[at:len(lb.arena):len(lb.arena)]
}

// appendUUID appends id in its canonical form (id.String(), without allocating).
func appendUUID(b []byte, id uuid.UUID) []byte {
	const digits = "0123456789abcdef"
	for i, c := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, digits[c>>4], digits[c&0xf])
	}
	return b
}
