package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/dizhtime/dizhtime/platform/logging"
)

func decode(t *testing.T, buf *bytes.Buffer) map[string]any {
	t.Helper()
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log line is not JSON: %v\n%s", err, buf)
	}
	return rec
}

func TestNew_addsTheTraceAndSpanIDsOfTheSpanInTheContext(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx, span := tp.Tracer("test").Start(context.Background(), "place order")
	defer span.End()

	var buf bytes.Buffer
	logging.New("orders", slog.LevelInfo, &buf).InfoContext(ctx, "order placed", "order_id", "o-1")

	rec := decode(t, &buf)
	want := map[string]string{
		"service":  "orders",
		"msg":      "order placed",
		"order_id": "o-1",
		"trace_id": span.SpanContext().TraceID().String(),
		"span_id":  span.SpanContext().SpanID().String(),
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %q", k, rec[k], v)
		}
	}
}

func TestNew_omitsTraceIDsWhenTheContextHasNoSpan(t *testing.T) {
	var buf bytes.Buffer
	logging.New("orders", slog.LevelInfo, &buf).InfoContext(context.Background(), "started")

	rec := decode(t, &buf)
	if _, ok := rec["trace_id"]; ok {
		t.Errorf("trace_id present without a span: %v", rec)
	}
	if rec["service"] != "orders" {
		t.Errorf("service = %v, want orders", rec["service"])
	}
}

func TestNew_dropsRecordsBelowTheLevel(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New("orders", slog.LevelWarn, &buf)
	log.Info("chatty")
	if buf.Len() != 0 {
		t.Fatalf("info record written at warn level: %s", &buf)
	}
	log.Warn("careful")
	if rec := decode(t, &buf); rec["level"] != "WARN" {
		t.Fatalf("level = %v, want WARN", rec["level"])
	}
}
