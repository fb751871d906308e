// Package app holds the wallet's use cases: commands that turn requests and events into
// domain transactions and hand them to the ledger store, and queries over balances and
// history. Ports (GraphQL, event consumers) call it; adapters implement Store.
//
// # Ordering model (per order, across topics)
//
// Events about one order are keyed by the order id, so Kafka keeps them in order within
// one topic, but an order's events travel on several topics (order.created,
// order.status.changed, payment.refund.requested, dispatch.assigned) and nothing orders
// them across topics: after a restart, a rebalance or a backlog on one topic, the wallet
// may see an order cancelled before it sees the order. The wallet therefore assumes no
// order across topics and makes every money step about an order check the order's
// recorded state instead:
//
//   - Saga steps about one order serialize on a per-order lock (Tx.LockOrder) taken
//     first in the consumer's transaction, so two consumers handling the same order at
//     the same moment queue instead of both missing each other.
//   - An ending (cancelled, rejected, payment_failed, delivery_failed) is recorded
//     durably even when nothing was paid yet (Tx.RecordOrderEnded); a later
//     order.created for that order is refused (payment.failed, declined) and moves no
//     money; a charge that committed before the ending is refunded by the ending.
//   - Every money step is idempotent by a key derived from the order (pay:<order>,
//     refund:<order>:<status>, refund:<order>:requested:<payment>, settle:<order>), so a
//     redelivered or duplicated event changes nothing.
//   - The orders service applies the same rule on its side (defence in depth): a
//     payment.success for an order that can no longer be paid becomes a
//     payment.refund.requested, which OnPaymentRefundRequested honours once; whichever
//     of the two compensations runs second finds nothing left to refund.
package app
