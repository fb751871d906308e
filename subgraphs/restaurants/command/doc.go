// Package command is the restaurants process's command line (serve and its operator commands),
// one entry point for cmd/restaurants (one process per subgraph in production images) and for
// the laptop launcher `dizhtime restaurants` (platform/cmd/dizhtime), which hosts every process of
// `make run` in one binary.
package command
