// Package service wires analytics: configuration, the store backend, the ingestion
// consumer and the HTTP handler (GraphQL at /query, with the liveMetrics subscription).
package service
