// Command notifications runs the notifications subgraph.
//
//	notifications serve [-config notifications.yaml]
//
// `serve` is how the dev supervisor (dizhtime dev) starts every subgraph; a bare
// `notifications [-config ...]` serves too. Configuration: the YAML file, then DIZHTIME_*
// environment variables (DIZHTIME_HTTP_ADDR, DIZHTIME_POSTGRES_URL,
// DIZHTIME_KAFKA_BROKERS, DIZHTIME_LOG_LEVEL,
// DIZHTIME_IDENTITY_URL, DIZHTIME_NOTIFICATIONS_*; see service.Config). /readyz answers on the
// HTTP address once PostgreSQL and Kafka are reachable.
//
// Its commands and flags live in package command (shared with the laptop launcher dizhtime).
package main

import "github.com/dizhtime/dizhtime/subgraphs/notifications/command"

func main() { command.Main() }
