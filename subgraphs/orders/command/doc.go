// Package command is the orders process's command line (serve and its operator commands),
// one entry point for cmd/orders (one process per subgraph in production images) and for
// the laptop launcher `dizhtime orders` (platform/cmd/dizhtime), which hosts every process of
// `make run` in one binary.
package command
