package core

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// upgradeTraceParent is the trace a client's WebSocket upgrade request carried (its W3C
// traceparent), or an invalid span context when it carried none.
func upgradeTraceParent(r *http.Request) trace.SpanContext {
	return trace.SpanContextFromContext(w3c.Extract(r.Context(), propagation.HeaderCarrier(r.Header)))
}

// operationSpan is the span of one operation run over a WebSocket: it starts with the
// subscribe message, records each event sent to the client, and ends with the operation.
// The upstream fetches and subscriptions it makes are its children.
type operationSpan struct {
	span   trace.Span
	events int
}

type operationSpanKey struct{}

// startOperationSpan starts the span under parent (the upgrade's traceparent, if any).
func startOperationSpan(ctx context.Context, parent trace.SpanContext, transport, opType, opName string) (context.Context, *operationSpan) {
	if parent.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, parent)
	}
	if opName == "" {
		opName = "anonymous"
	}
	ctx, span := otel.Tracer(tracerName).Start(ctx, "GraphQL "+opType+" "+opName,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("graphql.operation.name", opName), attribute.String("graphql.operation.type", opType),
			attribute.String("network.protocol.name", transport)))
	o := &operationSpan{span: span}
	return context.WithValue(ctx, operationSpanKey{}, o), o
}

// maxSpanEvents is how many of an operation's events are recorded on its span as span
// events; the rest are only counted (graphql.subscription.events, set at the end). A
// subscription lives for as long as its client watches: one span event per delivered
// event cost the router ~11% of its CPU at 10,000 tracking subscribers (a span event, its
// attribute and the garbage, per delivery), while the SDK keeps only the last 128 of a
// span's events anyway.
const maxSpanEvents = 8

// sentEvent records one event sent to the client on the operation's span in ctx (the
// first maxSpanEvents as span events, every one in the count).
func sentEvent(ctx context.Context) {
	if o, ok := ctx.Value(operationSpanKey{}).(*operationSpan); ok && o != nil {
		o.sent()
	}
}

// sent records one event sent to the client (see sentEvent).
func (o *operationSpan) sent() {
	o.events++
	if o.events <= maxSpanEvents {
		o.span.AddEvent("subscription event", trace.WithAttributes(attribute.Int("graphql.subscription.event", o.events)))
	}
}

func (o *operationSpan) end(ctx context.Context) {
	o.span.SetAttributes(attribute.Int("graphql.subscription.events", o.events))
	if ctx.Err() == nil {
		o.span.SetStatus(codes.Ok, "")
	}
	o.span.End()
}
