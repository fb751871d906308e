// Package app holds search's use cases: the projection of restaurant events into the
// index, the restaurant, dish and suggestion queries, and the rebuild into a fresh
// index behind the alias. The index and the event log are ports defined here and
// implemented in adapters.
package app
