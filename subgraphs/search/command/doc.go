// Package command is the search process's command line (serve and its operator commands),
// one entry point for cmd/search (one process per subgraph in production images) and for
// the laptop launcher `dizhtime search` (platform/cmd/dizhtime), which hosts every process of
// `make run` in one binary.
package command
