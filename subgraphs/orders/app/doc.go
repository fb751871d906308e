// Package app holds the orders use cases: placing an order (priced by the restaurants
// quote, idempotent per customer and key), the restaurant's and the customer's
// transitions, the saga's reactions to payment and dispatch events, the acceptance
// deadline, reads, and live updates. Authorization happens here through platform/authz;
// errors crossing to clients are platform/graphqlerr errors.
package app
