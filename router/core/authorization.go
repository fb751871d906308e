package core

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
	"github.com/dizhtime/dizhtime/router/pkg/compose"
)

// CodeForbidden refuses an authenticated caller whose roles do not meet a field's
// @requiresScopes.
const CodeForbidden = "FORBIDDEN"

// fieldRule is a field's @authenticated / @requiresScopes, as composition recorded it.
type fieldRule struct {
	authenticated bool
	// anyOf lists scope sets: the caller needs every scope of at least one set.
	anyOf [][]string
}

// operationAuthorizer enforces the supergraph's @authenticated and @requiresScopes.
//
// Composition (cosmo composition-go) records both directives per field in the router
// config (FieldConfiguration.AuthorizationConfiguration); a directive on a type is
// recorded on each of its fields. The engine in execution v1.6.0 does not expose its
// field-level authorizer hook, so the router checks the operation before executing it and
// refuses the whole operation when any selected field is not allowed: Cosmo's
// `authorization.reject_operation_if_unauthorized: true` behaviour. (Cosmo's default
// instead nulls the field and keeps the rest of the data; that needs the engine hook.)
//
// Scopes are role names: a token carrying roles [CUSTOMER, ADMIN] has the scopes
// CUSTOMER and ADMIN.
type operationAuthorizer struct {
	rules  map[string]fieldRule // "Type.field"
	schema *schemaIndex
}

func newOperationAuthorizer(res *compose.Result) (*operationAuthorizer, error) {
	rules := map[string]fieldRule{}
	for _, fc := range res.RouterConfig.GetEngineConfig().GetFieldConfigurations() {
		ac := fc.GetAuthorizationConfiguration()
		if ac == nil || (!ac.GetRequiresAuthentication() && len(ac.GetRequiredOrScopes()) == 0) {
			continue
		}
		rule := fieldRule{authenticated: ac.GetRequiresAuthentication()}
		for _, and := range ac.GetRequiredOrScopes() {
			rule.anyOf = append(rule.anyOf, and.GetRequiredAndScopes())
		}
		rules[fc.GetTypeName()+"."+fc.GetFieldName()] = rule
	}
	if len(rules) == 0 {
		return &operationAuthorizer{}, nil
	}
	idx, err := newSchemaIndex(res.SupergraphSDL())
	if err != nil {
		return nil, fmt.Errorf("authorization rules: %w", err)
	}
	return &operationAuthorizer{rules: rules, schema: idx}, nil
}

// check returns the refusal for the operation, or nil. A query that does not parse or
// names unknown fields is left to the engine, which refuses it in validation.
func (a *operationAuthorizer) check(query, operationName string, id *authn.Identity) *clientError {
	if a == nil || len(a.rules) == 0 {
		return nil
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil
	}
	return a.checkParsed(doc, pickOperation(doc, operationName), id)
}

// checkParsed is check over a parse already made (op nil: no single operation).
func (a *operationAuthorizer) checkParsed(doc *ast.QueryDocument, op *ast.OperationDefinition, id *authn.Identity) *clientError {
	if a == nil || len(a.rules) == 0 || doc == nil || op == nil {
		return nil
	}
	root := a.schema.root(op.Operation)
	var denied []string
	needsAuth := false
	seen := map[string]bool{}
	var walk func(typeName string, set ast.SelectionSet, nesting int)
	walk = func(typeName string, set ast.SelectionSet, nesting int) {
		if nesting > defaultFragmentNest {
			return
		}
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if strings.HasPrefix(sel.Name, "__") {
					continue
				}
				for _, owner := range a.schema.owners(typeName) {
					coord := owner + "." + sel.Name
					if rule, ok := a.rules[coord]; ok && !seen[coord] {
						if !rule.allows(id) {
							seen[coord] = true
							denied = append(denied, coord)
							if id == nil {
								needsAuth = true
							}
						}
					}
				}
				if child := a.schema.fieldType(typeName, sel.Name); child != "" {
					walk(child, sel.SelectionSet, nesting)
				}
			case *ast.InlineFragment:
				next := typeName
				if sel.TypeCondition != "" {
					next = sel.TypeCondition
				}
				walk(next, sel.SelectionSet, nesting+1)
			case *ast.FragmentSpread:
				if f := doc.Fragments.ForName(sel.Name); f != nil {
					walk(f.TypeCondition, f.SelectionSet, nesting+1)
				}
			}
		}
	}
	walk(root, op.SelectionSet, 0)
	if len(denied) == 0 {
		return nil
	}
	sort.Strings(denied)
	if needsAuth {
		e := newError(CodeUnauthenticated, "authentication is required for "+strings.Join(denied, ", "))
		return &e
	}
	e := newError(CodeForbidden, "not allowed to access "+strings.Join(denied, ", "))
	return &e
}

func (r fieldRule) allows(id *authn.Identity) bool {
	if id == nil {
		return !r.authenticated && len(r.anyOf) == 0
	}
	if len(r.anyOf) == 0 {
		return true
	}
	for _, set := range r.anyOf {
		ok := true
		for _, scope := range set {
			if !slices.Contains(id.Roles, scope) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// schemaIndex answers the questions the walk asks of the supergraph schema.
type schemaIndex struct {
	roots map[ast.Operation]string
	// fields maps a type to its fields' named (unwrapped) types.
	fields map[string]map[string]string
	// possible maps an interface or union to its object types.
	possible map[string][]string
}

func newSchemaIndex(sdl string) (*schemaIndex, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "supergraph", Input: sdl})
	if err != nil {
		return nil, err
	}
	idx := &schemaIndex{
		roots:    map[ast.Operation]string{ast.Query: "Query", ast.Mutation: "Mutation", ast.Subscription: "Subscription"},
		fields:   map[string]map[string]string{},
		possible: map[string][]string{},
	}
	for _, s := range append(doc.Schema, doc.SchemaExtension...) {
		for _, ot := range s.OperationTypes {
			idx.roots[ot.Operation] = ot.Type
		}
	}
	for _, def := range append(doc.Definitions, doc.Extensions...) {
		fs := idx.fields[def.Name]
		if fs == nil {
			fs = map[string]string{}
			idx.fields[def.Name] = fs
		}
		for _, f := range def.Fields {
			fs[f.Name] = f.Type.Name()
		}
		for _, iface := range def.Interfaces {
			idx.possible[iface] = append(idx.possible[iface], def.Name)
		}
		if def.Kind == ast.Union {
			idx.possible[def.Name] = append(idx.possible[def.Name], def.Types...)
		}
	}
	return idx, nil
}

func (s *schemaIndex) root(op ast.Operation) string {
	if op == "" {
		op = ast.Query
	}
	return s.roots[op]
}

// owners are the types whose rules apply to a field selected on typeName: the type
// itself and, for an interface, every implementation (the object resolved at run time
// may be any of them, so the strictest rule among them applies).
func (s *schemaIndex) owners(typeName string) []string {
	return append([]string{typeName}, s.possible[typeName]...)
}

func (s *schemaIndex) fieldType(typeName, field string) string {
	if t := s.fields[typeName][field]; t != "" {
		return t
	}
	for _, p := range s.possible[typeName] {
		if t := s.fields[p][field]; t != "" {
			return t
		}
	}
	return ""
}
