// Package platform is DizhTime's thin shared module: the cross-cutting code every process
// uses (config, logs, telemetry, ops endpoints, lifecycle) and the clients for the stores
// the subgraphs own, each with its embedded default for the laptop run. Domain code lives
// in the subgraphs, never here.
package platform
