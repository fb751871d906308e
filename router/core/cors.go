package core

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// withCORS answers browser preflights and marks responses readable by the allowed
// origins. An origin not on the list gets no Access-Control-* headers (the browser then
// withholds the response); the request itself is still served, as CORS is the
// browser's rule, not an authentication mechanism.
func withCORS(cfg config.CORS, next http.Handler) http.Handler {
	if len(cfg.AllowedOrigins) == 0 {
		return next
	}
	any := slices.Contains(cfg.AllowedOrigins, "*")
	allowHeaders := strings.Join(cfg.AllowedHeaders, ", ")
	maxAge := strconv.Itoa(int(cfg.MaxAge.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		allowed := any || slices.Contains(cfg.AllowedOrigins, origin)
		if allowed {
			if any && !cfg.AllowCredentials {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			if cfg.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
			h.Set("Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if allowed {
				h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				h.Set("Access-Control-Allow-Headers", allowHeaders)
				h.Set("Access-Control-Max-Age", maxAge)
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
