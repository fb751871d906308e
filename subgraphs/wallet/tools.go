//go:build tools

package wallet

import _ "github.com/99designs/gqlgen"
