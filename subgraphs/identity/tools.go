//go:build tools

package identity

import _ "github.com/99designs/gqlgen"
