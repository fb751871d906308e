// Command dispatch runs the dispatch subgraph.
//
//	dispatch serve [-config dispatch.yaml]
//
// `serve` is how the dev supervisor (dizhtime dev) starts every subgraph; a bare
// `dispatch [-config ...]` serves too. Configuration: the YAML file, then DIZHTIME_*
// environment variables (DIZHTIME_HTTP_ADDR, DIZHTIME_POSTGRES_URL, DIZHTIME_REDIS_ADDR,
// DIZHTIME_KAFKA_BROKERS, DIZHTIME_LOG_LEVEL, DIZHTIME_DISPATCH_*; see service.Config).
// /readyz answers on the HTTP address once PostgreSQL, Redis and Kafka are reachable.
//
// Its commands and flags live in package command (shared with the laptop launcher dizhtime).
package main

import "github.com/dizhtime/dizhtime/subgraphs/dispatch/command"

func main() { command.Main() }
