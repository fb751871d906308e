// Package telemetry sets up a process's OpenTelemetry tracing and metrics: W3C trace
// context and baggage propagation, an SDK tracer provider (so every request has a trace
// id for the logs even when export is off; with export off, new traces are not recorded),
// OTLP/HTTP export when an endpoint is configured, and a Prometheus registry that /metrics serves.
package telemetry
