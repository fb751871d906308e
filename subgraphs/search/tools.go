//go:build tools

package search

import _ "github.com/99designs/gqlgen"
