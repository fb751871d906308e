// Command orders runs the orders subgraph.
//
//	orders serve [-config orders.yaml]
//
// `serve` is how the dev supervisor (dizhtime dev) starts every subgraph; a bare
// `orders [-config ...]` serves too. Configuration: the YAML file, then DIZHTIME_*
// environment variables (DIZHTIME_HTTP_ADDR, DIZHTIME_POSTGRES_URL,
// DIZHTIME_KAFKA_BROKERS, DIZHTIME_LOG_LEVEL, DIZHTIME_RESTAURANTS_URL,
// DIZHTIME_IDENTITY_URL, DIZHTIME_ORDERS_*; see service.Config). /readyz answers on the
// HTTP address once PostgreSQL and Kafka are reachable.
//
// Its commands and flags live in package command (shared with the laptop launcher dizhtime).
package main

import "github.com/dizhtime/dizhtime/subgraphs/orders/command"

func main() { command.Main() }
