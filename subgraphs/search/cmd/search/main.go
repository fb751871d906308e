// Command search runs the search subgraph: GraphQL at /query and the projection of the
// restaurant topics into the index.
//
//	search [serve] [-config search.yaml]   # serve (the default; `dizhtime dev` runs `search serve`)
//	search rebuild [-config search.yaml]   # replay the topics into a fresh index, swap the alias
//
// With the Elasticsearch backend the rebuild runs beside the serving instances (they
// read and write through the alias). A Bleve index belongs to one process: rebuild it
// with that process stopped.
//
// Its commands and flags live in package command (shared with the laptop launcher dizhtime).
package main

import "github.com/dizhtime/dizhtime/subgraphs/search/command"

func main() { command.Main() }
