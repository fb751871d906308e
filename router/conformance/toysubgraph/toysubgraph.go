package toysubgraph

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

// Object is one resolved object: its fields by name, and "__typename". A field's value
// is plain data (string, int, bool, nil, Object, []any, enum values as strings), an
// Args func for fields with arguments, or an error (a field error, the field is null).
type Object = map[string]any

// Args resolves a field from the arguments the query passed it.
type Args func(args map[string]any) any

// Subgraph is one toy subgraph: its federation SDL, its root fields and how it
// resolves entity representations.
type Subgraph struct {
	Name string
	SDL  string
	// Query and Mutation resolve root fields by name (plain values or Args).
	Query    map[string]any
	Mutation map[string]any
	// Entities resolve a representation ({"__typename": ..., key fields, required
	// fields}) by typename; a nil result is a null entity.
	Entities map[string]func(rep map[string]any) Object
}

// Server is a running toy subgraph.
type Server struct {
	*httptest.Server
	Name   string
	SDL    string
	schema *ast.Schema
	sg     Subgraph

	mu     sync.Mutex
	bodies []string
}

// URL of the subgraph's GraphQL endpoint.
func (s *Server) Endpoint() string { return s.Server.URL + "/graphql" }

// Start serves the subgraph on a loopback port until the test ends.
func Start(t testing.TB, sg Subgraph) *Server {
	t.Helper()
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: sg.Name + ".graphql", Input: executableSDL(sg.SDL)})
	if err != nil {
		t.Fatalf("toy subgraph %s: schema: %v", sg.Name, err)
	}
	s := &Server{Name: sg.Name, SDL: sg.SDL, schema: schema, sg: sg}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Bodies returns every request body received so far, in order.
func (s *Server) Bodies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// Since returns the bodies received after the first n.
func (s *Server) Since(n int) []string {
	b := s.Bodies()
	if n > len(b) {
		return nil
	}
	return b[n:]
}

type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var req request
	if err := json.Unmarshal(raw, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !strings.Contains(req.Query, "_service") {
		s.mu.Lock()
		s.bodies = append(s.bodies, string(raw))
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.execute(req))
}

type response struct {
	Data   any           `json:"data"`
	Errors gqlerror.List `json:"errors,omitempty"`
}

func (s *Server) execute(req request) response {
	doc, errs := gqlparser.LoadQuery(s.schema, req.Query)
	if len(errs) > 0 {
		return response{Errors: errs}
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil {
		return response{Errors: gqlerror.List{gqlerror.Errorf("no operation %q", req.OperationName)}}
	}
	vars, verr := validator.VariableValues(s.schema, op, req.Variables)
	if verr != nil {
		return response{Errors: gqlerror.List{verr.(*gqlerror.Error)}}
	}
	ex := &execution{s: s, doc: doc, vars: vars}
	root := Object{"__typename": "Query"}
	fields := s.sg.Query
	if op.Operation == ast.Mutation {
		root["__typename"] = "Mutation"
		fields = s.sg.Mutation
	}
	for k, v := range fields {
		root[k] = v
	}
	if op.Operation == ast.Query {
		root["_service"] = Object{"__typename": "_Service", "sdl": s.SDL}
		root["_entities"] = Args(func(args map[string]any) any {
			reps, _ := args["representations"].([]any)
			out := make([]any, len(reps))
			for i, r := range reps {
				rep, _ := r.(map[string]any)
				typename, _ := rep["__typename"].(string)
				resolve := s.sg.Entities[typename]
				if resolve == nil {
					out[i] = fmt.Errorf("%s cannot resolve %q entities", s.Name, typename)
					continue
				}
				if obj := resolve(rep); obj != nil {
					out[i] = obj
				}
			}
			return out
		})
	}
	data := ex.object(root, op.SelectionSet, nil)
	return response{Data: data, Errors: ex.errs}
}

type execution struct {
	s    *Server
	doc  *ast.QueryDocument
	vars map[string]any
	errs gqlerror.List
}

// object projects obj onto the selection set; the output keeps response names.
func (ex *execution) object(obj Object, set ast.SelectionSet, path ast.Path) any {
	out := ordered{}
	ex.collect(obj, set, path, &out)
	return out
}

func (ex *execution) collect(obj Object, set ast.SelectionSet, path ast.Path, out *ordered) {
	typename, _ := obj["__typename"].(string)
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Name == "__typename" {
				out.set(sel.Alias, typename)
				continue
			}
			p := append(append(ast.Path(nil), path...), ast.PathName(sel.Alias))
			v := obj[sel.Name]
			if f, ok := v.(Args); ok {
				v = f(sel.ArgumentMap(ex.vars))
			}
			out.set(sel.Alias, ex.value(v, sel.SelectionSet, p))
		case *ast.InlineFragment:
			if ex.applies(sel.TypeCondition, typename) {
				ex.collect(obj, sel.SelectionSet, path, out)
			}
		case *ast.FragmentSpread:
			def := ex.doc.Fragments.ForName(sel.Name)
			if def != nil && ex.applies(def.TypeCondition, typename) {
				ex.collect(obj, def.SelectionSet, path, out)
			}
		}
	}
}

func (ex *execution) applies(condition, typename string) bool {
	if condition == "" || condition == typename {
		return true
	}
	def := ex.s.schema.Types[condition]
	if def == nil {
		return false
	}
	for _, t := range ex.s.schema.GetPossibleTypes(def) {
		if t.Name == typename {
			return true
		}
	}
	return false
}

func (ex *execution) value(v any, set ast.SelectionSet, path ast.Path) any {
	switch v := v.(type) {
	case error:
		ex.errs = append(ex.errs, &gqlerror.Error{Message: v.Error(), Path: path})
		return nil
	case Object:
		if set == nil {
			return v
		}
		return ex.object(v, set, path)
	case []Object:
		out := make([]any, len(v))
		for i, o := range v {
			out[i] = ex.value(o, set, append(append(ast.Path(nil), path...), ast.PathIndex(i)))
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, o := range v {
			out[i] = ex.value(o, set, append(append(ast.Path(nil), path...), ast.PathIndex(i)))
		}
		return out
	default:
		return v
	}
}

// ordered is a JSON object that keeps its keys in selection order.
type ordered struct {
	keys []string
	vals map[string]any
}

func (o *ordered) set(k string, v any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
		o.vals[k] = v
		return
	}
	// The same response name selected twice (fields merged): merge sub-objects.
	if a, ok := o.vals[k].(ordered); ok {
		if b, ok := v.(ordered); ok {
			for _, bk := range b.keys {
				a.set(bk, b.vals[bk])
			}
			o.vals[k] = a
		}
	}
}

func (o ordered) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// federationPrelude declares what a federation subgraph's SDL may use, so the toy
// subgraph can validate queries against its own schema.
const federationPrelude = `
scalar _Any
scalar FieldSet
scalar federation__FieldSet
scalar link__Import
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @external(reason: String) on OBJECT | FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @override(from: String!, label: String) on FIELD_DEFINITION
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @interfaceObject on OBJECT
directive @extends on OBJECT | INTERFACE
directive @link(url: String!, as: String, import: [link__Import], for: String) repeatable on SCHEMA
type _Service { sdl: String }
`

var (
	extendSchema = regexp.MustCompile(`(?s)extend\s+schema\s+@link\(.*?\)\s*(@link\(.*?\)\s*)*`)
	extendType   = regexp.MustCompile(`(?m)^\s*extend\s+(type|interface)\s+(\w+)`)
	keyDirective = regexp.MustCompile(`(?m)^\s*(?:extend\s+)?type\s+(\w+)[^{]*@key\(`)
	definesType  = func(sdl, name string) bool {
		return regexp.MustCompile(`(?m)^\s*(type|interface)\s+` + name + `\b`).MatchString(sdl)
	}
)

// executableSDL turns a federation subgraph SDL into one gqlparser can load: the
// @link schema extension dropped, Federation 1 "extend type" of a type defined nowhere
// else made a definition, and _entities/_service added.
func executableSDL(sdl string) string {
	out := extendSchema.ReplaceAllString(sdl, "")
	out = extendType.ReplaceAllStringFunc(out, func(m string) string {
		sub := extendType.FindStringSubmatch(m)
		if definesType(out, sub[2]) {
			return m
		}
		return strings.Replace(m, "extend ", "", 1)
	})
	var entities []string
	seen := map[string]bool{}
	for _, m := range keyDirective.FindAllStringSubmatch(out, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			entities = append(entities, m[1])
		}
	}
	extra := federationPrelude
	if len(entities) > 0 {
		extra += "union _Entity = " + strings.Join(entities, " | ") + "\n"
	}
	query := "_service: _Service!"
	if len(entities) > 0 {
		query += "\n  _entities(representations: [_Any!]!): [_Entity]!"
	}
	if definesType(out, "Query") {
		extra += "extend type Query {\n  " + query + "\n}\n"
	} else {
		extra += "type Query {\n  " + query + "\n}\n"
	}
	return out + "\n" + extra
}
