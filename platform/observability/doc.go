// Package observability proves that what deploy/observability configures sees the real
// platform: its tests start every process (platform/stack) beside a trace backend (Jaeger),
// Prometheus and the log store, drive an order through the router, and check that one
// trace runs from the router's placeOrder to the wallet's consumer, that every process is
// scraped and every rule's expression returns data.
package observability

//go:generate go run ./cmd/dashboards -out ../../deploy/observability/grafana/dashboards
