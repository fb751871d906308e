// Package app is analytics' application layer: turning domain events into facts
// (Ingestion), and the dashboard queries with their authorization (Queries), over the Store
// port both backends implement.
package app
