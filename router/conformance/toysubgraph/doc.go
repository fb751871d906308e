// Package toysubgraph serves a small federated subgraph from an SDL and in-memory data,
// for the router's Federation v2 conformance tests: each test declares the subgraphs of
// its case in a few lines instead of generating a gqlgen server per case.
//
// Queries are parsed and validated against the subgraph's own schema (gqlparser), as a
// real subgraph would: a query the router plans badly (conflicting fields, an unknown
// field, an empty selection set) is refused here the way Apollo Server or gqlgen would
// refuse it. Every request body is recorded so a test can assert what the router sent.
package toysubgraph
