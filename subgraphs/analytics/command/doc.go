// Package command is the analytics process's command line (serve and its operator commands),
// one entry point for cmd/analytics (one process per subgraph in production images) and for
// the laptop launcher `dizhtime analytics` (platform/cmd/dizhtime), which hosts every process of
// `make run` in one binary.
package command
