package core

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// A fetch under an operation span nobody records starts no span of its own (the
// operation's traceparent goes to the subgraph); under a recorded one it gets its own
// child span.
func TestFetchSpan_onlyWhereTheTraceIsRecorded(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	// No exporter (platform/telemetry): new traces are not sampled.
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())), sdktrace.WithSpanProcessor(spans)))
	opCtx, op := routerTracer().Start(context.Background(), "GraphQL query Q")
	ctx, span := fetchSpan(opCtx, "reviews")
	if ctx != opCtx || span != noSpan {
		t.Fatalf("unrecorded operation: the fetch started a span %v", span.SpanContext())
	}
	if got := trace.SpanContextFromContext(ctx); got.SpanID() != op.SpanContext().SpanID() || !got.IsValid() {
		t.Fatalf("the fetch's trace context %v is not the operation's %v", got, op.SpanContext())
	}
	span.End()
	op.End()

	// Recorded trace: the fetch is the operation's child.
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(spans)))
	opCtx, op = routerTracer().Start(context.Background(), "GraphQL query Q")
	_, span = fetchSpan(opCtx, "reviews")
	span.End()
	op.End()
	ended := spans.Ended()
	if len(ended) != 2 || ended[0].Name() != "subgraph fetch reviews" || ended[0].Parent().SpanID() != op.SpanContext().SpanID() {
		t.Fatalf("recorded spans %d: want the fetch as the operation's child", len(ended))
	}
}
