package adapters

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
)

// The hand-written encoding must be the envelope events.New + Message would publish:
// the same JSON document (field by field) and the same headers.
func TestLocationEnvelope_isWhatEventsNewWouldPublish(t *testing.T) {
	heading, speed := 90.5, 0.0000001
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5}, TraceFlags: trace.FlagsSampled})
	for name, fix := range map[string]contracts.DriverLocationV1{
		"plain":           {DriverID: "drv-1", Lat: 41.311123, Lng: 69.2797, RecordedAt: time.Date(2026, 12, 7, 1, 2, 3, 456789000, time.UTC)},
		"with everything": {DriverID: "drv-\"2\"<é>", Lat: -33.9, Lng: -70, HeadingDeg: &heading, SpeedKph: &speed, OrderID: "ord-9", RecordedAt: time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC)},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := trace.ContextWithRemoteSpanContext(context.Background(), sc)
			want, err := events.New(ctx, app.Source, fix.DriverID, fix)
			if err != nil {
				t.Fatal(err)
			}
			wantMsg, err := want.Message()
			if err != nil {
				t.Fatal(err)
			}
			id := uuid.MustParse(want.ID)
			tp, ts := traceParent(sc)
			value := appendLocationEnvelope(nil, id, want.Time, tp, fix)
			var gotDoc, wantDoc map[string]any
			if err := json.Unmarshal(value, &gotDoc); err != nil {
				t.Fatalf("%s: %v", value, err)
			}
			if err := json.Unmarshal(wantMsg.Value, &wantDoc); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotDoc, wantDoc) {
				t.Fatalf("encoded\n%s\nwant\n%s", value, wantMsg.Value)
			}
			headers := map[string]string{}
			for _, h := range locationHeaders(id, want.Time, tp, ts, fix.DriverID) {
				headers[h.key] = h.value
			}
			if !reflect.DeepEqual(headers, wantMsg.Headers) {
				t.Fatalf("headers %v, want %v", headers, wantMsg.Headers)
			}
			// The batch encoder writes the same bytes and headers, sharing one arena: a
			// second message in the batch leaves the first intact.
			lb := newLocationBatch(1)
			m := lb.message(id, want.Time, tp, ts, fix)
			other := fix
			other.DriverID, other.Lat = "someone-else", 1
			m2 := lb.message(uuid.New(), want.Time.Add(time.Second), "", "", other)
			batchHeaders := map[string]string{}
			for _, h := range m.Headers {
				batchHeaders[h.Key] = string(h.Value)
			}
			if string(m.Value) != string(value) || string(m.Key) != fix.DriverID || !reflect.DeepEqual(batchHeaders, headers) || len(m.Headers) != len(headers) {
				t.Fatalf("batch encoded %s key %s headers %v,\nwant %s key %s headers %v", m.Value, m.Key, batchHeaders, value, fix.DriverID, headers)
			}
			if string(m2.Key) != "someone-else" || !strings.Contains(string(m2.Value), `"driver_id":"someone-else"`) || len(m2.Headers) != 6 {
				t.Fatalf("second message %s key %s headers %d", m2.Value, m2.Key, len(m2.Headers))
			}
			e, err := events.FromMessage(kafka.Message{Value: value, Headers: headers})
			if err != nil {
				t.Fatal(err)
			}
			var got contracts.DriverLocationV1
			if err := e.Decode(&got); err != nil || !reflect.DeepEqual(got, fix) {
				t.Fatalf("decoded %+v (%v), want %+v", got, err, fix)
			}
		})
	}
}
