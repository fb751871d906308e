package adapters

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
)

// appendLocationEnvelope appends the driver.location event of fix as events.New and
// Envelope.Message would encode it (the same JSON fields and values; the
// location_encoding test decodes both ways), without reflection: at tens of thousands
// of fixes a second, encoding/json's two passes (payload, then envelope) were most of
// the stream's CPU.
func appendLocationEnvelope(b []byte, id uuid.UUID, now time.Time, traceparent string, fix contracts.DriverLocationV1) []byte {
	b, _, _ = appendLocationEnvelopeAt(b, id, now, traceparent, fix)
	return b
}

// appendLocationEnvelopeAt is appendLocationEnvelope that also says where in b the
// event's id (36 bytes from idAt) and time (from timeAt to the next quote) were written,
// so the headers can carry the same bytes.
func appendLocationEnvelopeAt(b []byte, id uuid.UUID, now time.Time, traceparent string, fix contracts.DriverLocationV1) (_ []byte, idAt, timeAt int) {
	b = append(b, `{"id":"`...)
	idAt = len(b)
	b = appendUUID(b, id)
	b = append(b, `","type":"`+contracts.TypeDriverLocation+`","version":1,"source":"`+app.Source+`","time":"`...)
	timeAt = len(b)
	b = now.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","subject":`...)
	b = appendJSONString(b, fix.DriverID)
	if traceparent != "" {
		b = append(b, `,"traceparent":`...)
		b = appendJSONString(b, traceparent)
	}
	b = append(b, `,"data":{"driver_id":`...)
	b = appendJSONString(b, fix.DriverID)
	b = append(b, `,"lat":`...)
	b = appendJSONFloat(b, fix.Lat)
	b = append(b, `,"lng":`...)
	b = appendJSONFloat(b, fix.Lng)
	if fix.HeadingDeg != nil {
		b = append(b, `,"heading_deg":`...)
		b = appendJSONFloat(b, *fix.HeadingDeg)
	}
	if fix.SpeedKph != nil {
		b = append(b, `,"speed_kph":`...)
		b = appendJSONFloat(b, *fix.SpeedKph)
	}
	if fix.OrderID != "" {
		b = append(b, `,"order_id":`...)
		b = appendJSONString(b, fix.OrderID)
	}
	b = append(b, `,"recorded_at":"`...)
	b = fix.RecordedAt.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}}`...), idAt, timeAt
}

// appendJSONString appends s as a JSON string: plain ASCII as is, anything else through
// encoding/json (ids are plain ASCII).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONFloat formats f as encoding/json does for coordinates and speeds (no
// exponent between 1e-6 and 1e21).
func appendJSONFloat(b []byte, f float64) []byte {
	if a := max(f, -f); a != 0 && (a < 1e-6 || a >= 1e21) {
		q, _ := json.Marshal(f)
		return append(b, q...)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// locationHeaders are the Kafka headers events.Envelope.Headers gives the event.
func locationHeaders(id uuid.UUID, now time.Time, traceparent, tracestate, subject string) []kafkaHeader {
	h := []kafkaHeader{
		{events.HeaderID, id.String()},
		{events.HeaderType, contracts.TypeDriverLocation},
		{events.HeaderVersion, "1"},
		{events.HeaderSource, app.Source},
		{events.HeaderTime, now.UTC().Format(time.RFC3339Nano)},
		{events.HeaderSubject, subject},
	}
	if traceparent != "" {
		h = append(h, kafkaHeader{events.HeaderTraceParent, traceparent})
	}
	if tracestate != "" {
		h = append(h, kafkaHeader{events.HeaderTraceState, tracestate})
	}
	return h
}

type kafkaHeader struct{ key, value string }

// traceParent is the W3C traceparent of sc ("" when invalid).
func traceParent(sc trace.SpanContext) (string, string) {
	if !sc.IsValid() {
		return "", ""
	}
	return "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-" + sc.TraceFlags().String(), sc.TraceState().String()
}
