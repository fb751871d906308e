// Package compose turns subgraph SDLs into a federated router configuration, through
// graphql-go-tools' composition, and caches results so an unchanged set of subgraphs
// is not composed twice.
package compose
