package graphqlserver

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

const tracerName = "github.com/dizhtime/dizhtime/platform/graphqlserver"

// traceOperations gives every operation a span inside the request's server span (which
// carries the router's trace). A query or mutation's span ends with its response; a
// subscription's span lives from start to end and records each event it sends.
func traceOperations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	opType, opName := "unknown", oc.OperationName
	if oc.Operation != nil {
		opType = string(oc.Operation.Operation)
	}
	if opName == "" {
		opName = "anonymous"
	}
	ctx, span := otel.Tracer(tracerName).Start(ctx, "GraphQL "+opType+" "+opName,
		trace.WithAttributes(attribute.String("graphql.operation.name", opName), attribute.String("graphql.operation.type", opType)))
	respond := next(ctx)
	subscription := opType == "subscription"
	events := 0
	return func(rctx context.Context) *graphql.Response {
		// The transport calls with its own context: resolvers must run inside the span.
		resp := respond(trace.ContextWithSpan(rctx, span))
		switch {
		case resp == nil:
			span.SetAttributes(attribute.Int("graphql.subscription.events", events))
			span.End()
		case subscription:
			events++
			span.AddEvent("subscription event", trace.WithAttributes(attribute.Int("graphql.subscription.event", events)))
			if len(resp.Errors) > 0 {
				span.SetStatus(codes.Error, resp.Errors.Error())
			}
		default:
			if len(resp.Errors) > 0 {
				span.SetStatus(codes.Error, resp.Errors.Error())
			}
			span.End()
		}
		return resp
	}
}
