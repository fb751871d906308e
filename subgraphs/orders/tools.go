//go:build tools

package orders

import _ "github.com/99designs/gqlgen"
