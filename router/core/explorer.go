package core

import (
	"net/http"

	"github.com/dizhtime/dizhtime/router/core/explorer"
)

// explorerHandler serves GraphiQL at / to browsers (Accept: text/html) and its
// bundled assets under /explorer/.
func explorerHandler(graphqlPath string) http.Handler {
	return explorer.Handler(graphqlPath)
}
