package core

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
	nodev1 "github.com/wundergraph/cosmo/router/gen/proto/wg/cosmo/node/v1"
	"google.golang.org/protobuf/proto"
)

// Conflicting member fields: in a subgraph, two members of one union or interface may
// declare a field of the same name whose types differ in nullability (A.name: String!,
// B.name: String). A subgraph refuses "... on A { name } ... on B { name }" in one
// selection set (fields conflict), although the client's query is valid against the
// supergraph. Apollo Router aliases one of them in what it sends; the pinned engine
// (rc.231) does not, and refuses its own upstream operation. So the router:
//
//  1. shows the engine each such field as nullable at every level in that subgraph's
//     upstream schema (loosenConflictingMemberFields), so it plans and prints the
//     operation (the response shape comes from the supergraph, not from this schema);
//  2. in the HTTP transport, gives every occurrence of such a field under a second type
//     condition of one selection set an alias of its own (aliasConflictingFields), and
//     renames the aliases back in the subgraph's answer (unaliasResponse) before the
//     engine reads it. Only subgraphs with such fields, and only operations that select
//     them under two type conditions, are rewritten; rewrites are cached per operation.

// aliasPrefix marks the aliases the router adds: "dzh__<response name>__<n>".
const aliasPrefix = "dzh__"

// loosenConflictingMemberFields returns rc with those fields made nullable in each data
// source's upstream schema, and per data source id (the subgraph's name) the names of
// the fields loosened. rc itself is unchanged (it may be cached and shared).
func loosenConflictingMemberFields(rc *nodev1.RouterConfig) (*nodev1.RouterConfig, map[string]map[string]bool, error) {
	ec := rc.GetEngineConfig()
	loosened := map[string]string{} // schema key -> loosened SDL
	names := map[string]map[string]bool{}
	for _, ds := range ec.GetDatasourceConfigurations() {
		key := ds.GetCustomGraphql().GetUpstreamSchema().GetKey()
		sdl, ok := ec.GetStringStorage()[key]
		if key == "" || !ok {
			continue
		}
		out, fields, err := loosenMemberFields(sdl)
		if err != nil {
			return nil, nil, fmt.Errorf("upstream schema of %s: %w", ds.GetId(), err)
		}
		if len(fields) == 0 {
			continue
		}
		loosened[key] = out
		names[ds.GetId()] = fields
	}
	if len(loosened) == 0 {
		return rc, nil, nil
	}
	out := proto.Clone(rc).(*nodev1.RouterConfig)
	oec := out.GetEngineConfig()
	for _, ds := range oec.GetDatasourceConfigurations() {
		key := ds.GetCustomGraphql().GetUpstreamSchema().GetKey()
		if sdl, ok := loosened[key]; ok {
			oec.StringStorage[key+"#member-fields-nullable"] = sdl
			ds.CustomGraphql.UpstreamSchema.Key = key + "#member-fields-nullable"
		}
	}
	return out, names, nil
}

// loosenMemberFields finds, per union, per interface (with its implementations) and among
// the entities (the _Entity union), the
// field names whose types differ only in nullability between members, makes each of
// them nullable at every level, and returns the SDL and the names ("" and none when
// there are none).
func loosenMemberFields(sdl string) (string, map[string]bool, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "upstream", Input: sdl})
	if err != nil {
		return "", nil, err
	}
	defs := append(append(ast.DefinitionList{}, doc.Definitions...), doc.Extensions...)
	fieldsOf := map[string][]*ast.FieldDefinition{}
	implementers := map[string][]string{}
	for _, d := range defs {
		fieldsOf[d.Name] = append(fieldsOf[d.Name], d.Fields...)
		if d.Kind == ast.Object || d.Kind == ast.Interface {
			for _, i := range d.Interfaces {
				implementers[i] = append(implementers[i], d.Name)
			}
		}
	}
	// Entities (types with @key) are members of the subgraph's _Entity union: one
	// _entities call may select them side by side.
	var entities []string
	for _, d := range defs {
		if d.Kind == ast.Object && d.Directives.ForName("key") != nil {
			entities = append(entities, d.Name)
		}
	}
	groups := [][]string{entities}
	for _, d := range defs {
		switch d.Kind {
		case ast.Union:
			groups = append(groups, d.Types)
		case ast.Interface:
			groups = append(groups, append([]string{d.Name}, implementers[d.Name]...))
		}
	}
	names := map[string]bool{}
	for _, members := range groups {
		byName := map[string][]*ast.FieldDefinition{}
		seen := map[string]bool{}
		for _, m := range members {
			if seen[m] {
				continue
			}
			seen[m] = true
			for _, f := range fieldsOf[m] {
				byName[f.Name] = append(byName[f.Name], f)
			}
		}
		for name, fs := range byName {
			if len(fs) < 2 || strings.HasPrefix(name, "__") {
				continue
			}
			shape, differ := nullableShape(fs[0].Type), false
			for _, f := range fs[1:] {
				if nullableShape(f.Type) != shape {
					differ = false
					break
				}
				if f.Type.String() != fs[0].Type.String() {
					differ = true
				}
			}
			if !differ {
				continue
			}
			for _, f := range fs {
				f.Type = nullable(f.Type)
			}
			names[name] = true
		}
	}
	if len(names) == 0 {
		return "", nil, nil
	}
	var b strings.Builder
	formatter.NewFormatter(&b).FormatSchemaDocument(doc)
	return b.String(), names, nil
}

// nullableShape is t printed without its non-null markers.
func nullableShape(t *ast.Type) string { return nullable(t).String() }

func nullable(t *ast.Type) *ast.Type {
	if t == nil {
		return nil
	}
	return &ast.Type{NamedType: t.NamedType, Elem: nullable(t.Elem), Position: t.Position}
}

// upstreamAliaser rewrites the operations of one subgraph that select its conflicting
// member fields under two type conditions of one selection set.
type upstreamAliaser struct {
	fields map[string]bool
	cache  *lru.Cache[string, aliasedQuery]
}

type aliasedQuery struct {
	query   string
	aliased bool
}

func newUpstreamAliaser(fields map[string]bool) *upstreamAliaser {
	cache, _ := lru.New[string, aliasedQuery](1024)
	return &upstreamAliaser{fields: fields, cache: cache}
}

// rewriteRequest aliases req's operation where needed; it reports whether it did (the
// answer then needs unaliasResponse).
func (a *upstreamAliaser) rewriteRequest(req *http.Request) (bool, error) {
	if a == nil || req.Body == nil || req.Method != http.MethodPost {
		return false, nil
	}
	raw, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return false, err
	}
	restore := func() {
		req.Body = io.NopCloser(bytes.NewReader(raw))
		req.ContentLength = int64(len(raw))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	}
	var body map[string]json.RawMessage
	var query string
	if json.Unmarshal(raw, &body) != nil || json.Unmarshal(body["query"], &query) != nil || !strings.Contains(query, "... on") {
		restore()
		return false, nil
	}
	aq, ok := a.cache.Get(query)
	if !ok {
		aq = aliasedQuery{query: query}
		if rewritten, changed := aliasConflictingFields(query, a.fields); changed {
			aq = aliasedQuery{query: rewritten, aliased: true}
		}
		a.cache.Add(query, aq)
	}
	if !aq.aliased {
		restore()
		return false, nil
	}
	body["query"], _ = json.Marshal(aq.query)
	raw, err = json.Marshal(body)
	if err != nil {
		return false, err
	}
	restore()
	return true, nil
}

// aliasConflictingFields gives each occurrence of a field in fields that is selected
// under a second (third, …) type condition of one selection set, with the same response
// name, an alias of its own. It returns the operation unchanged when there is none.
func aliasConflictingFields(query string, fields map[string]bool) (string, bool) {
	doc, err := parser.ParseQuery(&ast.Source{Name: "upstream", Input: query})
	if err != nil {
		return query, false
	}
	fragments := map[string]*ast.FragmentDefinition{}
	for _, f := range doc.Fragments {
		fragments[f.Name] = f
	}
	n, changed := 0, false
	aliased := map[*ast.Field]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		// response name -> type condition -> occurrences
		type occurrence struct {
			condition string
			field     *ast.Field
		}
		byName := map[string][]occurrence{}
		var order []string
		conditioned := func(condition string, inner ast.SelectionSet) {
			for _, sel := range inner {
				f, ok := sel.(*ast.Field)
				if !ok || !fields[f.Name] {
					continue
				}
				name := f.Alias
				if name == "" {
					name = f.Name
				}
				if _, ok := byName[name]; !ok {
					order = append(order, name)
				}
				byName[name] = append(byName[name], occurrence{condition, f})
			}
		}
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				if s.TypeCondition != "" {
					conditioned(s.TypeCondition, s.SelectionSet)
				}
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if def := fragments[s.Name]; def != nil {
					conditioned(def.TypeCondition, def.SelectionSet)
				}
			}
		}
		for _, name := range order {
			occ := byName[name]
			first := occ[0].condition
			for _, o := range occ[1:] {
				if o.condition == first || aliased[o.field] {
					continue
				}
				n++
				o.field.Alias = aliasPrefix + name + "__" + strconv.Itoa(n)
				aliased[o.field] = true
				changed = true
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet)
	}
	if !changed {
		return query, false
	}
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("")).FormatQueryDocument(doc)
	return b.String(), true
}

// unaliasResponse renames the router's aliases back in a subgraph's answer (data, and
// error paths), so the engine reads the fields it asked for.
func unaliasResponse(resp *http.Response) error {
	var r io.Reader = resp.Body
	switch strings.ToLower(resp.Header.Get("Content-Encoding")) {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return err
		}
		r = zr
	case "deflate":
		r = flate.NewReader(resp.Body)
	default:
		return fmt.Errorf("subgraph answer encoded as %q: cannot rename the router's aliases", resp.Header.Get("Content-Encoding"))
	}
	raw, err := io.ReadAll(r)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err == nil {
		if out, err := json.Marshal(unalias(doc)); err == nil {
			raw = out
		}
	}
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = int64(len(raw))
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return nil
}

func unalias(doc any) any {
	top, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	if errs, ok := top["errors"].([]any); ok {
		for _, e := range errs {
			if em, ok := e.(map[string]any); ok {
				if path, ok := em["path"].([]any); ok {
					for i, seg := range path {
						if s, ok := seg.(string); ok {
							if name, ok := originalName(s); ok {
								path[i] = name
							}
						}
					}
				}
			}
		}
	}
	if data, ok := top["data"]; ok {
		top["data"] = unaliasKeys(data)
	}
	return top
}

// unaliasKeys renames the router's aliases among the object keys of v (never values).
func unaliasKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if name, ok := originalName(k); ok {
				if _, taken := t[name]; taken {
					continue // both type conditions applied: the same field twice
				}
				k = name
			}
			out[k] = unaliasKeys(val)
		}
		return out
	case []any:
		for i := range t {
			t[i] = unaliasKeys(t[i])
		}
		return t
	}
	return v
}

// originalName reads "dzh__<name>__<n>" back to <name>.
func originalName(k string) (string, bool) {
	if !strings.HasPrefix(k, aliasPrefix) {
		return "", false
	}
	rest := k[len(aliasPrefix):]
	i := strings.LastIndex(rest, "__")
	if i <= 0 {
		return "", false
	}
	if _, err := strconv.Atoi(rest[i+2:]); err != nil {
		return "", false
	}
	return rest[:i], true
}
