// Package logging builds the JSON slog loggers every process writes: each record names
// its service and, when its context carries an OpenTelemetry span, the trace and span ids
// that join the log line to the trace in Tempo.
package logging
