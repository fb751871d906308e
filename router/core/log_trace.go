package core

import (
	"context"
	"log/slog"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// withTrace returns logger carrying the trace_id and span_id of ctx's span, so a log
// line about one operation (an execution error, a refused token, a re-established
// subscription) can be found from its trace and the other way round. Without a span
// in ctx it returns logger itself.
func withTrace(ctx context.Context, logger *slog.Logger) *slog.Logger {
	if logger == nil || ctx == nil {
		return logger
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return logger
	}
	return logger.With(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
}

// routerTracer is otel.Tracer(tracerName), remembered for the global provider it came
// from: the SDK provider's Tracer takes a lock and builds the tracer's scope on every
// call (about 1.5% of the router's CPU, once per operation and per subgraph fetch). A
// new global provider (telemetry.Setup, a test's recorder) gets its own tracer.
func routerTracer() trace.Tracer {
	tp := otel.GetTracerProvider()
	if c := cachedTracer.Load(); c != nil && c.provider == tp {
		return c.tracer
	}
	c := &providerTracer{provider: tp, tracer: tp.Tracer(tracerName)}
	cachedTracer.Store(c)
	return c.tracer
}

type providerTracer struct {
	provider trace.TracerProvider
	tracer   trace.Tracer
}

var cachedTracer atomic.Pointer[providerTracer]
