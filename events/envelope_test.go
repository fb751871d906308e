package events_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
)

func TestEnvelope_travelsAsAKafkaMessageKeyedBySubjectOnTheTopicOfItsType(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "place order")
	defer span.End()
	e, err := events.New(ctx, "orders", "o-1", contracts.OrderStatusChangedV1{OrderID: "o-1", From: "placed", To: "paid"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.Message()
	if err != nil {
		t.Fatal(err)
	}
	if m.Topic != contracts.TypeOrderStatusChanged || string(m.Key) != "o-1" {
		t.Fatalf("topic %s key %s", m.Topic, m.Key)
	}
	for k, want := range map[string]string{events.HeaderID: e.ID, events.HeaderType: "order.status.changed",
		events.HeaderVersion: "1", events.HeaderSource: "orders", events.HeaderSubject: "o-1", events.HeaderTraceParent: e.TraceParent} {
		if m.Headers[k] != want || want == "" {
			t.Errorf("header %s = %q, want %q", k, m.Headers[k], want)
		}
	}
	back, err := events.FromMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	var p contracts.OrderStatusChangedV1
	if err := back.Decode(&p); err != nil || p.To != "paid" || back.ID != e.ID || !back.Time.Equal(e.Time) {
		t.Fatalf("round trip: %+v %+v %v", back, p, err)
	}
	if err := back.Decode(&contracts.PaymentFailedV1{}); err == nil {
		t.Fatal("decoded an order event as a payment event")
	}
	sc := trace.SpanContextFromContext(back.ContextWithTrace(context.Background()))
	if sc.TraceID() != span.SpanContext().TraceID() || sc.SpanID() != span.SpanContext().SpanID() || !sc.IsRemote() {
		t.Fatalf("trace context %v, want the producer's span as remote parent", sc)
	}
}

func TestEnvelope_refusesAMessageWithoutIDOrSubject(t *testing.T) {
	e, err := events.New(context.Background(), "orders", "o-1", contracts.OrderStatusChangedV1{OrderID: "o-1"})
	if err != nil {
		t.Fatal(err)
	}
	e.Subject = ""
	if _, err := e.Message(); err == nil {
		t.Fatal("an event without subject became a message")
	}
	if _, err := events.New(context.Background(), "orders", "", contracts.OrderStatusChangedV1{}); err == nil {
		t.Fatal("New accepted an empty subject")
	}
}

// FromMessage decodes with goccy/go-json: whatever the value holds, it yields the
// envelope encoding/json would, and refuses what encoding/json refuses.
func TestFromMessage_decodesAsEncodingJSONDoes(t *testing.T) {
	values := []string{
		`{"id":"e1","type":"order.created","version":2,"source":"orders","time":"2026-12-07T07:00:00.123456789Z","subject":"o-1","data":{"a":1,"b":[1,2,{"c":"d"}]}}`,
		`{"id":"e2","type":"t","version":1,"source":"s","time":"2026-12-07T10:00:00+05:00","subject":"ö \u00e9 \"q\" \\ <&>","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","tracestate":"k=v","data": { "spaced" : [ 1 , 2 ] , "s":"\u2028" } }`,
		`{"ID":"e3","Type":"t","VERSION":1,"Source":"s","time":"2026-12-07T07:00:00Z","Subject":"o-3","data":"a string","unknown":{"x":[1,2]}}`,
		`{"id":"e4","type":"t","version":1,"source":"s","time":"2026-12-07T07:00:00Z","subject":"o-4","data":null}`,
		`{"id":"e5","type":"t","version":"1","source":"s","time":"2026-12-07T07:00:00Z","subject":"o-5","data":{}}`,
		`{"id":"e6","type":"t","version":1,"source":"s","time":"not a time","subject":"o-6","data":{}}`,
		`{"id":"e7","type":"t","version":1,"subject":"o-7","data":{}`,
		`[]`,
	}
	for i, v := range values {
		m := kafka.Message{Topic: "t", Partition: 1, Offset: int64(i), Value: []byte(v)}
		got, err := events.FromMessage(m)
		var want events.Envelope
		wantErr := json.Unmarshal([]byte(v), &want)
		if wantErr == nil {
			wantErr = want.Validate()
		}
		if (err != nil) != (wantErr != nil) {
			t.Errorf("value %d: FromMessage error %v, encoding/json error %v", i, err, wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if !reflect.DeepEqual(got, want) || !got.Time.Equal(want.Time) {
			t.Errorf("value %d: FromMessage %+v, encoding/json %+v", i, got, want)
		}
	}
}
