// Package explorer serves GraphiQL from files embedded in the router binary: no CDN.
package explorer

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	texttemplate "text/template"
)

//go:embed index.html assets
var files embed.FS

var page = template.Must(template.ParseFS(files, "index.html"))

// pointer is what / answers a client that does not ask for HTML.
var pointer = texttemplate.Must(texttemplate.New("pointer").Parse(`DizhTime GraphQL router

GraphQL endpoint:  {{.Base}}{{.GraphQLPath}}
  queries and mutations: POST JSON {"query": "..."} (or GET ?query=...)
  subscriptions: WebSocket (graphql-transport-ws or graphql-ws), or POST with
  Accept: text/event-stream or Accept: multipart/mixed;subscriptionSpec=1.0
  sign in: Authorization: Bearer <token> (from the login mutation)
Explorer (GraphiQL): open {{.Base}}/ in a browser

Try:  curl -s {{.Base}}{{.GraphQLPath}} -H 'Content-Type: application/json' -d '{"query":"{ __typename }"}'
`))

// AssetPrefix is where the bundled assets are served.
const AssetPrefix = "/explorer/"

// Handler serves the GraphiQL page at / (to clients accepting text/html; others get a
// short text naming the endpoint and the explorer), its assets under AssetPrefix and
// /favicon.ico; anything else is 404.
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
		case r.URL.Path == "/favicon.ico":
			// Browsers ask for it whatever the page links; the SVG answers both.
			w.Header().Set("Cache-Control", "public, max-age=86400")
			w.Header().Set("Content-Type", "image/svg+xml")
			http.ServeFileFS(w, r, files, "assets/favicon.svg")
		case r.URL.Path == "/" && strings.Contains(r.Header.Get("Accept"), "text/html"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = page.Execute(w, map[string]string{"GraphQLPath": graphqlPath, "Assets": AssetPrefix})
		case r.URL.Path == "/":
			// curl, a health probe, a script: say where things are instead of a 404.
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_ = pointer.Execute(w, map[string]string{"Base": "http://" + r.Host, "GraphQLPath": graphqlPath})
		default:
			http.NotFound(w, r)
		}
	})
}
