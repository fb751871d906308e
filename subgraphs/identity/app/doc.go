// Package app holds identity's use cases: account commands (register, login, refresh,
// logout, change password, role administration), the relation-tuple commands and check
// query, and the signing keys behind access tokens and the JWKS. Errors leaving this
// package are platform/graphqlerr errors, ready for the GraphQL port.
package app
