// Package adapters holds the notifications subgraph's technology: PostgreSQL stores (the
// inbox, the outbox of sends, settings), the Kafka event consumers, the inbox doorbell
// over PostgreSQL LISTEN/NOTIFY, the SMTP email sender, the HTTP SMS and push senders, and
// identity's staff directory over HTTP.
package adapters
