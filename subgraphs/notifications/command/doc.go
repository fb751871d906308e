// Package command is the notifications process's command line (serve and its operator commands),
// one entry point for cmd/notifications (one process per subgraph in production images) and for
// the laptop launcher `dizhtime notifications` (platform/cmd/dizhtime), which hosts every process of
// `make run` in one binary.
package command
