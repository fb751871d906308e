// Package notifications is DizhTime's notifications subgraph: workflows that turn domain
// events into notifications per recipient, the in-app inbox with its live subscription, and
// email, SMS and push delivery through providers with fallback, retries, rate limits, dead
// letters and preferences, each message sent once per (event, recipient, channel).
//
// Layout: domain/ (notifications, templates, preferences and quiet hours, no I/O), app/
// (workflows, inbox use cases, the live hub, the delivery dispatcher), adapters/
// (PostgreSQL stores, the Kafka event consumers, the inbox doorbell over PostgreSQL
// LISTEN/NOTIFY, SMTP and HTTP providers, identity's staff directory), graph/ (gqlgen
// schema and resolvers), service/ (wiring), cmd/notifications (the binary),
// cmd/provider-sandbox (a Twilio-style and an FCM-style provider that record what they
// would send), cmd/notifications-bench.
//
// The gqlgen code is checked in. Regenerate it, and the committed SDL the router composes
// (schema/notifications.graphqls at the repository root), with:
//
//	go generate ./...
package notifications

//go:generate go run github.com/99designs/gqlgen generate
//go:generate cp graph/schema.graphqls ../../schema/notifications.graphqls
