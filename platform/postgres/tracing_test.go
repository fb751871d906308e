package postgres_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// A statement run under a recording span is a client span of the same trace, with the
// statement but never its arguments; without a span in the context nothing is recorded.
func TestOpen_statementsAreChildSpansOfTheCallersTrace_withoutTheirArguments(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	previous := otel.GetTracerProvider()
	otel.SetTracerProvider(provider)
	t.Cleanup(func() { otel.SetTracerProvider(previous) })

	pool := openPool(t)
	if _, err := pool.Exec(context.Background(), `SELECT $1::text`, "not traced"); err != nil {
		t.Fatal(err)
	}
	ctx, parent := provider.Tracer("test").Start(context.Background(), "handle order.created")
	if _, err := pool.Exec(ctx, `SELECT $1::text`, "secret-card-4242"); err != nil {
		t.Fatal(err)
	}
	parent.End()

	var queries []sdktrace.ReadOnlySpan
	for _, s := range recorder.Ended() {
		for _, a := range s.Attributes() {
			if a.Key == "db.query.text" && a.Value.AsString() == `SELECT $1::text` {
				queries = append(queries, s)
			}
		}
	}
	if len(queries) != 1 {
		t.Fatalf("%d spans for the statement, want 1 (only the one run under a recording span)", len(queries))
	}
	q := queries[0]
	if q.Parent().SpanID() != parent.SpanContext().SpanID() || q.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Errorf("statement span %s is not a child of the caller's span", q.Name())
	}
	if q.SpanKind() != trace.SpanKindClient {
		t.Errorf("statement span kind %v, want client", q.SpanKind())
	}
	if !hasAttr(q.Attributes(), "db.system.name", "postgresql") {
		t.Errorf("statement span lacks db.system.name=postgresql: %v", q.Attributes())
	}
	for _, a := range q.Attributes() {
		if a.Value.Emit() == "secret-card-4242" || a.Value.AsString() == "secret-card-4242" {
			t.Errorf("the statement's argument is recorded in %s", a.Key)
		}
	}
}

func hasAttr(attrs []attribute.KeyValue, key, value string) bool {
	for _, a := range attrs {
		if string(a.Key) == key && a.Value.AsString() == value {
			return true
		}
	}
	return false
}
