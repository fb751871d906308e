//go:build tools

package restaurants

import _ "github.com/99designs/gqlgen"
