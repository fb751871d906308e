package outbox_test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/events/outbox"
)

func TestStartPublishSpans_continueTheStoredTraceAndHandTheConsumerThePublishSpan(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tracer := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)).Tracer("test")
	_, writer := sdktrace.NewTracerProvider().Tracer("writer").Start(context.Background(), "placeOrder")
	stored := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(trace.ContextWithSpan(context.Background(), writer), stored)
	shared := map[string]string{"traceparent": stored["traceparent"], "event_type": "order.created"}
	msgs := []kafka.Message{
		{Topic: "order.created", Key: []byte("o1"), Headers: shared},
		{Topic: "order.created", Key: []byte("o2"), Headers: map[string]string{"event_type": "order.created"}},
	}

	started := outbox.StartPublishSpans(context.Background(), tracer, msgs)
	started.End(errors.New("broker down"))

	if len(started) != 1 {
		t.Fatalf("%d publish spans, want 1 (the message without a traceparent gets none)", len(started))
	}
	got := spans.Ended()[0]
	if got.Name() != "order.created publish" || got.SpanKind() != trace.SpanKindProducer ||
		got.Parent().SpanID() != writer.SpanContext().SpanID() || got.SpanContext().TraceID() != writer.SpanContext().TraceID() {
		t.Fatalf("span %q kind %v parent %s trace %s; want a producer span, child of the writer's span in its trace",
			got.Name(), got.SpanKind(), got.Parent().SpanID(), got.SpanContext().TraceID())
	}
	if got.Status().Code != codes.Error {
		t.Errorf("status = %v, want Error after a failed publish", got.Status())
	}
	handed := propagation.TraceContext{}.Extract(context.Background(), propagation.MapCarrier(msgs[0].Headers))
	if trace.SpanContextFromContext(handed).SpanID() != got.SpanContext().SpanID() {
		t.Errorf("message traceparent %q does not name the publish span", msgs[0].Headers["traceparent"])
	}
	if shared["traceparent"] != stored["traceparent"] || msgs[0].Headers["event_type"] != "order.created" {
		t.Errorf("the caller's header map was changed (%v) or other headers were lost (%v)", shared, msgs[0].Headers)
	}
}
