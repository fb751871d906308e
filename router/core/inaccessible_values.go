package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// inaccessibleValues hides what @inaccessible hides in values, which the engine's
// client-schema validation does not look at: an inaccessible enum value is refused in
// input (literal or variable) and becomes a field error (null) in output, and an object
// of an inaccessible type never shows its name through __typename (the object becomes a
// field error, null). The engine plans against the full supergraph, where those values
// and types exist, so this runs around it: before planning on input, after execution
// on the response.
type inaccessibleValues struct {
	client *ast.Schema
	// enums maps an enum with inaccessible values to its accessible ones.
	enums map[string]bool
	// hiddenTypes are the object types of the supergraph clients cannot see.
	hiddenTypes map[string]bool
	rules       *rules.Rules
	// loaded remembers each operation text's load against the client schema (parse and
	// the literal-values rule), which the input check and the output rewrite both need:
	// a text is loaded once per engine, not on every request.
	loaded *lru.Cache[string, *loadedOperation]
}

// loadedOperation is one text loaded against the client schema: the document (read only
// once cached) and the errors of the literal-values rule.
type loadedOperation struct {
	doc  *ast.QueryDocument
	errs gqlerror.List
}

// loadedOperationsSize bounds the texts remembered per engine (as operationCacheSize).
const loadedOperationsSize = 2048

// load parses and validates query against the client schema, once per text.
func (iv *inaccessibleValues) load(query string) (*ast.QueryDocument, gqlerror.List) {
	if l, ok := iv.loaded.Get(query); ok {
		return l.doc, l.errs
	}
	doc, errs := gqlparser.LoadQueryWithRules(iv.client, query, iv.rules)
	iv.loaded.Add(query, &loadedOperation{doc: doc, errs: errs})
	return doc, errs
}

// newInaccessibleValues returns nil when nothing is hidden in values (the common case:
// then it costs nothing per request).
func newInaccessibleValues(supergraphSDL, clientSDL string) (*inaccessibleValues, error) {
	if clientSDL == "" {
		return nil, nil
	}
	super, err := parser.ParseSchema(&ast.Source{Name: "supergraph", Input: supergraphSDL})
	if err != nil {
		return nil, fmt.Errorf("inaccessible values: parse supergraph: %w", err)
	}
	// Decide from the parsed documents first: the client schema is loaded (validated)
	// only when something is hidden in values.
	clientDoc, err := parser.ParseSchema(&ast.Source{Name: "client", Input: clientSDL})
	if err != nil {
		return nil, fmt.Errorf("inaccessible values: parse client schema: %w", err)
	}
	clientTypes := map[string]*ast.Definition{}
	for _, def := range append(append(ast.DefinitionList{}, clientDoc.Definitions...), clientDoc.Extensions...) {
		if prev := clientTypes[def.Name]; prev != nil {
			prev.EnumValues = append(prev.EnumValues, def.EnumValues...)
			continue
		}
		clientTypes[def.Name] = &ast.Definition{Name: def.Name, Kind: def.Kind, EnumValues: append(ast.EnumValueList{}, def.EnumValues...)}
	}
	iv := &inaccessibleValues{enums: map[string]bool{}, hiddenTypes: map[string]bool{}}
	for _, def := range append(append(ast.DefinitionList{}, super.Definitions...), super.Extensions...) {
		switch def.Kind {
		case ast.Enum:
			visible := clientTypes[def.Name]
			if visible == nil {
				continue
			}
			for _, v := range def.EnumValues {
				if visible.EnumValues.ForName(v.Name) == nil {
					iv.enums[def.Name] = true
				}
			}
		case ast.Object:
			if clientTypes[def.Name] == nil && !strings.HasPrefix(def.Name, "_") && !strings.Contains(def.Name, "__") {
				iv.hiddenTypes[def.Name] = true
			}
		}
	}
	if len(iv.enums) == 0 && len(iv.hiddenTypes) == 0 {
		return nil, nil
	}
	if iv.client, err = gqlparser.LoadSchema(&ast.Source{Name: "client", Input: clientSDL}); err != nil {
		return nil, fmt.Errorf("inaccessible values: load client schema: %w", err)
	}
	iv.rules = rules.NewRules(rules.ValuesOfCorrectTypeRuleWithoutSuggestions)
	iv.loaded, _ = lru.New[string, *loadedOperation](loadedOperationsSize)
	return iv, nil
}

// checkInput refuses an operation that passes an inaccessible enum value, as a literal
// or through a variable.
func (iv *inaccessibleValues) checkInput(query, operationName string, variables []byte) error {
	if iv == nil || len(iv.enums) == 0 {
		return nil
	}
	doc, errs := iv.load(query)
	if len(errs) > 0 {
		return errors.New(errs[0].Message)
	}
	op := doc.Operations.ForName(operationName)
	if op == nil || len(op.VariableDefinitions) == 0 {
		return nil
	}
	vars := map[string]any{}
	if len(bytes.TrimSpace(variables)) > 0 && string(bytes.TrimSpace(variables)) != "null" {
		dec := json.NewDecoder(bytes.NewReader(variables))
		dec.UseNumber()
		if err := dec.Decode(&vars); err != nil {
			return nil // the engine reports malformed variables
		}
	}
	if _, err := validator.VariableValues(iv.client, op, vars); err != nil {
		var msg string
		if ge, ok := err.(interface{ Error() string }); ok {
			msg = ge.Error()
		}
		if strings.Contains(msg, "enum") || iv.mentionsHiddenValue(msg) {
			return errors.New(strings.TrimPrefix(msg, "input: "))
		}
	}
	return nil
}

// mentionsHiddenValue reports whether a variable error is about an enum value.
func (iv *inaccessibleValues) mentionsHiddenValue(msg string) bool {
	for name := range iv.enums {
		if strings.Contains(msg, name) {
			return true
		}
	}
	return false
}

// hideOutput rewrites a query or mutation response: every inaccessible enum value and
// every object whose __typename is inaccessible becomes null with a field error (null
// going up to the nearest nullable parent, as for any field error). A response that
// shows neither is returned as it is.
func (iv *inaccessibleValues) hideOutput(query, operationName string, body []byte) []byte {
	if iv == nil || !iv.mayShow(body) {
		return body
	}
	doc, errs := iv.load(query)
	if len(errs) > 0 {
		return body
	}
	op := doc.Operations.ForName(operationName)
	if op == nil {
		return body
	}
	var resp ordered
	if err := decodeOrdered(body, &resp); err != nil {
		return body
	}
	data, ok := resp.get("data")
	obj, isObj := data.(*ordered)
	if !ok || !isObj {
		return body
	}
	w := &hideWalk{iv: iv, doc: doc}
	if w.object(obj, op.SelectionSet, nil) {
		resp.set("data", nil)
	}
	if len(w.errs) == 0 {
		return body
	}
	var all []any
	if prev, ok := resp.get("errors"); ok {
		all, _ = prev.([]any)
	}
	for _, e := range w.errs {
		all = append(all, e)
	}
	resp.set("errors", all)
	out, err := json.Marshal(&resp)
	if err != nil {
		return body
	}
	return out
}

// mayShow is a cheap look for a hidden name anywhere in the body.
func (iv *inaccessibleValues) mayShow(body []byte) bool {
	if len(iv.enums) > 0 {
		return true // enum values are short words: decide on the typed walk
	}
	for name := range iv.hiddenTypes {
		if bytes.Contains(body, []byte(`"`+name+`"`)) {
			return true
		}
	}
	return false
}

type hideWalk struct {
	iv   *inaccessibleValues
	doc  *ast.QueryDocument
	errs []*ordered
}

func (w *hideWalk) fieldError(path []any, message string) {
	e := &ordered{}
	e.set("message", message)
	e.set("path", append([]any(nil), path...))
	ext := &ordered{}
	ext.set("code", "INACCESSIBLE_VALUE")
	e.set("extensions", ext)
	w.errs = append(w.errs, e)
}

// fields flattens a selection set (fragments of every type condition included: the
// fields under one response name have the same shape, validation made sure).
func (w *hideWalk) fields(set ast.SelectionSet, out map[string][]*ast.Field) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			out[sel.Alias] = append(out[sel.Alias], sel)
		case *ast.InlineFragment:
			w.fields(sel.SelectionSet, out)
		case *ast.FragmentSpread:
			if def := w.doc.Fragments.ForName(sel.Name); def != nil {
				w.fields(def.SelectionSet, out)
			}
		}
	}
}

// object walks one response object; it reports true when the object itself must
// become null (a hidden __typename, or a non-null field that became null).
func (w *hideWalk) object(obj *ordered, set ast.SelectionSet, path []any) bool {
	byName := map[string][]*ast.Field{}
	w.fields(set, byName)
	for _, key := range obj.keys {
		fs := byName[key]
		if len(fs) == 0 {
			continue
		}
		f := fs[0]
		p := append(append([]any(nil), path...), key)
		v := obj.vals[key]
		if f.Name == "__typename" {
			if s, ok := v.(string); ok && w.iv.hiddenTypes[s] {
				w.fieldError(path, "an object of an inaccessible type cannot be returned")
				return true
			}
			continue
		}
		if f.Definition == nil {
			continue
		}
		var sub ast.SelectionSet
		for _, f := range fs {
			sub = append(sub, f.SelectionSet...)
		}
		if w.value(v, f.Definition.Type, sub, p, func(nv any) { obj.vals[key] = nv }) {
			if f.Definition.Type.NonNull {
				return true
			}
			obj.vals[key] = nil
		}
	}
	return false
}

// value walks one value of type t; it reports true when the value must become null.
func (w *hideWalk) value(v any, t *ast.Type, set ast.SelectionSet, path []any, replace func(any)) bool {
	if v == nil {
		return false
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			return false
		}
		for i, item := range list {
			p := append(append([]any(nil), path...), i)
			if w.value(item, t.Elem, set, p, func(nv any) { list[i] = nv }) {
				if t.Elem.NonNull {
					return true
				}
				list[i] = nil
			}
		}
		return false
	}
	switch x := v.(type) {
	case *ordered:
		return w.object(x, set, path)
	case string:
		if w.iv.enums[t.NamedType] {
			if def := w.iv.client.Types[t.NamedType]; def != nil && def.EnumValues.ForName(x) == nil {
				w.fieldError(path, fmt.Sprintf("the value of %s is not one clients can see", t.NamedType))
				return true
			}
		}
	}
	return false
}

// ordered is a JSON object that keeps its key order (a GraphQL response follows the
// selection order).
type ordered struct {
	keys []string
	vals map[string]any
}

func (o *ordered) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

func (o *ordered) set(k string, v any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
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
	return b.Bytes(), nil
}

func decodeOrdered(body []byte, out *ordered) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return err
	}
	o, ok := v.(*ordered)
	if !ok {
		return errors.New("not a JSON object")
	}
	*out = *o
	return nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &ordered{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
		return nil, io.ErrUnexpectedEOF
	default:
		return t, nil
	}
}
