package core

import (
	"context"
	"log/slog"

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
