package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// IsSupergraphSDL reports whether data is a pre-composed supergraph schema (the format
// Apollo Router and Hive Gateway load: the join spec's join__Graph enum and
// join__type/join__field directives) rather than supergraph.yaml.
func IsSupergraphSDL(data []byte) bool {
	s := string(data)
	return strings.Contains(s, "enum join__Graph") && strings.Contains(s, "@join__graph(")
}

// ParseSupergraphSDL recovers the subgraphs a pre-composed supergraph was made of:
// each join__Graph value gives a subgraph's name and routing URL, and the join__
// directives say which types, fields, implementations, union members and enum values
// each subgraph declared, with its keys, @external, @requires, @provides, @override and
// @interfaceObject. The router then composes those subgraph SDLs like any others (so
// it plans with its own composer, and the supergraph file is only the input).
//
// What the join spec does not record is inferred: a field that several subgraphs
// resolve is @shareable in each; a subgraph that declares Subscription fields is
// subscribed to over graphql-transport-ws at its routing URL.
func ParseSupergraphSDL(data []byte) (*Supergraph, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "supergraph", Input: string(data)})
	if err != nil {
		return nil, fmt.Errorf("parse supergraph SDL: %w", err)
	}
	defs := append(append(ast.DefinitionList{}, doc.Definitions...), doc.Extensions...)
	var graphEnum *ast.Definition
	for _, d := range defs {
		if d.Name == "join__Graph" && d.Kind == ast.Enum {
			graphEnum = d
		}
	}
	if graphEnum == nil {
		return nil, errors.New("supergraph SDL: no join__Graph enum (is this a supergraph from Apollo, Hive or Cosmo composition?)")
	}
	x := &extraction{graphs: map[string]*extracted{}}
	for _, v := range graphEnum.EnumValues {
		d := v.Directives.ForName("join__graph")
		if d == nil {
			return nil, fmt.Errorf("supergraph SDL: join__Graph.%s has no @join__graph", v.Name)
		}
		g := &extracted{enum: v.Name, name: argString(d, "name"), url: argString(d, "url")}
		if g.name == "" {
			g.name = strings.ToLower(v.Name)
		}
		x.graphs[v.Name] = g
		x.order = append(x.order, v.Name)
	}
	for _, d := range defs {
		if strings.HasPrefix(d.Name, "join__") || strings.HasPrefix(d.Name, "link__") {
			continue
		}
		x.definition(d)
	}
	x.markShareable()

	sg := &Supergraph{}
	for _, enum := range x.order {
		g := x.graphs[enum]
		sub := Subgraph{Name: g.name, RoutingURL: g.url, Schema: &SchemaSource{SDL: g.sdl()}}
		if g.subscribes {
			sub.Subscription = &SubgraphStreaming{URL: "ws" + strings.TrimPrefix(g.url, "http"), Protocol: ProtocolGraphQLTransportWS}
		}
		sg.Subgraphs = append(sg.Subgraphs, sub)
	}
	if err := sg.Validate(); err != nil {
		return nil, fmt.Errorf("supergraph SDL: %w", err)
	}
	return sg, nil
}

type extraction struct {
	graphs map[string]*extracted
	order  []string
}

// extracted is one subgraph as the supergraph describes it.
type extracted struct {
	enum, name, url string
	defs            ast.DefinitionList
	subscribes      bool
	usesAuth        bool
}

func (g *extracted) sdl() string {
	imports := []string{"@key", "@requires", "@provides", "@external", "@shareable", "@inaccessible", "@override", "@tag", "@interfaceObject"}
	version := "v2.3"
	if g.usesAuth {
		imports = append(imports, "@authenticated", "@requiresScopes")
		version = "v2.5"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "extend schema @link(url: \"https://specs.apollo.dev/federation/%s\", import: [\"%s\"])\n\n", version, strings.Join(imports, `", "`))
	formatter.NewFormatter(&b).FormatSchemaDocument(&ast.SchemaDocument{Definitions: g.defs})
	return b.String()
}

func argString(d *ast.Directive, name string) string {
	if a := d.Arguments.ForName(name); a != nil && a.Value != nil {
		return a.Value.Raw
	}
	return ""
}

func argBool(d *ast.Directive, name string) bool { return argString(d, name) == "true" }

// ownDirectives keeps a definition's directives other than the join spec's.
func ownDirectives(list ast.DirectiveList) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range list {
		if strings.HasPrefix(d.Name, "join__") || d.Name == "link" {
			continue
		}
		out = append(out, d)
	}
	return out
}

func directive(name string, args ...string) *ast.Directive {
	d := &ast.Directive{Name: name}
	for i := 0; i+1 < len(args); i += 2 {
		kind := ast.StringValue
		if args[i+1] == "true" || args[i+1] == "false" {
			kind = ast.BooleanValue
		}
		d.Arguments = append(d.Arguments, &ast.Argument{Name: args[i], Value: &ast.Value{Raw: args[i+1], Kind: kind}})
	}
	return d
}

// graphsOf lists the graphs a directive names, in order (all graphs when none does).
func (x *extraction) graphsOf(list ast.DirectiveList, name string) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range list.ForNames(name) {
		if g := argString(d, "graph"); g != "" && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		return x.order
	}
	return out
}

func (x *extraction) definition(d *ast.Definition) {
	for _, enum := range x.graphsOf(d.Directives, "join__type") {
		g := x.graphs[enum]
		if g == nil {
			continue
		}
		c := &ast.Definition{Kind: d.Kind, Description: d.Description, Name: d.Name, Directives: ownDirectives(d.Directives)}
		var keys []string
		for _, jt := range d.Directives.ForNames("join__type") {
			if argString(jt, "graph") != enum {
				continue
			}
			if key := argString(jt, "key"); key != "" {
				keys = append(keys, key)
				if argString(jt, "resolvable") == "false" {
					c.Directives = append(c.Directives, directive("key", "fields", key, "resolvable", "false"))
				} else {
					c.Directives = append(c.Directives, directive("key", "fields", key))
				}
			}
			if argBool(jt, "isInterfaceObject") {
				c.Kind = ast.Object
				c.Directives = append(c.Directives, directive("interfaceObject"))
			}
		}
		for _, dd := range c.Directives {
			if dd.Name == "authenticated" || dd.Name == "requiresScopes" {
				g.usesAuth = true
			}
		}
		switch d.Kind {
		case ast.Object, ast.Interface, ast.InputObject:
			if c.Kind == ast.Object || c.Kind == ast.Interface {
				if d.Directives.ForName("join__implements") != nil {
					for _, ji := range d.Directives.ForNames("join__implements") {
						if argString(ji, "graph") == enum {
							c.Interfaces = append(c.Interfaces, argString(ji, "interface"))
						}
					}
				} else if !argBoolAny(d.Directives, "join__type", enum, "isInterfaceObject") {
					c.Interfaces = append(c.Interfaces, d.Interfaces...)
				}
			}
			for _, f := range d.Fields {
				if cf := x.field(f, enum, keys); cf != nil {
					c.Fields = append(c.Fields, cf)
					for _, dd := range cf.Directives {
						if dd.Name == "authenticated" || dd.Name == "requiresScopes" {
							g.usesAuth = true
						}
					}
				}
			}
			if len(c.Fields) == 0 {
				continue
			}
			if d.Name == "Subscription" {
				g.subscribes = true
			}
		case ast.Union:
			if d.Directives.ForName("join__unionMember") != nil {
				for _, m := range d.Directives.ForNames("join__unionMember") {
					if argString(m, "graph") == enum {
						c.Types = append(c.Types, argString(m, "member"))
					}
				}
			} else {
				c.Types = append(c.Types, d.Types...)
			}
			if len(c.Types) == 0 {
				continue
			}
		case ast.Enum:
			for _, v := range d.EnumValues {
				if v.Directives.ForName("join__enumValue") != nil && !namesGraph(v.Directives, "join__enumValue", enum) {
					continue
				}
				c.EnumValues = append(c.EnumValues, &ast.EnumValueDefinition{Description: v.Description, Name: v.Name, Directives: ownDirectives(v.Directives)})
			}
		}
		g.defs = append(g.defs, c)
	}
}

func namesGraph(list ast.DirectiveList, name, enum string) bool {
	for _, d := range list.ForNames(name) {
		if argString(d, "graph") == enum {
			return true
		}
	}
	return false
}

func argBoolAny(list ast.DirectiveList, name, enum, arg string) bool {
	for _, d := range list.ForNames(name) {
		if argString(d, "graph") == enum && argBool(d, arg) {
			return true
		}
	}
	return false
}

// field is f as the graph declares it, or nil when the graph does not.
func (x *extraction) field(f *ast.FieldDefinition, enum string, keys []string) *ast.FieldDefinition {
	c := &ast.FieldDefinition{Description: f.Description, Name: f.Name, Type: f.Type, DefaultValue: f.DefaultValue, Directives: ownDirectives(f.Directives)}
	for _, a := range f.Arguments {
		c.Arguments = append(c.Arguments, &ast.ArgumentDefinition{Description: a.Description, Name: a.Name, Type: a.Type, DefaultValue: a.DefaultValue, Directives: ownDirectives(a.Directives)})
	}
	jfs := f.Directives.ForNames("join__field")
	if len(jfs) == 0 {
		return c
	}
	var jf *ast.Directive
	for _, d := range jfs {
		if argString(d, "graph") == enum {
			jf = d
		}
	}
	if jf == nil {
		return nil
	}
	if argBool(jf, "usedOverridden") && !argBool(jf, "external") && !inKeys(f.Name, keys) {
		return nil
	}
	if t := argString(jf, "type"); t != "" {
		if parsed := parseType(t); parsed != nil {
			c.Type = parsed
		}
	}
	if argBool(jf, "external") {
		c.Directives = append(c.Directives, directive("external"))
	}
	if r := argString(jf, "requires"); r != "" {
		c.Directives = append(c.Directives, directive("requires", "fields", r))
	}
	if p := argString(jf, "provides"); p != "" {
		c.Directives = append(c.Directives, directive("provides", "fields", p))
	}
	if o := argString(jf, "override"); o != "" {
		c.Directives = append(c.Directives, directive("override", "from", o))
	}
	return c
}

func inKeys(field string, keys []string) bool {
	for _, k := range keys {
		for _, name := range strings.Fields(strings.NewReplacer("{", " ", "}", " ").Replace(k)) {
			if name == field {
				return true
			}
		}
	}
	return false
}

func parseType(s string) *ast.Type {
	doc, err := parser.ParseSchema(&ast.Source{Input: "type T { f: " + s + " }"})
	if err != nil || len(doc.Definitions) == 0 || len(doc.Definitions[0].Fields) == 0 {
		return nil
	}
	return doc.Definitions[0].Fields[0].Type
}

// markShareable adds @shareable to every object field that more than one subgraph
// resolves (the join spec keeps no trace of it; composition requires it).
func (x *extraction) markShareable() {
	type site struct{ f *ast.FieldDefinition }
	resolvedBy := map[string][]site{}
	for _, enum := range x.order {
		for _, d := range x.graphs[enum].defs {
			if d.Kind != ast.Object {
				continue
			}
			for _, f := range d.Fields {
				if f.Directives.ForName("external") != nil || f.Directives.ForName("override") != nil {
					continue
				}
				resolvedBy[d.Name+"."+f.Name] = append(resolvedBy[d.Name+"."+f.Name], site{f})
			}
		}
	}
	keys := make([]string, 0, len(resolvedBy))
	for k := range resolvedBy {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if sites := resolvedBy[k]; len(sites) > 1 {
			for _, s := range sites {
				if s.f.Directives.ForName("shareable") == nil {
					s.f.Directives = append(s.f.Directives, directive("shareable"))
				}
			}
		}
	}
}
