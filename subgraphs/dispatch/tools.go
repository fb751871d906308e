//go:build tools

package dispatch

import _ "github.com/99designs/gqlgen"
