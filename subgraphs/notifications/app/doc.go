// Package app holds the notifications use cases: workflows turning domain events into
// notifications per recipient (Workflows), the inbox queries and commands, the live inbox
// (Hub and Application.LiveInbox) and the delivery Dispatcher that sends queued messages
// through providers with fallback, retries with backoff, a rate limit per channel, digests
// and dead letters.
package app
