// Package command is the wallet process's command line (serve and its operator commands),
// one entry point for cmd/wallet (one process per subgraph in production images) and for
// the laptop launcher `dizhtime wallet` (platform/cmd/dizhtime), which hosts every process of
// `make run` in one binary.
package command
