package core

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/wundergraph/graphql-go-tools/execution/graphql"
)

// GraphQLHandler executes queries and mutations over HTTP POST and queries over GET,
// and hands WebSocket upgrades to the WebSocket handler.
type GraphQLHandler struct {
	engines       *EngineHolder
	websocket     http.Handler
	logger        *slog.Logger
	maxBodyBytes  int64
	introspection bool
}

// GraphQLHandlerOptions configure a GraphQLHandler.
type GraphQLHandlerOptions struct {
	Engines       *EngineHolder
	WebSocket     http.Handler
	Logger        *slog.Logger
	MaxBodyBytes  int64
	Introspection bool
}

// NewGraphQLHandler returns the handler for the GraphQL endpoint.
func NewGraphQLHandler(opts GraphQLHandlerOptions) *GraphQLHandler {
	if opts.Engines == nil {
		panic("core: NewGraphQLHandler needs an engine holder")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &GraphQLHandler{
		engines:       opts.Engines,
		websocket:     opts.WebSocket,
		logger:        opts.Logger,
		maxBodyBytes:  opts.MaxBodyBytes,
		introspection: opts.Introspection,
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

	var params operationParams
	switch r.Method {
	case http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeErrors(w, http.StatusRequestEntityTooLarge, newError(CodeBadRequest, "request body too large"))
				return
			}
			writeErrors(w, http.StatusBadRequest, newError(CodeBadRequest, "could not read request body"))
			return
		}
		if err := json.Unmarshal(body, &params); err != nil {
			writeErrors(w, http.StatusBadRequest, newError(CodeBadRequest, "request body is not a GraphQL JSON request"))
			return
		}
	case http.MethodGet:
		q := r.URL.Query()
		params.Query = q.Get("query")
		params.OperationName = q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			params.Variables = json.RawMessage(v)
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		writeErrors(w, http.StatusMethodNotAllowed, newError(CodeBadRequest, "use GET or POST"))
		return
	}
	if strings.TrimSpace(params.Query) == "" {
		writeErrors(w, http.StatusBadRequest, newError(CodeBadRequest, "query is missing"))
		return
	}
	if len(params.Variables) > 0 && !json.Valid(params.Variables) {
		writeErrors(w, http.StatusBadRequest, newError(CodeBadRequest, "variables are not valid JSON"))
		return
	}

	eng := h.engines.Load()
	if eng == nil {
		writeErrors(w, http.StatusServiceUnavailable, newError(CodeNotReady, "router has no composed supergraph yet"))
		return
	}

	// A fresh request for every execution: the engine normalizes it in place.
	req := &graphql.Request{Query: params.Query, OperationName: params.OperationName, Variables: params.Variables}
	opType, err := req.OperationType()
	if err != nil {
		writeErrors(w, http.StatusOK, operationErrors(h.logger, err)...)
		return
	}
	switch opType {
	case graphql.OperationTypeMutation:
		if r.Method == http.MethodGet {
			w.Header().Set("Allow", "POST")
			writeErrors(w, http.StatusMethodNotAllowed, newError(CodeBadRequest, "mutations must use POST"))
			return
		}
	case graphql.OperationTypeSubscription:
		writeErrors(w, http.StatusBadRequest, newError(CodeBadRequest, "subscriptions are served over WebSocket on this endpoint"))
		return
	case graphql.OperationTypeUnknown:
		writeErrors(w, http.StatusOK, newError(CodeValidationFailed, "operation not found in the document"))
		return
	}
	if !h.introspection {
		if is, _ := req.IsIntrospectionQuery(); is || mentionsIntrospection(params.Query) {
			writeErrors(w, http.StatusOK, newError(CodeIntrospection, "introspection is disabled"))
			return
		}
	}

	out := graphql.NewEngineResultWriter()
	if err := eng.exec.Execute(r.Context(), req, &out); err != nil {
		// Validation errors come back as an error, not through the writer.
		writeErrors(w, http.StatusOK, operationErrors(h.logger, err)...)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(out.Bytes())
}

// mentionsIntrospection is a cheap guard for introspection fields nested anywhere;
// IsIntrospectionQuery only recognises whole introspection operations.
func mentionsIntrospection(query string) bool {
	return strings.Contains(query, "__schema") || strings.Contains(query, "__type(") || strings.Contains(query, "__type ")
}

func isWebSocketUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}
