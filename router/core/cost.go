package core

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// CodeCostLimit refuses an operation whose estimated cost is over limits.max_cost.
const CodeCostLimit = "MAX_COST_EXCEEDED"

// sizeArguments are the arguments that bound how many items a list field returns, in
// the order they are looked at (IBM's GraphQL cost spec calls them slicing arguments).
var sizeArguments = []string{"first", "last", "limit", "count", "pageSize"}

// costModel estimates what an operation costs before it runs, after the IBM GraphQL
// cost directive specification and Cosmo's cost control, without their per-field
// directives (composition in execution v1.6.0 does not carry @cost / @listSize):
//
//   - a field returning an object, interface or union costs 1, a scalar or enum 0;
//   - a field's selections add their cost to it;
//   - a list field multiplies its own cost and its selections' by its size: the value
//     of its first/last/limit/count/pageSize argument (a literal or a variable), or
//     limits.default_list_size when it has none;
//   - every fragment counts (an upper bound: the members of a union are summed).
type costModel struct {
	roots  map[ast.Operation]string
	fields map[string]map[string]costField
	kinds  map[string]ast.DefinitionKind
}

type costField struct {
	named string
	list  bool
	// sizeDefault is the schema's default for a size argument (0: none).
	sizeDefault int64
}

func newCostModel(sdl string) (*costModel, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "supergraph", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("cost model: %w", err)
	}
	m := &costModel{
		roots:  map[ast.Operation]string{ast.Query: "Query", ast.Mutation: "Mutation", ast.Subscription: "Subscription"},
		fields: map[string]map[string]costField{},
		kinds:  map[string]ast.DefinitionKind{},
	}
	for _, s := range append(doc.Schema, doc.SchemaExtension...) {
		for _, ot := range s.OperationTypes {
			m.roots[ot.Operation] = ot.Type
		}
	}
	for _, def := range append(doc.Definitions, doc.Extensions...) {
		m.kinds[def.Name] = def.Kind
		fs := m.fields[def.Name]
		if fs == nil {
			fs = map[string]costField{}
			m.fields[def.Name] = fs
		}
		for _, f := range def.Fields {
			cf := costField{named: f.Type.Name(), list: isListType(f.Type)}
			for _, name := range sizeArguments {
				if a := f.Arguments.ForName(name); a != nil && a.DefaultValue != nil && a.DefaultValue.Kind == ast.IntValue && cf.sizeDefault == 0 {
					cf.sizeDefault, _ = strconv.ParseInt(a.DefaultValue.Raw, 10, 64)
				}
			}
			fs[f.Name] = cf
		}
	}
	return m, nil
}

func isListType(t *ast.Type) bool {
	for ; t != nil; t = t.Elem {
		if t.Elem != nil {
			return true
		}
	}
	return false
}

// maxCountedCost stops the estimate once it is over any sensible budget.
const maxCountedCost = 1 << 40

// estimate returns the operation's cost; ok is false when the query does not parse or
// names no single operation (the engine refuses it with a better message).
func (m *costModel) estimate(query, operationName string, variables json.RawMessage, defaultListSize int) (cost int64, ok bool) {
	if m == nil {
		return 0, false
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return 0, false
	}
	return m.estimateParsed(doc, pickOperation(doc, operationName), variables, defaultListSize)
}

// estimateParsed is estimate over a parse already made (op nil: no single operation).
func (m *costModel) estimateParsed(doc *ast.QueryDocument, op *ast.OperationDefinition, variables json.RawMessage, defaultListSize int) (cost int64, ok bool) {
	if m == nil || doc == nil || op == nil {
		return 0, false
	}
	var vars map[string]any
	if len(variables) > 0 {
		_ = json.Unmarshal(variables, &vars)
	}
	if vars == nil {
		vars = map[string]any{}
	}
	for _, vd := range op.VariableDefinitions {
		if _, given := vars[vd.Variable]; !given && vd.DefaultValue != nil && vd.DefaultValue.Kind == ast.IntValue {
			if n, err := strconv.ParseInt(vd.DefaultValue.Raw, 10, 64); err == nil {
				vars[vd.Variable] = float64(n)
			}
		}
	}
	if defaultListSize <= 0 {
		defaultListSize = 1
	}
	var walk func(typeName string, set ast.SelectionSet, nesting int) int64
	walk = func(typeName string, set ast.SelectionSet, nesting int) int64 {
		if nesting > defaultFragmentNest {
			return maxCountedCost
		}
		var total int64
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				f, known := m.fields[typeName][sel.Name]
				if !known {
					continue // __typename, introspection, or a field validation refuses
				}
				var own int64
				switch m.kinds[f.named] {
				case ast.Object, ast.Interface, ast.Union:
					own = 1
				}
				c := own + walk(f.named, sel.SelectionSet, nesting+1)
				if f.list {
					def := int64(defaultListSize)
					if f.sizeDefault > 0 {
						def = f.sizeDefault
					}
					c *= listSize(sel, vars, def)
				}
				total += c
			case *ast.InlineFragment:
				next := typeName
				if sel.TypeCondition != "" {
					next = sel.TypeCondition
				}
				total += walk(next, sel.SelectionSet, nesting+1)
			case *ast.FragmentSpread:
				if f := doc.Fragments.ForName(sel.Name); f != nil {
					total += walk(f.TypeCondition, f.SelectionSet, nesting+1)
				}
			}
			if total > maxCountedCost || total < 0 {
				return maxCountedCost
			}
		}
		return total
	}
	root := m.roots[op.Operation]
	if op.Operation == "" {
		root = m.roots[ast.Query]
	}
	return walk(root, op.SelectionSet, 0), true
}

// listSize is the size a list field asks for, or the default.
func listSize(f *ast.Field, vars map[string]any, def int64) int64 {
	for _, name := range sizeArguments {
		arg := f.Arguments.ForName(name)
		if arg == nil || arg.Value == nil {
			continue
		}
		v := arg.Value
		switch v.Kind {
		case ast.IntValue:
			if n, err := strconv.ParseInt(v.Raw, 10, 64); err == nil && n >= 0 {
				return n
			}
		case ast.Variable:
			switch n := vars[v.Raw].(type) {
			case float64:
				if n >= 0 {
					return int64(n)
				}
			}
		}
	}
	return def
}
