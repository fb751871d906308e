package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/dizhtime/dizhtime/platform/config"
)

// Telemetry holds a process's providers. Setup also installs them as the OTel globals;
// code that can be handed a provider should prefer these fields.
type Telemetry struct {
	TracerProvider *sdktrace.TracerProvider
	MeterProvider  *sdkmetric.MeterProvider
	// Registry holds the OTel metrics plus Go runtime and process collectors. Register
	// other Prometheus collectors here and serve it on /metrics.
	Registry *prometheus.Registry
}

// Setup creates the providers for service and installs them, with the W3C tracecontext
// and baggage propagator, as the OTel globals. Call Shutdown before exit to flush.
func Setup(ctx context.Context, service string, cfg config.Telemetry) (*Telemetry, error) {
	res, err := resource.New(ctx,
		resource.WithFromEnv(), // OTEL_RESOURCE_ATTRIBUTES, e.g. the pod name from Kubernetes
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithAttributes(attribute.String("service.name", service)),
	)
	if err != nil {
		return nil, fmt.Errorf("telemetry %s: resource: %w", service, err)
	}

	registry := prometheus.NewRegistry()
	if err := registry.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("telemetry %s: go collector: %w", service, err)
	}
	if err := registry.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("telemetry %s: process collector: %w", service, err)
	}
	promReader, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		return nil, fmt.Errorf("telemetry %s: prometheus exporter: %w", service, err)
	}

	traceOpts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sampler(cfg)),
	}
	meterOpts := []sdkmetric.Option{
		sdkmetric.WithResource(res),
		sdkmetric.WithReader(promReader),
	}
	if cfg.OTLPEndpoint != "" {
		tracesURL, err := url.JoinPath(cfg.OTLPEndpoint, "v1/traces")
		if err != nil {
			return nil, fmt.Errorf("telemetry %s: otlp endpoint %q: %w", service, cfg.OTLPEndpoint, err)
		}
		spans, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(tracesURL))
		if err != nil {
			return nil, fmt.Errorf("telemetry %s: otlp trace exporter: %w", service, err)
		}
		traceOpts = append(traceOpts, sdktrace.WithBatcher(spans))
	}
	// A trace-only receiver (Jaeger) answers /v1/metrics with 404 at every export: then
	// metrics stay on /metrics alone.
	if cfg.OTLPEndpoint != "" && !cfg.OTLPTracesOnly {
		metricsURL, _ := url.JoinPath(cfg.OTLPEndpoint, "v1/metrics")
		metrics, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpointURL(metricsURL))
		if err != nil {
			return nil, fmt.Errorf("telemetry %s: otlp metric exporter: %w", service, err)
		}
		meterOpts = append(meterOpts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	}

	t := &Telemetry{
		TracerProvider: sdktrace.NewTracerProvider(traceOpts...),
		MeterProvider:  sdkmetric.NewMeterProvider(meterOpts...),
		Registry:       registry,
	}
	otel.SetTracerProvider(t.TracerProvider)
	otel.SetMeterProvider(t.MeterProvider)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{},
	))
	return t, nil
}

// sampler decides which new traces are recorded: SampleRatio of them when spans are
// exported. With export off nothing would ever read a span, so a trace this process
// starts is not recorded (recording every span cost the router about 3% of its CPU per
// request, and its exemplars pointed at traces nobody kept); its spans still get real
// ids for the logs and the traceparent sent on. A caller's sampled trace is still
// followed (recorded, and forwarded as sampled), so the services after this one that do
// export keep it whole.
func sampler(cfg config.Telemetry) sdktrace.Sampler {
	if cfg.OTLPEndpoint == "" {
		return sdktrace.ParentBased(sdktrace.NeverSample())
	}
	return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRatio))
}

// Shutdown flushes pending spans and metrics to the exporters and stops the providers.
// ctx bounds the flush.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	if err := t.TracerProvider.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("telemetry: flush traces: %w", err))
	}
	if err := t.MeterProvider.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("telemetry: flush metrics: %w", err))
	}
	return errors.Join(errs...)
}
