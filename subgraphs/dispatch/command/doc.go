// Package command is the dispatch process's command line (serve and its operator commands),
// one entry point for cmd/dispatch (one process per subgraph in production images) and for
// the laptop launcher `dizhtime dispatch` (platform/cmd/dizhtime), which hosts every process of
// `make run` in one binary.
package command
