// Package lifecycle runs a process's long-lived components (HTTP servers, Kafka
// consumers, relays) until SIGINT, SIGTERM or the first failure, then stops them all and
// waits, within a bound, for in-flight work to drain.
package lifecycle
