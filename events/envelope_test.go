package events_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
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
