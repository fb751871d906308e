// Package e2e holds the notifications subgraph's end-to-end test: the real binaries of
// identity, restaurants, orders, wallet and notifications behind the real router, built
// and supervised by platform/stack against the real services and Mailpit, driven through
// the router as a front end would.
package e2e
