package dispatch

//go:generate go run github.com/99designs/gqlgen generate
//go:generate cp graph/schema.graphqls ../../schema/dispatch.graphqls
