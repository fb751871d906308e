package compose

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// normaliseSDL rewrites what Apollo's composition accepts and the pinned composer
// (cosmo composition-go in execution v1.6.0) refuses, into an equivalent subgraph SDL:
//
//   - Federation 1 subgraphs (no federation v2 @link) declare entities with
//     `extend type T @key(fields: "id") { id: ID! @external ... }`, possibly in every
//     subgraph, with no base definition anywhere. Federation 1 never treated key fields
//     of an extension as external; here the extension becomes a definition and its key
//     fields lose @external, which is what Apollo's Federation 1 upgrade does.
//   - `@provides` on a field whose type is a union (selections of inline fragments) is
//     refused by the composer. It is dropped: the provided fields are then fetched from
//     the subgraphs that own them, the same data with one more fetch.
//
// An SDL that needs none of this is returned unchanged (byte for byte).
func normaliseSDL(sdl string) string {
	doc, err := parser.ParseSchema(&ast.Source{Name: "subgraph", Input: sdl})
	if err != nil {
		return sdl // the composer reports the syntax error
	}
	changed := false
	unions := map[string]bool{}
	for _, def := range append(append(ast.DefinitionList{}, doc.Definitions...), doc.Extensions...) {
		if def.Kind == ast.Union {
			unions[def.Name] = true
		}
	}
	for _, def := range append(append(ast.DefinitionList{}, doc.Definitions...), doc.Extensions...) {
		for _, f := range def.Fields {
			if unions[f.Type.Name()] && f.Directives.ForName("provides") != nil {
				f.Directives = withoutDirective(f.Directives, "provides")
				changed = true
			}
		}
	}
	if !isFederation2(sdl) {
		var kept ast.DefinitionList
		defined := map[string]bool{}
		for _, def := range doc.Definitions {
			defined[def.Name] = true
		}
		for _, ext := range doc.Extensions {
			keys := ext.Directives.ForNames("key")
			if ext.Kind != ast.Object || len(keys) == 0 || defined[ext.Name] {
				kept = append(kept, ext)
				continue
			}
			keyFields := map[string]bool{}
			for _, k := range keys {
				if a := k.Arguments.ForName("fields"); a != nil && a.Value != nil {
					for _, name := range topLevelFields(a.Value.Raw) {
						keyFields[name] = true
					}
				}
			}
			for _, f := range ext.Fields {
				if keyFields[f.Name] {
					f.Directives = withoutDirective(f.Directives, "external")
				}
			}
			doc.Definitions = append(doc.Definitions, ext)
			defined[ext.Name] = true
			changed = true
		}
		doc.Extensions = kept
	}
	if !changed {
		return sdl
	}
	var b strings.Builder
	formatter.NewFormatter(&b).FormatSchemaDocument(doc)
	return b.String()
}

// isFederation2 reports whether the SDL links the federation v2 spec.
func isFederation2(sdl string) bool {
	return strings.Contains(sdl, "specs.apollo.dev/federation/v2")
}

func withoutDirective(list ast.DirectiveList, name string) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range list {
		if d.Name != name {
			out = append(out, d)
		}
	}
	return out
}

// topLevelFields returns the field names at the top level of a field set
// ("id organization { id }" -> id, organization).
func topLevelFields(fieldSet string) []string {
	var out []string
	depth := 0
	for _, tok := range strings.FieldsFunc(strings.NewReplacer("{", " { ", "}", " } ").Replace(fieldSet), func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == ',' }) {
		switch tok {
		case "{":
			depth++
		case "}":
			depth--
		default:
			if depth == 0 {
				out = append(out, tok)
			}
		}
	}
	return out
}
