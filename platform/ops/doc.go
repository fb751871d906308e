// Package ops serves the endpoints every process exposes to its operators: /metrics for
// Prometheus, /healthz for liveness, /readyz running the process's named readiness
// checks; and the HTTP RED metrics (rate, errors, duration per route) behind them.
package ops
