package graphqlerr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"
)

// Presenter returns a gqlgen error presenter. An *Error becomes its Message with
// extensions.code (and field / retryAfterSeconds when set). Errors gqlgen raises
// itself (parse, validation, variable coercion) pass through with their own codes.
// Anything else is logged with the trace id and shown as INTERNAL "internal error".
func Presenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	if logger == nil {
		logger = slog.Default()
	}
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var e *Error
		switch {
		case errors.As(err, &e):
			if e.Code == CodeInternal {
				return internal(ctx, logger, gqlErr, e)
			}
			gqlErr.Message = e.Message
			ext := map[string]any{"code": string(e.Code)}
			if e.Field != "" {
				ext["field"] = e.Field
			}
			if e.RetryAfter > 0 {
				ext["retryAfterSeconds"] = int(math.Ceil(e.RetryAfter.Seconds()))
			}
			gqlErr.Extensions = ext
			return gqlErr
		case isGQLGenOwn(err):
			return gqlErr
		default:
			return internal(ctx, logger, gqlErr, err)
		}
	}
}

// isGQLGenOwn reports errors gqlgen made itself (no Go cause inside): their messages
// describe the client's own document and are safe to show.
func isGQLGenOwn(err error) bool {
	var g *gqlerror.Error
	if !errors.As(err, &g) {
		return false
	}
	return g.Err == nil
}

func internal(ctx context.Context, logger *slog.Logger, gqlErr *gqlerror.Error, cause error) *gqlerror.Error {
	traceID := ""
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		traceID = sc.TraceID().String()
	}
	logger.ErrorContext(ctx, "graphql internal error", "error", cause.Error(), "path", gqlErr.Path.String())
	gqlErr.Message = "internal error"
	ext := map[string]any{"code": string(CodeInternal)}
	if traceID != "" {
		ext["traceId"] = traceID
	}
	gqlErr.Extensions = ext
	return gqlErr
}

// Recover returns a gqlgen recover func: a panicking resolver is logged and answered
// like any other internal error.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	if logger == nil {
		logger = slog.Default()
	}
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "graphql resolver panic", "panic", fmt.Sprint(p))
		return Internal(fmt.Errorf("panic: %v", p))
	}
}
