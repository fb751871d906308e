// Package app is analytics' application layer: turning domain events into facts
// (Ingestion), and the dashboard queries with their authorization (Queries), over the Store
// port both backends implement; and the dead-letter admin (DeadLetters: list, replay,
// discard what consumers parked on the platform's <topic>.dlq topics).
package app
