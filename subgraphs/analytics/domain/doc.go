// Package domain holds analytics' types: the fact a domain event becomes (one row of the
// event table, plus one row per ordered dish), the query scope and time range, the bucketing
// of a series into a time zone's hours, days and weeks, and the dashboard figures. No I/O.
package domain
