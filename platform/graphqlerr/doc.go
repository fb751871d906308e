// Package graphqlerr holds the errors DizhTime resolvers return across the GraphQL
// boundary and the gqlgen error presenter that turns them into responses.
//
// Every error a client sees carries extensions.code (UNAUTHENTICATED, FORBIDDEN,
// BAD_USER_INPUT, NOT_FOUND, CONFLICT, INSUFFICIENT_FUNDS, RATE_LIMITED, INTERNAL).
// Errors that are not a *graphqlerr.Error are internal: the presenter logs them with
// the request's trace_id and tells the client only "internal error" plus that trace id,
// so a driver message, an SQL statement or a stack never leaks.
//
//	srv.SetErrorPresenter(graphqlerr.Presenter(logger))
//	srv.SetRecoverFunc(graphqlerr.Recover(logger))
//
//	return nil, graphqlerr.BadUserInput("email", "email is not a valid address")
package graphqlerr
