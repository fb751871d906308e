// Command identity runs the identity subgraph.
//
//	identity [-config identity.yaml]
//	identity rotate-key [-config identity.yaml]   # make a new signing key the signer
//	identity grant-role [-config identity.yaml] EMAIL ROLE   # operator: e.g. the first ADMIN
//	identity demo-owners [-config identity.yaml]   # laptop run: the demo city's restaurant owners
//
// Its commands and flags live in package command (shared with the laptop launcher dizhtime).
package main

import "github.com/dizhtime/dizhtime/subgraphs/identity/command"

func main() { command.Main() }
