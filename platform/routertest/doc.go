// Package routertest runs the real DizhTime router in front of subgraphs, for
// end-to-end tests, and talks to it as a client would.
//
//	r := routertest.Start(t, []routertest.Subgraph{{Name: "identity", URL: srv.URL + "/query", SDLFile: sdl}})
//	resp := r.Do(t, `mutation($e:String!,$p:String!){ login(email:$e,password:$p){ accessToken } }`, vars, nil)
//
// Start builds router/cmd/router once per test process (go build at the repository
// root, found by walking up to go.work), writes a supergraph.yaml and router.yaml into
// the test's temp dir, starts `router serve` on a free port, waits for its
// "router listening on http://ADDR/graphql" line and kills it when the test ends.
// Subscribe speaks graphql-transport-ws (github.com/coder/websocket).
package routertest
