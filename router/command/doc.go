// Package command is the router process's command line (serve, compose), one entry point
// for cmd/router (its own process and image in production) and for the laptop launcher
// `dizhtime router` (platform/cmd/dizhtime), which hosts every process of `make run` in one
// binary.
package command
