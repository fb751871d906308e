package graphqlerr_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/platform/logging"
)

func TestPresenter_setsTheCodeOfEachConstructor(t *testing.T) {
	cases := []struct {
		err  error
		code string
	}{
		{graphqlerr.Unauthenticated("sign in"), "UNAUTHENTICATED"},
		{graphqlerr.Forbidden("no"), "FORBIDDEN"},
		{graphqlerr.BadUserInput("email", "bad email"), "BAD_USER_INPUT"},
		{graphqlerr.NotFound("gone"), "NOT_FOUND"},
		{graphqlerr.Conflict("taken"), "CONFLICT"},
		{graphqlerr.InsufficientFunds("poor"), "INSUFFICIENT_FUNDS"},
		{graphqlerr.RateLimited("slow down", 1500*time.Millisecond), "RATE_LIMITED"},
		{fmt.Errorf("wrapped: %w", graphqlerr.Conflict("taken")), "CONFLICT"},
	}
	present := graphqlerr.Presenter(slog.New(slog.DiscardHandler))
	for _, c := range cases {
		got := present(context.Background(), c.err)
		if got.Extensions["code"] != c.code {
			t.Errorf("%v: code %v, want %s", c.err, got.Extensions["code"], c.code)
		}
		if strings.Contains(got.Message, c.code) {
			t.Errorf("%v: message %q repeats the code", c.err, got.Message)
		}
	}
	got := present(context.Background(), graphqlerr.BadUserInput("email", "bad email"))
	if got.Extensions["field"] != "email" || got.Message != "bad email" {
		t.Errorf("bad input presented as %+v", got)
	}
	got = present(context.Background(), graphqlerr.RateLimited("slow down", 1500*time.Millisecond))
	if got.Extensions["retryAfterSeconds"] != 2 {
		t.Errorf("retryAfterSeconds = %v, want 2", got.Extensions["retryAfterSeconds"])
	}
}

func TestPresenter_hidesAnInternalErrorFromTheClientAndLogsItWithTheTraceID(t *testing.T) {
	var logs bytes.Buffer
	logger := logging.New("test", slog.LevelInfo, &logs)
	traceID, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	spanID, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled,
	}))

	for _, err := range []error{
		errors.New(`ERROR: relation "users" does not exist (SQLSTATE 42P01)`),
		graphqlerr.Internal(errors.New(`ERROR: relation "users" does not exist (SQLSTATE 42P01)`)),
	} {
		logs.Reset()
		got := graphqlerr.Presenter(logger)(ctx, err)
		if got.Message != "internal error" || got.Extensions["code"] != "INTERNAL" {
			t.Errorf("presented as %q %v", got.Message, got.Extensions)
		}
		if got.Extensions["traceId"] != traceID.String() {
			t.Errorf("traceId = %v", got.Extensions["traceId"])
		}
		if !strings.Contains(logs.String(), "SQLSTATE 42P01") || !strings.Contains(logs.String(), traceID.String()) {
			t.Errorf("log lacks the cause or the trace id: %s", logs.String())
		}
	}
}

func TestPresenter_passesGQLGensOwnValidationErrorsThrough(t *testing.T) {
	own := &gqlerror.Error{Message: "Cannot query field \"x\" on type \"Query\".",
		Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}
	got := graphqlerr.Presenter(nil)(context.Background(), own)
	if got.Message != own.Message || got.Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("presented as %q %v", got.Message, got.Extensions)
	}
}

func TestCodeOf_treatsAnUnknownErrorAsInternal(t *testing.T) {
	if c := graphqlerr.CodeOf(errors.New("boom")); c != graphqlerr.CodeInternal {
		t.Errorf("CodeOf = %s", c)
	}
	if c := graphqlerr.CodeOf(fmt.Errorf("x: %w", graphqlerr.NotFound("n"))); c != graphqlerr.CodeNotFound {
		t.Errorf("CodeOf = %s", c)
	}
	if c := graphqlerr.CodeOf(nil); c != "" {
		t.Errorf("CodeOf(nil) = %s", c)
	}
}
