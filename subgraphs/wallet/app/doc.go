// Package app holds the wallet's use cases: commands that turn requests and events into
// domain transactions and hand them to the ledger store, and queries over balances and
// history. Ports (GraphQL, event consumers) call it; adapters implement Store.
package app
