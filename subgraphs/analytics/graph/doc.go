// Package graph is analytics' GraphQL port: the schema and thin resolvers over app.
package graph
