// Package logship tails DizhTime's JSON log files and pushes their lines to Loki's push
// API (/loki/api/v1/push, JSON), the way deploy/observability/promtail.yml does in
// production: `service` and `level` become stream labels, `trace_id` and `span_id`
// structured metadata, the record's `time` the entry's timestamp. It is the local shipper
// of `make observe` and of the observed-journey test; Promtail is no longer part of the
// Loki module the Go proxy serves and Grafana Alloy is a far larger build.
package logship
