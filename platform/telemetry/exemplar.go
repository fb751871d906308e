package telemetry

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// ExemplarTraceLabel is the exemplar label holding the trace id, the name Prometheus
// and Grafana's exemplar links look for.
const ExemplarTraceLabel = "trace_id"

// TraceExemplar is the exemplar for a measurement made in ctx: the trace id of ctx's
// span when that trace is sampled (an exemplar pointing at a trace nobody kept leads
// nowhere), else nil.
func TraceExemplar(ctx context.Context) prometheus.Labels {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() || !sc.IsSampled() {
		return nil
	}
	return prometheus.Labels{ExemplarTraceLabel: sc.TraceID().String()}
}

// Observe records v on obs, with ctx's trace id as the exemplar when there is one (see
// TraceExemplar). Histograms keep the latest exemplar per bucket; /metrics shows them
// only in the OpenMetrics format (platform/ops serves it), and Prometheus stores them
// with --enable-feature=exemplar-storage.
func Observe(ctx context.Context, obs prometheus.Observer, v float64) {
	if ex := TraceExemplar(ctx); ex != nil {
		if eo, ok := obs.(prometheus.ExemplarObserver); ok {
			eo.ObserveWithExemplar(v, ex)
			return
		}
	}
	obs.Observe(v)
}

// RequestTraceContext is the trace a request belongs to: the span already in its context,
// else the W3C traceparent it carries. Middleware that runs outside ServerHandler (which
// starts the server span further in) uses it to tag its measurements.
func RequestTraceContext(r *http.Request) context.Context {
	ctx := r.Context()
	if trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	return w3c.Extract(ctx, propagation.HeaderCarrier(r.Header))
}
