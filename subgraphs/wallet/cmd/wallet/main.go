// Command wallet runs the wallet subgraph (serve) and checks its audit log
// (verify-audit).
//
//	wallet serve [-config wallet.yaml]
//	wallet verify-audit [-config wallet.yaml] [-heads audit-heads-....json ...]
//
// verify-audit re-hashes every audit chain with the configured key (WALLET_AUDIT_KEY),
// re-derives every balance from the postings, and checks that history still passes
// through each exported heads file given with -heads (serve writes them to
// WALLET_AUDIT_HEADS_DIR on a schedule).
//
// Its commands and flags live in package command (shared with the laptop launcher dizhtime).
package main

import "github.com/dizhtime/dizhtime/subgraphs/wallet/command"

func main() { command.Main() }
