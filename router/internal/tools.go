//go:build tools

// Package internal pins build-time tools in go.mod.
package internal

import _ "github.com/99designs/gqlgen"
