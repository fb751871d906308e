// Command router is DizhTime's GraphQL federation router.
//
//	router serve   [-config router.yaml] [-supergraph supergraph.yaml]
//	router compose [-supergraph supergraph.yaml] [-out schema/supergraph.graphql]
//
// Its commands and flags live in package command (shared with the laptop launcher dizhtime).
package main

import "github.com/dizhtime/dizhtime/router/command"

func main() { command.Main() }
