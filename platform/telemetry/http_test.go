package telemetry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestServerHandler_continuesTheCallersTraceOnRequestsAndWebSocketUpgrades(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	var seen []trace.SpanContext
	h := ServerHandler("graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, trace.SpanContextFromContext(r.Context()))
	}))
	_, caller := sdktrace.NewTracerProvider().Tracer("caller").Start(context.Background(), "router fetch")
	for _, upgrade := range []bool{false, true} {
		req := httptest.NewRequest(http.MethodGet, "/query", nil)
		if upgrade {
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Upgrade", "websocket")
		}
		propagation.TraceContext{}.Inject(trace.ContextWithSpan(context.Background(), caller), propagation.HeaderCarrier(req.Header))
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	if len(seen) != 2 {
		t.Fatalf("handler ran %d times, want 2", len(seen))
	}
	for i, sc := range seen {
		if sc.TraceID() != caller.SpanContext().TraceID() {
			t.Errorf("request %d: trace %s, want the caller's %s", i, sc.TraceID(), caller.SpanContext().TraceID())
		}
	}
	ended := spans.Ended()
	if len(ended) != 2 || ended[0].Name() != "GET graphql" || ended[0].Parent().SpanID() != caller.SpanContext().SpanID() {
		t.Fatalf("server spans = %d (first %q, parent %s); want 2 named \"GET graphql\", children of the caller's span", len(ended), ended[0].Name(), ended[0].Parent().SpanID())
	}
}
