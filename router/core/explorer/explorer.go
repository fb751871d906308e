// Package explorer serves GraphiQL from files embedded in the router binary: no CDN.
package explorer

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed index.html assets
var files embed.FS

var page = template.Must(template.ParseFS(files, "index.html"))

// AssetPrefix is where the bundled assets are served.
const AssetPrefix = "/explorer/"

// Handler serves the GraphiQL page at / (to clients accepting text/html) and its
// assets under AssetPrefix; anything else is 404.
func Handler(graphqlPath string) http.Handler {
	assets, _ := fs.Sub(files, "assets")
	static := http.StripPrefix(AssetPrefix, http.FileServerFS(assets))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		case strings.HasPrefix(r.URL.Path, AssetPrefix):
			w.Header().Set("Cache-Control", "public, max-age=86400")
			static.ServeHTTP(w, r)
		case r.URL.Path == "/" && strings.Contains(r.Header.Get("Accept"), "text/html"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = page.Execute(w, map[string]string{"GraphQLPath": graphqlPath, "Assets": AssetPrefix})
		default:
			http.NotFound(w, r)
		}
	})
}
