package ops

import (
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Mount adds /metrics (serving gatherer), /healthz and /readyz (serving ready) to mux.
// /metrics answers in the OpenMetrics format when the scraper asks for it (Prometheus
// does): only that format carries the histograms' trace exemplars.
func Mount(mux *http.ServeMux, gatherer prometheus.Gatherer, ready *Readiness) {
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	mux.HandleFunc("GET /healthz", Healthz)
	mux.Handle("GET /readyz", ready)
}

// Healthz answers liveness probes: a process that can answer is alive. It checks no
// dependency, so a database outage never makes Kubernetes restart every replica.
func Healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok\n")
}
