// Package domain holds analytics' types: the fact a domain event becomes (one row of the
// event table, plus one row per ordered dish), the query scope and time range, the bucketing
// of a series into a time zone's hours, days and weeks, the dashboard figures, and dead
// letters with the action log that decides their state. No I/O.
package domain
