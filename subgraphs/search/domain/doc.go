// Package domain holds the search read model: the restaurant document the index stores,
// the rules that keep out-of-order and repeated events from regressing it, opening hours
// as UTC minute-of-week ranges, and the shape of a search (query, filters, sort, page).
// It performs no I/O.
package domain
