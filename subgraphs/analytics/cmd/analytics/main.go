// Command analytics runs the analytics subgraph: GraphQL at /query (dashboard queries and
// the liveMetrics subscription) and the ingestion of every domain topic into the OLAP store.
//
//	analytics [serve] [-config analytics.yaml]   # `dizhtime dev` runs `analytics serve`
//
// Its commands and flags live in package command (shared with the laptop launcher dizhtime).
package main

import "github.com/dizhtime/dizhtime/subgraphs/analytics/command"

func main() { command.Main() }
