//go:build tools

package notifications

import _ "github.com/99designs/gqlgen"
