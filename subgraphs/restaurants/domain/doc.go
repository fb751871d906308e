// Package domain holds the restaurants subgraph's rules without I/O: money in minor
// units, opening hours evaluated in the restaurant's own time zone (overnight ranges
// included), menus with option groups and their limits, and the price quote the orders
// subgraph trusts at checkout. Invariants are enforced by constructors and methods;
// callers never set a field that a rule depends on.
package domain
