// Package testsubgraphs holds small gqlgen federation subgraphs (accounts, products,
// reviews, inventory) that the router's end-to-end tests start on loopback ports.
//
// The generated code is checked in. Regenerate it from the router module with:
//
//	go generate ./internal/testsubgraphs/...
package testsubgraphs

//go:generate sh -c "cd accounts && go run github.com/99designs/gqlgen generate"
//go:generate sh -c "cd products && go run github.com/99designs/gqlgen generate"
//go:generate sh -c "cd reviews && go run github.com/99designs/gqlgen generate"
//go:generate sh -c "cd inventory && go run github.com/99designs/gqlgen generate"
