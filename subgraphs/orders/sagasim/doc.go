// Package sagasim is a deterministic, seeded simulation of the whole order saga, in the
// style of TigerBeetle's VOPR and FoundationDB's simulation testing.
//
// It drives the real application code of orders, wallet and dispatch (their app and
// domain packages) behind in-memory stores that implement the same ports as the
// PostgreSQL adapters, with a simulated clock and a simulated event bus. Everything that
// happens is a Step chosen by a PRNG from the seed: customers place, retry and cancel
// orders and start top-ups (the gateway's webhooks answer them, repeated, late or
// tampered); restaurant staff accept, reject, prepare and mark ready; drivers accept
// offers, hand them back, pick up and deliver; operations cancel deliveries; admins
// refund part of an order; the payment and acceptance deadlines, the intent expiry and
// the dispatch rounds run; the clock advances; and the bus delivers events with faults
// (duplicates from the outbox relay, reordering within a topic by the relay and across
// topics by the consumers, delays, a consumer lagging on one topic for a while, consumer
// crashes before and after the commit, dispatch dying between its live index and its
// database, handler retries and dead letters).
//
// After every step, and after every action of the drain, the safety invariants are
// checked (money conserved per currency, postings never changed, no charge after the
// wallet recorded the order's ending, no double charge, no refund beyond what was paid,
// at most one settlement, escrow never negative, a top-up credited once and only for
// its intent, every timeline a legal path of the state machine). When the workload
// ends the faults stop, the world is drained (every event delivered, the gateway
// answers, deadlines passed, drivers finish their trips) and the liveness invariants
// are checked: nothing in flight and no dead letter, every order terminal, a
// not-delivered order left its customer whole in money and points, a delivered one is
// settled exactly once, no terminal order holds money in escrow, every top-up intent
// final and credited iff SUCCEEDED.
//
// A run is a pure function of its step list, and the step list of its seed, so a
// failure is replayed from the seed and shrunk (delta debugging over the step list) to a
// short trace that still breaks an invariant.
//
// Plants (Config.Plant, sagasim -plant) put a known bug into the simulator's stores or
// glue, never into production code, to show that the invariants catch it.
//
// Not simulated: the matcher's offer round (it waits on wall-clock timers, so a step
// makes offers instead and LiveIndex.Candidates is empty), ClaimForMatching's pull-forward
// of older waiting deliveries, live subscriptions, and true parallelism. The drain has
// no operator: a dead letter is a liveness failure (Config.ReplayDeadLetters, sagasim
// -dlq-replay, lets one replay them as events/consumer.Replay does).
//
// What the in-memory stores stand for: the wallet's money rules live partly in SQL
// (wallet_post: idempotency keys, the negative-balance rule, balanced postings, one
// payment and one settlement per order; OrderPayment's sums). LedgerStore implements
// the same rules in Go, and TestLedgerStore_agreesWithThePostgreSQLLedger runs one
// random sequence of wallet operations against both and requires the same outcomes and
// balances. Each store transaction is all-or-nothing (an undo journal), and steps are
// atomic, which is the serializable execution the row locks of the PostgreSQL adapters
// give.
package sagasim
