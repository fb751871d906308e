package core

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
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

// stripFederationInternals rewrites sdl without federation directives and types. An SDL
// that has none is returned as it is, byte for byte.
func stripFederationInternals(sdl string) (string, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "supergraph", Input: sdl})
	if err != nil {
		return "", err
	}
	changed := false
	doc.Directives = slices.DeleteFunc(doc.Directives, func(d *ast.DirectiveDefinition) bool {
		drop := slices.Contains(federationDirectives, d.Name)
		changed = changed || drop
		return drop
	})
	dropUses := func(list ast.DirectiveList) ast.DirectiveList {
		return slices.DeleteFunc(list, func(d *ast.Directive) bool {
			drop := slices.Contains(federationDirectives, d.Name)
			changed = changed || drop
			return drop
		})
	}
	clean := func(defs ast.DefinitionList) ast.DefinitionList {
		defs = slices.DeleteFunc(defs, func(d *ast.Definition) bool {
			drop := isFederationInternalType(d.Name)
			changed = changed || drop
			return drop
		})
		for _, d := range defs {
			d.Directives = dropUses(d.Directives)
			for _, f := range d.Fields {
				f.Directives = dropUses(f.Directives)
				for _, a := range f.Arguments {
					a.Directives = dropUses(a.Directives)
				}
			}
			for _, v := range d.EnumValues {
				v.Directives = dropUses(v.Directives)
			}
		}
		return defs
	}
	doc.Definitions = clean(doc.Definitions)
	doc.Extensions = clean(doc.Extensions)
	for _, s := range append(append(ast.SchemaDefinitionList{}, doc.Schema...), doc.SchemaExtension...) {
		s.Directives = dropUses(s.Directives)
	}
	if !changed {
		return sdl, nil
	}
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchemaDocument(doc)
	return b.String(), nil
}
