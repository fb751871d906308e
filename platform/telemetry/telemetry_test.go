package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"

	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/telemetry"
)

func setup(t *testing.T, cfg config.Telemetry) *telemetry.Telemetry {
	t.Helper()
	tel, err := telemetry.Setup(context.Background(), "orders", cfg)
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	return tel
}

func TestSetup_givesSpansRealTraceIDsWhenExportIsOff(t *testing.T) {
	tel := setup(t, config.Telemetry{SampleRatio: 1})
	defer tel.Shutdown(context.Background())

	ctx, span := otel.Tracer("test").Start(context.Background(), "place order")
	defer span.End()
	// Nothing exports it: the new trace is not recorded, but it has real ids.
	if !span.SpanContext().IsValid() || span.IsRecording() || span.SpanContext().IsSampled() {
		t.Fatalf("span context %v (recording %v): want valid ids on a span nobody records", span.SpanContext(), span.IsRecording())
	}

	member, _ := baggage.NewMember("tenant", "acme")
	bag, _ := baggage.New(member)
	carrier := propagation.HeaderCarrier(http.Header{})
	otel.GetTextMapPropagator().Inject(baggage.ContextWithBaggage(ctx, bag), carrier)
	if tp := carrier.Get("traceparent"); !strings.Contains(tp, span.SpanContext().TraceID().String()) {
		t.Errorf("traceparent = %q, want it to carry trace id %s", tp, span.SpanContext().TraceID())
	}
	if got := carrier.Get("baggage"); got != "tenant=acme" {
		t.Errorf("baggage = %q, want tenant=acme", got)
	}
}

// A caller's sampled trace goes on as sampled through a process that exports nothing,
// so the services after it that export keep the trace whole.
func TestSetup_followsASampledCallerWhenExportIsOff(t *testing.T) {
	tel := setup(t, config.Telemetry{SampleRatio: 1})
	defer tel.Shutdown(context.Background())

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	in := propagation.HeaderCarrier(http.Header{"Traceparent": {"00-" + traceID + "-00f067aa0ba902b7-01"}})
	ctx, span := otel.Tracer("test").Start(otel.GetTextMapPropagator().Extract(context.Background(), in), "place order")
	defer span.End()
	if span.SpanContext().TraceID().String() != traceID || !span.SpanContext().IsSampled() {
		t.Fatalf("span context %v: want trace %s, sampled", span.SpanContext(), traceID)
	}
	out := propagation.HeaderCarrier(http.Header{})
	otel.GetTextMapPropagator().Inject(ctx, out)
	if tp := out.Get("traceparent"); !strings.HasPrefix(tp, "00-"+traceID+"-") || !strings.HasSuffix(tp, "-01") {
		t.Errorf("traceparent sent on = %q, want trace %s with the sampled flag", tp, traceID)
	}
}

// With an exporter, SampleRatio 1 records every new trace.
func TestSetup_recordsNewTracesWhenExportIsOn(t *testing.T) {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer collector.Close()
	tel := setup(t, config.Telemetry{OTLPEndpoint: collector.URL, SampleRatio: 1})
	defer tel.Shutdown(context.Background())

	_, span := otel.Tracer("test").Start(context.Background(), "place order")
	defer span.End()
	if !span.IsRecording() || !span.SpanContext().IsSampled() {
		t.Fatalf("span context %v (recording %v): want a sampled, recording span", span.SpanContext(), span.IsRecording())
	}
}

func TestSetup_keepsTraceIDsForUnsampledTraces(t *testing.T) {
	tel := setup(t, config.Telemetry{SampleRatio: 0})
	defer tel.Shutdown(context.Background())

	_, span := otel.Tracer("test").Start(context.Background(), "place order")
	defer span.End()
	if !span.SpanContext().IsValid() || span.SpanContext().IsSampled() {
		t.Fatalf("span context %v: want a valid, unsampled one", span.SpanContext())
	}
}

func TestSetup_exposesOTelMetricsAndRuntimeMetricsInTheRegistry(t *testing.T) {
	tel := setup(t, config.Telemetry{SampleRatio: 1})
	defer tel.Shutdown(context.Background())

	counter, err := tel.MeterProvider.Meter("test").Int64Counter("orders_placed")
	if err != nil {
		t.Fatal(err)
	}
	counter.Add(context.Background(), 3)

	families, err := tel.Registry.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	found := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			found[f.GetName()] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	if found["orders_placed_total"] != 3 {
		t.Errorf("orders_placed_total = %v, want 3", found["orders_placed_total"])
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := found[name]; !ok {
			t.Errorf("registry lacks %s", name)
		}
	}
}

func TestShutdown_flushesSpansAndMetricsToTheOTLPEndpoint(t *testing.T) {
	var (
		mu    sync.Mutex
		paths = map[string]int{}
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()

	tel := setup(t, config.Telemetry{OTLPEndpoint: collector.URL, SampleRatio: 1})
	_, span := otel.Tracer("test").Start(context.Background(), "place order")
	span.End()
	counter, _ := tel.MeterProvider.Meter("test").Int64Counter("orders_placed")
	counter.Add(context.Background(), 1)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"POST /v1/traces", "POST /v1/metrics"} {
		if paths[want] == 0 {
			t.Errorf("collector never got %s; got %v", want, paths)
		}
	}
}

// A trace-only receiver (Jaeger, `make run`'s default endpoint) answers /v1/metrics with
// 404: with OTLPTracesOnly the process sends it traces and never metrics.
func TestShutdown_sendsOnlyTracesToATraceOnlyEndpoint(t *testing.T) {
	var (
		mu    sync.Mutex
		paths = map[string]int{}
	)
	jaegerLike := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		if r.URL.Path != "/v1/traces" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer jaegerLike.Close()

	tel := setup(t, config.Telemetry{OTLPEndpoint: jaegerLike.URL, OTLPTracesOnly: true, SampleRatio: 1})
	_, span := otel.Tracer("test").Start(context.Background(), "place order")
	span.End()
	counter, _ := tel.MeterProvider.Meter("test").Int64Counter("orders_placed")
	counter.Add(context.Background(), 1)
	// Metrics are still served to Prometheus.
	families, err := tel.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range families {
		found = found || f.GetName() == "orders_placed_total"
	}
	if !found {
		t.Error("orders_placed_total is missing from the Prometheus registry")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v (a 404 from /v1/metrics would show here)", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if paths["POST /v1/traces"] == 0 || paths["POST /v1/metrics"] != 0 {
		t.Errorf("requests = %v; want traces posted and no metrics", paths)
	}
}
