package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"unsafe"

	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/execution/engine"
	"github.com/wundergraph/graphql-go-tools/execution/graphql"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astnormalization"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/postprocess"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/operationreport"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/variablesvalidation"
)

// preparedPlans executes queries and mutations the way the engine's Execute does
// (normalise, validate, extract inline arguments into variables, validate the variables,
// plan, resolve), but remembers the outcome per operation (name and text, see
// operationCache) and variables shape: a request that hits skips parsing, normalisation,
// validation, printing and planning, and resolves the remembered plan with its own
// variables (the caller's values plus the arguments the text itself carries). This is
// the approach of Cosmo Router's operation processor and planner cache; execution
// v1.6.0's ExecutionEngine only caches the plan, after normalising, validating and
// printing the operation on every request, and takes no prepared operation.
//
// What a hit still does per request: merge the variables, validate their values against
// the operation (variablesvalidation, as Execute does), and resolve. What is never
// remembered: anything about the caller. The pipeline's authorization walk, the cost
// estimate and the hidden-enum input check run before this on every request; the
// caller's identity reaches subgraphs through the resolve context's headers, built
// per request.
//
// The cache lives on the engine (a reload is a new engine with an empty one). The plan is
// shared read-only between concurrent requests, as the engine's own plan cache does.
type preparedPlans struct {
	schema   *graphql.Schema
	planner  plan.Configuration
	resolver *resolve.Resolver
}

// preparedPlan is one (operation, variables shape) made ready to resolve.
type preparedPlan struct {
	response *resolve.GraphQLResponse
	// operation is the normalised document the variables are validated against (read
	// only once cached; planning added key fields, which variables validation ignores).
	operation *ast.Document
	// extracted is the JSON members ("name":value, comma separated) normalisation added
	// to the caller's variables: inline arguments and defaults, fixed by the text and the
	// variables' shape. Empty: the caller's variables are used as they are.
	extracted []byte
}

// engineInternals reads what the planner and resolver of an ExecutionEngine are: execution
// v1.6.0 keeps its planner configuration (with the introspection data sources it adds)
// and its resolver unexported. Read by reflection, like keySubscriptionsByCaller: an
// engine build that moves them fails here, and every test with it.
func engineInternals(exec *engine.ExecutionEngine, schema *graphql.Schema) (*preparedPlans, error) {
	v := reflect.ValueOf(exec).Elem()
	res := v.FieldByName("resolver")
	if !res.IsValid() || res.Type() != reflect.TypeFor[*resolve.Resolver]() {
		return nil, errors.New("the engine's resolver moved; prepared plans cannot be resolved")
	}
	cfg := v.FieldByName("config")
	if !cfg.IsValid() {
		return nil, errors.New("the engine's configuration moved; operations cannot be planned")
	}
	pc := cfg.FieldByName("plannerConfig")
	if !pc.IsValid() || pc.Type() != reflect.TypeFor[plan.Configuration]() {
		return nil, errors.New("the engine's planner configuration moved; operations cannot be planned")
	}
	resolver := *(**resolve.Resolver)(unsafe.Pointer(res.UnsafeAddr()))
	planner := *(*plan.Configuration)(unsafe.Pointer(pc.UnsafeAddr()))
	if resolver == nil || schema == nil {
		return nil, errors.New("the engine has no resolver or schema")
	}
	return &preparedPlans{schema: schema, planner: planner, resolver: resolver}, nil
}

// maxPreparedShapes bounds the variables shapes prepared per operation: a client sending
// ever-new shapes is prepared each time instead of growing the entry.
const maxPreparedShapes = 32

// execute runs a query or mutation, writing its response to w; header is what the
// resolver forwards to subgraphs for this caller. hit reports whether the prepared plan
// was remembered.
func (pp *preparedPlans) execute(ctx context.Context, cached *cachedOperation, req *graphql.Request, header http.Header, w io.Writer) (hit bool, err error) {
	shape := variablesShape(req.Variables)
	cached.mu.Lock()
	p := cached.plans[shape]
	cached.mu.Unlock()

	var variables []byte
	if p != nil {
		hit = true
		variables = p.variables(req.Variables)
		if len(variables) > 0 && variables[0] == '{' {
			validator := variablesvalidation.NewVariablesValidator(variablesvalidation.VariablesValidatorOptions{})
			if err := validator.Validate(p.operation, pp.schema.Document(), variables); err != nil {
				return hit, err
			}
		}
	} else {
		var reusable bool
		if p, variables, reusable, err = pp.prepare(req); err != nil {
			return false, err
		}
		if reusable {
			cached.mu.Lock()
			if len(cached.plans) < maxPreparedShapes {
				cached.plans[shape] = p
			}
			cached.mu.Unlock()
		}
	}

	rc := resolve.NewContext(ctx)
	if len(variables) != 0 {
		if rc.Variables, err = astjson.ParseBytes(variables); err != nil {
			return hit, fmt.Errorf("variables: %w", err)
		}
	}
	rc.Request = resolve.Request{Header: header}
	_, err = pp.resolver.ResolveGraphQLResponse(rc, p.response, nil, w)
	return hit, err
}

// prepare does what Execute does before resolving, in its order, and returns the plan
// with this request's final variables. reusable is false when normalisation changed the
// caller's own variables (a value coerced, an unused one dropped, defaults injected into
// an input object): that is planned again for every such request.
func (pp *preparedPlans) prepare(req *graphql.Request) (p *preparedPlan, variables []byte, reusable bool, err error) {
	given := req.Variables
	result, err := req.Normalize(pp.schema,
		astnormalization.WithRemoveFragmentDefinitions(),
		astnormalization.WithRemoveUnusedVariables(),
		astnormalization.WithInlineFragmentSpreads(),
	)
	if err != nil {
		return nil, nil, false, err
	} else if !result.Successful {
		return nil, nil, false, result.Errors
	}
	if res, err := req.ValidateForSchema(pp.schema); err != nil {
		return nil, nil, false, err
	} else if !res.Valid {
		return nil, nil, false, res.Errors
	}
	if result, err := req.Normalize(pp.schema, astnormalization.WithExtractVariables()); err != nil {
		return nil, nil, false, err
	} else if !result.Successful {
		return nil, nil, false, result.Errors
	}
	variables = req.Variables
	if len(variables) > 0 && variables[0] == '{' {
		validator := variablesvalidation.NewVariablesValidator(variablesvalidation.VariablesValidatorOptions{})
		if err := validator.Validate(req.Document(), pp.schema.Document(), variables); err != nil {
			return nil, nil, false, err
		}
	}
	planner, err := plan.NewPlanner(pp.planner)
	if err != nil {
		return nil, nil, false, err
	}
	var report operationreport.Report
	planned := planner.Plan(req.Document(), pp.schema.Document(), req.OperationName, &report)
	if report.HasErrors() {
		return nil, nil, false, report
	}
	synchronous, ok := postprocess.NewProcessor().Process(planned).(*plan.SynchronousResponsePlan)
	if !ok {
		return nil, nil, false, errors.New("execution of operation is not possible")
	}
	directFetches(synchronous.Response.Fetches)
	p = &preparedPlan{response: synchronous.Response, operation: req.Document()}
	p.extracted, reusable = extractedVariables(given, variables)
	return p, variables, reusable, nil
}

// variables is the request's final variables: the caller's plus the extracted members.
func (p *preparedPlan) variables(given []byte) []byte {
	if len(p.extracted) == 0 {
		return given
	}
	body := trimJSONSpace(given)
	if len(body) < 2 || body[0] != '{' {
		body = []byte("{}")
	}
	inner := trimJSONSpace(body[1 : len(body)-1])
	out := make([]byte, 0, len(body)+len(p.extracted)+2)
	out = append(out, '{')
	if len(inner) > 0 {
		out = append(out, inner...)
		out = append(out, ',')
	}
	out = append(out, p.extracted...)
	return append(out, '}')
}

// extractedVariables compares the caller's variables with the normalised ones. When
// every variable the caller sent is still there with the same value, the members that
// normalisation added are returned (compact JSON) and the plan can serve the next request
// of the same shape by adding them to its variables.
func extractedVariables(given, final []byte) ([]byte, bool) {
	finalTrim := trimJSONSpace(final)
	if len(finalTrim) == 0 || string(finalTrim) == "null" {
		return nil, len(trimJSONSpace(given)) == 0 || string(trimJSONSpace(given)) == "null" || string(trimJSONSpace(given)) == "{}"
	}
	f, err := astjson.ParseBytes(finalTrim)
	if err != nil {
		return nil, false
	}
	fo, err := f.Object()
	if err != nil {
		return nil, false
	}
	var g *astjson.Object
	if gt := trimJSONSpace(given); len(gt) > 0 && string(gt) != "null" {
		gv, err := astjson.ParseBytes(gt)
		if err != nil {
			return nil, false
		}
		if g, err = gv.Object(); err != nil {
			return nil, false
		}
	}
	reusable := true
	if g != nil {
		g.Visit(func(key []byte, v *astjson.Value) {
			fv := fo.Get(string(key))
			if fv == nil || string(fv.MarshalTo(nil)) != string(v.MarshalTo(nil)) {
				reusable = false
			}
		})
	}
	if !reusable {
		return nil, false
	}
	var out []byte
	fo.Visit(func(key []byte, v *astjson.Value) {
		if g != nil && g.Get(string(key)) != nil {
			return
		}
		if len(out) > 0 {
			out = append(out, ',')
		}
		name, _ := json.Marshal(string(key))
		out = append(out, name...)
		out = append(out, ':')
		out = v.MarshalTo(out)
	})
	return out, true
}

func trimJSONSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
