package core

import (
	"net/http"
	"net/http/pprof"
)

// mountPprof serves the Go runtime profiles under /debug/pprof/ (config key pprof,
// off by default). Mounted by hand: importing net/http/pprof for its side effect
// would put the profiles on http.DefaultServeMux for anything that serves it.
func mountPprof(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}
