// Package app holds the orders use cases: placing an order (priced by the restaurants
// quote, idempotent per customer and key), the restaurant's and the customer's
// transitions, the saga's reactions to payment and dispatch events, the payment and
// acceptance deadlines, reads, and live updates. Authorization happens here through
// platform/authz; errors crossing to clients are platform/graphqlerr errors.
//
// # Ordering model (per order, across topics)
//
// The orders service owns the order's state; its events (order.created,
// order.status.changed, payment.refund.requested) carry the order id as key, so each
// topic keeps one order's events in order, but nothing orders them across topics, and
// the events orders consumes (payment.success, payment.failed, dispatch.assigned,
// delivery.status.changed, dispatch.escalated) come from other services on other topics
// and may arrive late, twice, or before events they logically follow. No consumer
// assumes an order across topics: every reaction loads the order locked, checks its
// recorded status and timeline, and either applies a legal transition or changes
// nothing (a repeated or stale event), all in the consumer's transaction with the
// dedupe record and the outbox events.
//
// Money is never merely ignored. A payment.success for an order that ended unpaid
// (cancelled while PLACED, or failed by its payment deadline) records a refund request
// in the order's timeline and publishes payment.refund.requested, once per payment;
// the wallet, which applies the same rule on its side (it remembers endings and refuses
// later charges, and refunds a charge that committed before it saw the ending), refunds
// whatever is still held, so whichever compensation runs second finds nothing to do.
// Deadlines (payment, acceptance) live in the database and are swept by any replica, so
// a restart loses none.
package app
