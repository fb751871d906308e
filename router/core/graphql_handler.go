package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wundergraph/graphql-go-tools/execution/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

const tracerName = "github.com/dizhtime/dizhtime/router"

// GraphQLHandler executes queries and mutations over HTTP POST and queries over GET,
// streams subscriptions over SSE and multipart HTTP, and hands WebSocket upgrades to
// the WebSocket handler.
type GraphQLHandler struct {
	engines       *EngineHolder
	websocket     http.Handler
	logger        *slog.Logger
	limits        config.Limits
	introspection bool
	persisted     *persistedQueries
	headers       headerRules
	metrics       *Metrics
	heartbeat     time.Duration
	auth          *authenticator
	limiter       *rateLimiter
	pipeline      *operationPipeline
	// resubscribe re-establishes SSE and multipart subscriptions whose upstream went away.
	resubscribe *resubscriber
	// dedup shares one execution between identical queries in flight (nil: off).
	dedup *inboundDedup
}

// GraphQLHandlerOptions configure a GraphQLHandler.
type GraphQLHandlerOptions struct {
	Engines          *EngineHolder
	WebSocket        http.Handler
	Logger           *slog.Logger
	Limits           config.Limits
	Introspection    bool
	PersistedQueries *persistedQueries
	PropagateHeaders []string
	Metrics          *Metrics
	// Heartbeat is how often an idle SSE or multipart subscription gets a keepalive.
	Heartbeat time.Duration
	// Auth verifies Bearer tokens (nil: every caller is anonymous).
	Auth *authenticator
	// RateLimiter bounds operations per user or IP (nil: no limit).
	RateLimiter *rateLimiter
	// Deduplicate answers identical in-flight queries with one execution (see inboundDedup).
	Deduplicate bool
}

// NewGraphQLHandler returns the handler for the GraphQL endpoint.
func NewGraphQLHandler(opts GraphQLHandlerOptions) *GraphQLHandler {
	if opts.Engines == nil {
		panic("core: NewGraphQLHandler needs an engine holder")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.PersistedQueries == nil {
		opts.PersistedQueries = &persistedQueries{}
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 15 * time.Second
	}
	var dedup *inboundDedup
	if opts.Deduplicate {
		dedup = &inboundDedup{metrics: opts.Metrics}
	}
	return &GraphQLHandler{
		dedup:         dedup,
		engines:       opts.Engines,
		websocket:     opts.WebSocket,
		logger:        opts.Logger,
		limits:        opts.Limits,
		introspection: opts.Introspection,
		persisted:     opts.PersistedQueries,
		headers:       newHeaderRules(opts.PropagateHeaders),
		metrics:       opts.Metrics,
		heartbeat:     opts.Heartbeat,
		auth:          opts.Auth,
		limiter:       opts.RateLimiter,
		pipeline: &operationPipeline{limits: opts.Limits, introspection: opts.Introspection,
			persisted: opts.PersistedQueries, metrics: opts.Metrics, logger: opts.Logger},
		resubscribe: &resubscriber{engines: opts.Engines, logger: opts.Logger},
	}
}

// operationParams is the GraphQL-over-HTTP request body.
type operationParams struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

func (h *GraphQLHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.websocket != nil && isWebSocketUpgrade(r) {
		h.websocket.ServeHTTP(w, r)
		return
	}
	// Identity first: X-DizhTime-* from the client are dropped whatever else happens.
	identity, err := h.auth.authenticateHTTP(r)
	if err != nil {
		h.metrics.observeOperation("", "unknown", 0, CodeUnauthenticated)
		writeUnauthenticated(w, err)
		return
	}
	if wait := h.limiter.allow(r.Context(), identity, r.RemoteAddr); wait > 0 {
		h.metrics.observeOperation("", "unknown", 0, CodeRateLimited)
		writeRateLimited(w, wait)
		return
	}

	media := responseMediaType(r)
	params, status, refused := h.readParams(w, r)
	if refused != nil {
		writeErrorsAs(w, media, status, *refused)
		return
	}
	// Every transport's operations pass the same pipeline (pipeline.go).
	prepared, rejected := h.pipeline.prepare(h.engines, params, identity)
	if rejected != nil {
		writeErrorsAs(w, media, requestErrorStatus(media, rejected), rejected.errs...)
		return
	}
	eng, req, opType := prepared.eng, prepared.req, prepared.opType
	defer eng.release()

	stream := streamingFormat(r)
	switch opType {
	case graphql.OperationTypeMutation:
		if r.Method == http.MethodGet {
			w.Header().Set("Allow", "POST")
			writeErrorsAs(w, media, http.StatusMethodNotAllowed, newError(CodeBadRequest, "mutations must use POST"))
			return
		}
	case graphql.OperationTypeSubscription:
		if stream == streamNone {
			writeErrorsAs(w, media, http.StatusBadRequest, newError(CodeBadRequest,
				"subscriptions need WebSocket, Accept: text/event-stream or Accept: multipart/mixed; subscriptionSpec=1.0"))
			return
		}
	}

	ctx := w3c.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, st := withRequestState(ctx, h.headers.pick(r.Header), identity)
	if opType == graphql.OperationTypeSubscription {
		h.serveSubscription(ctx, w, eng, req, prepared.name, stream, st)
		return
	}
	h.execute(ctx, w, eng, req, st, prepared.name, opTypeName(opType), media)
}

// readParams reads the operation from a POST body or GET query string.
func (h *GraphQLHandler) readParams(w http.ResponseWriter, r *http.Request) (operationParams, int, *clientError) {
	var params operationParams
	switch r.Method {
	case http.MethodPost:
		// A JSON body only (GraphQL over HTTP): a form or a text/plain POST, which a
		// browser sends cross-site without a preflight, never runs an operation.
		if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/json" {
			return params, http.StatusUnsupportedMediaType, refusal(CodeBadRequest, "a POST needs Content-Type: application/json")
		}
		var src io.Reader = r.Body
		if h.limits.MaxRequestBodyBytes > 0 { // 0: no limit
			src = http.MaxBytesReader(w, r.Body, h.limits.MaxRequestBodyBytes)
		}
		body, err := io.ReadAll(src)
		if err != nil {
			if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
				return params, http.StatusRequestEntityTooLarge, refusal(CodeBodyTooLarge, "request body is larger than the limit")
			}
			return params, http.StatusBadRequest, refusal(CodeBadRequest, "could not read request body")
		}
		if err := json.Unmarshal(body, &params); err != nil {
			return params, http.StatusBadRequest, refusal(CodeBadRequest, "request body is not a GraphQL JSON request")
		}
		if refused := checkParamsShape(params); refused != nil {
			return params, http.StatusBadRequest, refused
		}
	case http.MethodGet:
		q := r.URL.Query()
		params.Query = q.Get("query")
		params.OperationName = q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			params.Variables = json.RawMessage(v)
		}
		if v := q.Get("extensions"); v != "" {
			params.Extensions = json.RawMessage(v)
		}
		if refused := checkParamsShape(params); refused != nil {
			return params, http.StatusBadRequest, refused
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		return params, http.StatusMethodNotAllowed, refusal(CodeBadRequest, "use GET or POST")
	}
	return params, 0, nil
}

// execute runs a query or mutation and writes its response. Identical queries in
// flight share one execution when deduplication is on.
func (h *GraphQLHandler) execute(ctx context.Context, w http.ResponseWriter, eng *Engine, req *graphql.Request, st *requestState, opName, opType, media string) {
	start := time.Now()
	var answer executionAnswer
	if h.dedup != nil && opType == "query" {
		key := dedupKey(eng, req.OperationName, req.Query, req.Variables, st)
		answer, _ = h.dedup.do(ctx, key, func(ctx context.Context) executionAnswer {
			// The execution may outlive the request that started it (see inboundDedup):
			// it holds the engine itself.
			eng.acquire()
			defer eng.release()
			return h.run(ctx, eng, req, st, opName, opType)
		})
	} else {
		answer = h.run(ctx, eng, req, st, opName, opType)
	}
	h.metrics.observeExecution(ctx, opName, opType, time.Since(start), answer.code)
	if answer.errs != nil {
		status := answer.status
		if answer.requestError && media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		writeErrorsAs(w, media, status, answer.errs...)
		return
	}
	w.Header().Set("Content-Type", media)
	_, _ = w.Write(answer.body)
}

// run executes the operation on the engine.
func (h *GraphQLHandler) run(ctx context.Context, eng *Engine, req *graphql.Request, st *requestState, opName, opType string) executionAnswer {
	ctx, span := routerTracer().Start(ctx, "GraphQL "+opType+" "+opName,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("graphql.operation.name", opName), attribute.String("graphql.operation.type", opType)))
	defer span.End()
	if h.limits.RequestTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.limits.RequestTimeout)
		defer cancel()
	}

	out := responseBuffers.Get().(*bytes.Buffer)
	out.Reset()
	defer func() {
		if out.Cap() <= maxPooledResponse {
			responseBuffers.Put(out)
		}
	}()
	query, operationName := req.Query, req.OperationName
	hit, err := eng.prepared.execute(ctx, eng.ops.lookup(query, operationName), req, callerHeader(st), out)
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		span.SetStatus(codes.Error, "request timeout")
		return executionAnswer{status: http.StatusGatewayTimeout, code: CodeRequestTimeout,
			errs: []clientError{newError(CodeRequestTimeout, "the operation took longer than the request timeout")}}
	case err != nil:
		// Validation errors come back as an error, not through the writer.
		errs := operationErrors(withTrace(ctx, h.logger), err)
		code := errs[0].Extensions["code"].(string)
		return executionAnswer{status: http.StatusOK, errs: errs, code: code, requestError: code != CodeInternal}
	}
	h.metrics.planCacheLookup(hit)
	body, errCode := annotateSubgraphErrors(eng.hidden.hideOutput(query, operationName, out.Bytes()), st)
	// The buffer goes back to the pool: the answer keeps its own copy (one allocation of
	// the final size instead of a buffer grown by doubling for every response).
	body = bytes.Clone(body)
	if errCode != "" {
		span.SetStatus(codes.Error, errCode)
	}
	if h.logger != nil && h.logger.Enabled(ctx, slog.LevelDebug) { // one line per operation, carrying its trace id (platform/logging)
		h.logger.DebugContext(ctx, "operation executed", "operation", opName, "type", opType, "error_code", errCode)
	}
	return executionAnswer{status: http.StatusOK, body: body, code: errCode}
}

// responseBuffers are the buffers responses are resolved into.
var responseBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledResponse keeps buffers grown by a rare huge response out of the pool.
const maxPooledResponse = 1 << 20

func opTypeName(t graphql.OperationType) string {
	switch t {
	case graphql.OperationTypeQuery:
		return "query"
	case graphql.OperationTypeMutation:
		return "mutation"
	case graphql.OperationTypeSubscription:
		return "subscription"
	}
	return "unknown"
}

// mentionsIntrospection is a cheap guard for introspection fields nested anywhere;
// IsIntrospectionQuery only recognises whole introspection operations.
func mentionsIntrospection(query string) bool {
	return strings.Contains(query, "__schema") || strings.Contains(query, "__type(") || strings.Contains(query, "__type ")
}

func isWebSocketUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// streamFormat is how a client asked to receive a subscription over plain HTTP.
type streamFormat int

const (
	streamNone streamFormat = iota
	streamSSE
	streamMultipart
)

func streamingFormat(r *http.Request) streamFormat {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch {
		case mt == "text/event-stream":
			return streamSSE
		case mt == "multipart/mixed" && params["subscriptionspec"] != "":
			return streamMultipart
		}
	}
	return streamNone
}

// The response media types of GraphQL over HTTP.
const (
	// mediaGraphQLResponse is the spec's own type: its status codes tell request errors
	// (parse, validation, variable coercion: 400) from execution results (200).
	mediaGraphQLResponse = "application/graphql-response+json; charset=utf-8"
	// mediaJSON is the legacy type: every well-formed request answers 200.
	mediaJSON = "application/json; charset=utf-8"
)

// responseMediaType negotiates the response type from Accept: the spec's
// application/graphql-response+json when the client accepts it at least as much as
// application/json, otherwise application/json (also for a missing Accept or */*, as the
// spec asks during its watershed).
func responseMediaType(r *http.Request) string {
	qGraphQL, qJSON := -1.0, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		switch mt {
		case "application/graphql-response+json":
			qGraphQL = max(qGraphQL, q)
		case "application/json":
			qJSON = max(qJSON, q)
		}
	}
	if qGraphQL > 0 && qGraphQL >= qJSON {
		return mediaGraphQLResponse
	}
	return mediaJSON
}

// requestErrorStatus is the status of an operation refused before execution: the
// pipeline's own where it chose one (401, 403, 503, ...); a request error that
// application/json answers with 200 is a 400 in application/graphql-response+json. Only
// persisted-query misses keep 200 there too: APQ clients retry with the full text on it.
func requestErrorStatus(media string, refused *refusedOperation) int {
	if media != mediaGraphQLResponse || refused.status != http.StatusOK {
		return refused.status
	}
	switch refused.code() {
	case CodePersistedQueryNotFound:
		return http.StatusOK
	case CodeInternal:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// checkParamsShape refuses request parameters of the wrong JSON type: variables and
// extensions are objects (or null), never a string, number, boolean or array.
func checkParamsShape(params operationParams) *clientError {
	for name, raw := range map[string]json.RawMessage{"variables": params.Variables, "extensions": params.Extensions} {
		if len(raw) == 0 {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return refusal(CodeBadRequest, name+" are not valid JSON")
		}
		if _, isObject := v.(map[string]any); !isObject && v != nil {
			return refusal(CodeBadRequest, name+" must be a JSON object")
		}
	}
	return nil
}
