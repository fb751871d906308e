package core

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Error codes for refused operations.
const (
	CodeDepthLimit      = "MAX_DEPTH_EXCEEDED"
	CodeAliasLimit      = "MAX_ALIASES_EXCEEDED"
	CodeRootFieldLimit  = "MAX_ROOT_FIELDS_EXCEEDED"
	CodeFieldLimit      = "MAX_FIELDS_EXCEEDED"
	CodeBodyTooLarge    = "REQUEST_TOO_LARGE"
	CodeRequestTimeout  = "REQUEST_TIMEOUT"
	CodeParseFailed     = "GRAPHQL_PARSE_FAILED"
	defaultFragmentNest = 64
	maxCountedFields    = 100_000
)

// operationShape is what the limits look at, counted over the selected operation
// with fragment spreads expanded.
type operationShape struct {
	depth, aliases, rootFields, fields int
}

// inspectedOperation is what the router learns from its own parse of the query,
// before the engine spends any work on it.
type inspectedOperation struct {
	// name is the operation's name, from the request or the document.
	name  string
	shape operationShape
	ok    bool // false when the query does not parse: the engine reports that better
}

func inspectOperation(query, operationName string) inspectedOperation {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return inspectedOperation{name: operationName}
	}
	return inspectParsed(doc, pickOperation(doc, operationName), operationName)
}

// inspectParsed is inspectOperation over a parse already made (doc nil: it failed).
func inspectParsed(doc *ast.QueryDocument, op *ast.OperationDefinition, operationName string) inspectedOperation {
	if doc == nil || op == nil {
		return inspectedOperation{name: operationName}
	}
	return inspectedOperation{name: op.Name, shape: measure(doc, op), ok: true}
}

// checkLimits refuses an operation that exceeds a limit.
func checkLimits(limits config.Limits, op inspectedOperation) *clientError {
	if !op.ok {
		return nil
	}
	shape := op.shape
	over := func(code, what string, got, max int) *clientError {
		e := newError(code, fmt.Sprintf("operation exceeds the %s limit: %d > %d", what, got, max))
		return &e
	}
	switch {
	case limits.MaxDepth > 0 && shape.depth > limits.MaxDepth:
		return over(CodeDepthLimit, "depth", shape.depth, limits.MaxDepth)
	case limits.MaxAliases > 0 && shape.aliases > limits.MaxAliases:
		return over(CodeAliasLimit, "aliases", shape.aliases, limits.MaxAliases)
	case limits.MaxRootFields > 0 && shape.rootFields > limits.MaxRootFields:
		return over(CodeRootFieldLimit, "root fields", shape.rootFields, limits.MaxRootFields)
	case limits.MaxFields > 0 && shape.fields > limits.MaxFields:
		return over(CodeFieldLimit, "total fields", shape.fields, limits.MaxFields)
	}
	return nil
}

func pickOperation(doc *ast.QueryDocument, name string) *ast.OperationDefinition {
	if name == "" {
		if len(doc.Operations) == 1 {
			return doc.Operations[0]
		}
		return nil
	}
	return doc.Operations.ForName(name)
}

func measure(doc *ast.QueryDocument, op *ast.OperationDefinition) operationShape {
	var s operationShape
	s.rootFields = countFields(doc, op.SelectionSet, 0)
	var walk func(set ast.SelectionSet, depth, nesting int)
	walk = func(set ast.SelectionSet, depth, nesting int) {
		// A fragment cycle or a fragment bomb: stop counting, the totals are over
		// every limit already (or validation rejects the cycle later).
		if nesting > defaultFragmentNest || s.fields > maxCountedFields {
			return
		}
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				s.fields++
				if sel.Alias != "" && sel.Alias != sel.Name {
					s.aliases++
				}
				if depth+1 > s.depth {
					s.depth = depth + 1
				}
				walk(sel.SelectionSet, depth+1, nesting)
			case *ast.InlineFragment:
				walk(sel.SelectionSet, depth, nesting+1)
			case *ast.FragmentSpread:
				if f := doc.Fragments.ForName(sel.Name); f != nil {
					walk(f.SelectionSet, depth, nesting+1)
				}
			}
		}
	}
	walk(op.SelectionSet, 0, 0)
	return s
}

// countFields counts the fields of one selection set, looking through fragments.
func countFields(doc *ast.QueryDocument, set ast.SelectionSet, nesting int) int {
	if nesting > defaultFragmentNest {
		return 0
	}
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			n++
		case *ast.InlineFragment:
			n += countFields(doc, sel.SelectionSet, nesting+1)
		case *ast.FragmentSpread:
			if f := doc.Fragments.ForName(sel.Name); f != nil {
				n += countFields(doc, f.SelectionSet, nesting+1)
			}
		}
	}
	return n
}
