// Package domain holds dispatch's rules without I/O: driver states, the delivery state
// machine, geography (H3 cells, distances) and the pickup-time estimate matching ranks by.
package domain
