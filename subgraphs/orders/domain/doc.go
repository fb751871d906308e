// Package domain holds the Order aggregate: its lines and totals, the explicit table of
// allowed status transitions and the timeline every transition appends to. No I/O.
package domain
