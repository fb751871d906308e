package telemetry

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
)

// w3c is W3C Trace Context and Baggage themselves, not the global propagator: a process
// that never called Setup (a component test) still continues its caller's trace.
var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// ServerHandler continues the caller's trace on every request next serves: it extracts
// the traceparent the router (or any client) sent, on a plain request and on a WebSocket
// upgrade alike, and runs next inside a server span named operation. Everything next does
// with the request's context (store calls, logs, the events it writes to an outbox) then
// belongs to that trace. Spans go to the global tracer provider that Setup installs.
func ServerHandler(operation string, next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, operation,
		otelhttp.WithPropagators(w3c),
		// Spans only: platform/ops already measures every request, and otelhttp's
		// http_server_request_duration_seconds would clash with it on /metrics.
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
		// One span per request, named for the route, not for the raw path.
		otelhttp.WithSpanNameFormatter(func(operation string, r *http.Request) string {
			return r.Method + " " + operation
		}),
	)
}
