package outbox

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events/kafka"
)

const tracerName = "github.com/dizhtime/dizhtime/events/outbox"

// traceContext is W3C Trace Context itself: the outbox row's headers hold exactly that.
var traceContext = propagation.TraceContext{}

// PublishSpans is one "publish" span per relayed message, each a child of the trace the
// event was written in (its stored traceparent), so a trace shows the hop from the outbox
// to Kafka. Each message's traceparent header is rewritten to its publish span: the
// consumer's span becomes that span's child.
type PublishSpans []trace.Span

// StartPublishSpans starts the spans and rewrites the headers of msgs in place (each
// message gets a header map of its own). Messages without a traceparent get no span.
func StartPublishSpans(ctx context.Context, tracer trace.Tracer, msgs []kafka.Message) PublishSpans {
	spans := make(PublishSpans, 0, len(msgs))
	for i, m := range msgs {
		carrier := propagation.MapCarrier{}
		for k, v := range m.Headers {
			carrier[k] = v
		}
		parent := traceContext.Extract(context.WithoutCancel(ctx), carrier)
		if !trace.SpanContextFromContext(parent).IsValid() {
			continue
		}
		spanCtx, span := tracer.Start(parent, m.Topic+" publish",
			trace.WithSpanKind(trace.SpanKindProducer),
			trace.WithAttributes(
				attribute.String("messaging.system", "kafka"),
				attribute.String("messaging.operation.type", "send"),
				attribute.String("messaging.destination.name", m.Topic),
				attribute.String("messaging.kafka.message.key", string(m.Key)),
			))
		traceContext.Inject(spanCtx, carrier)
		msgs[i].Headers = carrier
		spans = append(spans, span)
	}
	return spans
}

// End ends every span, marking them failed when err is not nil.
func (s PublishSpans) End(err error) {
	for _, span := range s {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "publish failed")
		}
		span.End()
	}
}

func relayTracer() trace.Tracer { return otel.Tracer(tracerName) }
