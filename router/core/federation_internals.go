package core

import (
	"fmt"
	"regexp"
	"strings"

	nodev1 "github.com/wundergraph/cosmo/router/gen/proto/wg/cosmo/node/v1"
	"google.golang.org/protobuf/proto"
)

// federationDirectives are composition's own directives: the router enforces what they
// say from the router config (field gates, the client schema without inaccessible
// parts), so clients have no use for their definitions.
var federationDirectives = []string{"authenticated", "inaccessible", "requiresScopes", "tag", "composeDirective", "link"}

// isFederationInternalType names composition's own types (openfed__Scope, link__Import, ...).
func isFederationInternalType(name string) bool {
	return strings.HasPrefix(name, "openfed__") || strings.HasPrefix(name, "link__") || strings.HasPrefix(name, "join__")
}

// withoutFederationInternals returns a copy of rc whose schemas (the one the engine serves
// introspection from, and the client schema) hold only the API: no federation directive
// definitions or uses, no openfed__ types. Planning does not read them: the gates come
// from the field configurations, inaccessible parts from the composed supergraph.
func withoutFederationInternals(rc *nodev1.RouterConfig) (*nodev1.RouterConfig, error) {
	out := proto.Clone(rc).(*nodev1.RouterConfig)
	ec := out.GetEngineConfig()
	sdl, err := stripFederationInternals(ec.GetGraphqlSchema())
	if err != nil {
		return nil, fmt.Errorf("strip federation internals from the schema: %w", err)
	}
	ec.GraphqlSchema = sdl
	if client := ec.GetGraphqlClientSchema(); client != "" {
		stripped, err := stripFederationInternals(client)
		if err != nil {
			return nil, fmt.Errorf("strip federation internals from the client schema: %w", err)
		}
		ec.GraphqlClientSchema = &stripped
	}
	return out, nil
}

// stripFederationInternals removes the federation directive definitions and openfed__
// (link__, join__) type definitions from sdl, line by line: composition prints each on one
// line, and every other byte (descriptions included) stays as it wrote them. When a use
// of one remains in the schema (a subgraph applied it where composition kept it), sdl is
// returned unchanged: removing the definition would leave an invalid schema.
func stripFederationInternals(sdl string) (string, error) {
	out := federationDefinition.ReplaceAllString(sdl, "")
	if out == sdl {
		return sdl, nil
	}
	if federationUse.MatchString(out) {
		return sdl, nil
	}
	return out, nil
}

var (
	federationDefinition = regexp.MustCompile(`(?m)^(?:directive @(?:` + strings.Join(federationDirectives, "|") + `)\b|scalar (?:openfed__|link__|join__)\w*)[^\n]*\n\n?`)
	federationUse        = regexp.MustCompile(`@(?:` + strings.Join(federationDirectives, "|") + `)\b|\b(?:openfed__|link__|join__)\w`)
)
