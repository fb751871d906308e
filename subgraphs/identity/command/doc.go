// Package command is the identity process's command line (serve and its operator commands),
// one entry point for cmd/identity (one process per subgraph in production images) and for
// the laptop launcher `dizhtime identity` (platform/cmd/dizhtime), which hosts every process of
// `make run` in one binary.
package command
