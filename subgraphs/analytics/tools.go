//go:build tools

package analytics

import _ "github.com/99designs/gqlgen"
