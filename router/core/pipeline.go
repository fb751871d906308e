package core

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/wundergraph/graphql-go-tools/execution/graphql"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// operationPipeline is the one set of protections every operation passes, whatever
// transport brought it (HTTP POST and GET, SSE, multipart, graphql-transport-ws, legacy
// graphql-ws): persisted queries (APQ and the safelist) -> parse and operation type ->
// introspection off -> depth / alias / root-field / field limits -> cost budget ->
// validation against the client schema -> @authenticated / @requiresScopes. Only what
// passes reaches the engine, which plans and executes it (with limits.request_timeout
// for queries and mutations, on every transport).
//
// What is specific to a transport stays with it: reading the body (and its size limit),
// HTTP's "mutations need POST" and "subscriptions need a stream", the WebSocket's
// connection-level identity.
type operationPipeline struct {
	limits        config.Limits
	introspection bool
	persisted     *persistedQueries
	metrics       *Metrics
	logger        *slog.Logger
}

// preparedOperation is an operation that passed every check, bound to the engine it
// runs on. The caller releases the engine when the operation is done.
type preparedOperation struct {
	eng    *Engine
	req    *graphql.Request
	opType graphql.OperationType
	// name is the operation's name from the document (or the request).
	name string
}

// refusedOperation is why an operation does not run: the errors for the client, and
// the HTTP status an HTTP transport answers with.
type refusedOperation struct {
	status int
	errs   []clientError
}

func (r *refusedOperation) code() string {
	if r == nil || len(r.errs) == 0 {
		return ""
	}
	c, _ := r.errs[0].Extensions["code"].(string)
	return c
}

func refuseWith(status int, errs ...clientError) *refusedOperation {
	return &refusedOperation{status: status, errs: errs}
}

// prepare runs the checks. On success the returned operation holds an acquired engine.
func (p *operationPipeline) prepare(engines *EngineHolder, params operationParams, identity *authn.Identity) (*preparedOperation, *refusedOperation) {
	if refused := p.persisted.resolve(&params); refused != nil {
		p.metrics.observeOperation("", "unknown", 0, refused.Extensions["code"].(string))
		return nil, refuseWith(http.StatusOK, *refused)
	}
	if strings.TrimSpace(params.Query) == "" {
		return nil, refuseWith(http.StatusBadRequest, newError(CodeBadRequest, "query is missing"))
	}
	if len(params.Variables) > 0 && !json.Valid(params.Variables) {
		return nil, refuseWith(http.StatusBadRequest, newError(CodeBadRequest, "variables are not valid JSON"))
	}
	eng := engines.Acquire()
	if eng == nil {
		return nil, refuseWith(http.StatusServiceUnavailable, newError(CodeNotReady, "router has no composed supergraph yet"))
	}
	op, refused := p.check(eng, params, identity)
	if refused != nil {
		eng.release()
		return nil, refused
	}
	return op, nil
}

func (p *operationPipeline) check(eng *Engine, params operationParams, identity *authn.Identity) (*preparedOperation, *refusedOperation) {
	// A fresh request for every execution: the engine normalizes it in place.
	req := &graphql.Request{Query: params.Query, OperationName: params.OperationName, Variables: params.Variables}
	// What the checks learn from the text alone is remembered per engine.
	cached := eng.ops.lookup(params.Query, params.OperationName)
	opType, err := cached.opType, cached.opTypeErr
	if cached.parseErr != nil {
		p.metrics.observeOperation("", "unknown", 0, CodeParseFailed)
		return nil, refuseWith(http.StatusOK, *cached.parseErr)
	}
	if err != nil {
		errs := operationErrors(p.logger, err)
		p.metrics.observeOperation("", "unknown", 0, errs[0].Extensions["code"].(string))
		return nil, refuseWith(http.StatusOK, errs...)
	}
	if opType == graphql.OperationTypeUnknown {
		return nil, refuseWith(http.StatusOK, newError(CodeValidationFailed, "operation not found in the document"))
	}
	typeName := opTypeName(opType)
	op := cached.inspected
	refuse := func(status int, errs ...clientError) (*preparedOperation, *refusedOperation) {
		r := refuseWith(status, errs...)
		// The name is the client's: refused operations are counted under one label.
		p.metrics.observeOperation("", typeName, 0, r.code())
		return nil, r
	}
	if !p.introspection && cached.introspection {
		return refuse(http.StatusOK, newError(CodeIntrospection, "introspection is disabled"))
	}
	if refused := checkLimits(p.limits, op); refused != nil {
		return refuse(http.StatusOK, *refused)
	}
	if p.limits.MaxCost > 0 {
		if cost, ok := eng.cost.estimateParsed(cached.doc, cached.op, params.Variables, p.limits.DefaultListSize); ok && cost > p.limits.MaxCost {
			e := newError(CodeCostLimit, fmt.Sprintf("operation exceeds the cost limit: estimated cost %d > %d", cost, p.limits.MaxCost))
			e.Extensions["cost"] = cost
			e.Extensions["maxCost"] = p.limits.MaxCost
			return refuse(http.StatusOK, e)
		}
	}
	if err := cached.validation(params.Variables, func() error {
		return eng.validateForClients(params.Query, params.OperationName, params.Variables)
	}); err != nil {
		return refuse(http.StatusOK, operationErrors(p.logger, err)...)
	}
	if err := eng.checkHiddenInput(params.Query, params.OperationName, params.Variables); err != nil {
		return refuse(http.StatusOK, operationErrors(p.logger, err)...)
	}
	if refused := eng.authz.checkParsed(cached.doc, cached.op, identity); refused != nil {
		status := http.StatusForbidden
		if refused.Extensions["code"] == CodeUnauthenticated {
			status = http.StatusUnauthorized
		}
		return refuse(status, *refused)
	}
	return &preparedOperation{eng: eng, req: req, opType: opType, name: p.metrics.admitOperation(op.name)}, nil
}
