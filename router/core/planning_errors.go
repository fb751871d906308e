package core

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	nodev1 "github.com/wundergraph/cosmo/router/gen/proto/wg/cosmo/node/v1"
)

// CodeQueryPlanningFailed refuses an operation no combination of subgraphs can answer
// (a field that exists only as @external on the way, an entity no subgraph can be
// entered by): the router answers nothing rather than guessing a partial result.
const CodeQueryPlanningFailed = "QUERY_PLANNING_FAILED"

// missingPaths finds the fields the engine's planner could not place ("failed to
// create planning paths, missing paths: [query.allProducts.name]").
var missingPaths = regexp.MustCompile(`missing paths: \[([^\]]*)\]`)

// planningError turns the planner's internal error into the client's refusal, naming
// the fields no subgraph can resolve; ok is false for any other error.
func planningError(err error) (clientError, bool) {
	msg := err.Error()
	if !strings.Contains(msg, "planning paths") && !strings.Contains(msg, "could not plan") {
		return clientError{}, false
	}
	fields := "some of its fields"
	if m := missingPaths.FindStringSubmatch(msg); m != nil && strings.TrimSpace(m[1]) != "" {
		var names []string
		for _, p := range strings.Fields(m[1]) {
			p = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(p, "query."), "mutation."), "subscription.")
			names = append(names, `"`+p+`"`)
		}
		fields = strings.Join(names, ", ")
	}
	return newError(CodeQueryPlanningFailed, "the operation cannot be planned: no subgraph can resolve "+fields+" on this path"), true
}

// unplannableSelections finds, before planning, selections the engine (rc.231) would
// answer with a guess: the concrete type (__typename, or a fragment on an
// implementation) of an @interfaceObject entity when no subgraph that defines the
// interface can be entered by its key (`resolvable: false` everywhere). The engine
// would ask the defining subgraph for entities it cannot resolve and return a partial
// answer; the router refuses the operation instead.
type unplannableSelections struct {
	client *ast.Schema
	// fields maps "Parent.field" returning such an interface to the interface's name.
	fields map[string]string
}

// newUnplannableSelections returns nil when the supergraph has no such interface.
func newUnplannableSelections(rc *nodev1.RouterConfig) (*unplannableSelections, error) {
	sources := rc.GetEngineConfig().GetDatasourceConfigurations()
	candidates := map[string]bool{}
	for _, ds := range sources {
		for _, io := range ds.GetInterfaceObjects() {
			candidates[io.GetInterfaceTypeName()] = true
		}
	}
	for _, ds := range sources {
		for _, ei := range ds.GetEntityInterfaces() {
			for _, k := range ds.GetKeys() {
				if k.GetTypeName() == ei.GetInterfaceTypeName() && !k.GetDisableEntityResolver() {
					delete(candidates, ei.GetInterfaceTypeName())
				}
			}
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	client, err := gqlparser.LoadSchema(&ast.Source{Name: "client", Input: rc.GetEngineConfig().GetGraphqlClientSchema()})
	if err != nil {
		return nil, fmt.Errorf("unplannable selections: load client schema: %w", err)
	}
	u := &unplannableSelections{client: client, fields: map[string]string{}}
	for _, def := range client.Types {
		for _, f := range def.Fields {
			if candidates[f.Type.Name()] {
				u.fields[def.Name+"."+f.Name] = f.Type.Name()
			}
		}
	}
	return u, nil
}

// check refuses an operation that asks for the concrete type of such an interface.
func (u *unplannableSelections) check(query, operationName string) error {
	if u == nil {
		return nil
	}
	doc, errs := gqlparser.LoadQuery(u.client, query)
	if len(errs) > 0 {
		return nil // the engine's validation reports what is wrong
	}
	op := doc.Operations.ForName(operationName)
	if op == nil {
		return nil
	}
	return u.walk(doc, op.SelectionSet)
}

func (u *unplannableSelections) walk(doc *ast.QueryDocument, set ast.SelectionSet) error {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.ObjectDefinition != nil {
				if iface, ok := u.fields[sel.ObjectDefinition.Name+"."+sel.Name]; ok && asksConcreteType(doc, sel.SelectionSet, iface) {
					return plannerRefusal(fmt.Sprintf("the operation cannot be planned: no subgraph can tell the concrete type of %s.%s (%s is an @interfaceObject and no subgraph can resolve %s entities by key)",
						sel.ObjectDefinition.Name, sel.Name, iface, iface))
				}
			}
			if err := u.walk(doc, sel.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := u.walk(doc, sel.SelectionSet); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if def := doc.Fragments.ForName(sel.Name); def != nil {
				if err := u.walk(doc, def.SelectionSet); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func asksConcreteType(doc *ast.QueryDocument, set ast.SelectionSet, iface string) bool {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Name == "__typename" {
				return true
			}
		case *ast.InlineFragment:
			if (sel.TypeCondition != "" && sel.TypeCondition != iface) || asksConcreteType(doc, sel.SelectionSet, iface) {
				return true
			}
		case *ast.FragmentSpread:
			if def := doc.Fragments.ForName(sel.Name); def != nil && (def.TypeCondition != iface || asksConcreteType(doc, def.SelectionSet, iface)) {
				return true
			}
		}
	}
	return false
}

// plannerRefusal is a refusal the pipeline reports with CodeQueryPlanningFailed.
type plannerRefusal string

func (p plannerRefusal) Error() string { return string(p) }
