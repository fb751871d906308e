package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"

	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/graphqlerrors"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/operationreport"
)

// Error codes carried in extensions.code.
const (
	CodeBadRequest       = "BAD_REQUEST"
	CodeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	CodeInternal         = "INTERNAL_SERVER_ERROR"
	CodeNotReady         = "ROUTER_NOT_READY"
	CodeIntrospection    = "INTROSPECTION_DISABLED"
	// CodeSupergraphReloaded ends a subscription whose engine was replaced by a hot
	// reload that changed the supergraph: the client subscribes again, on the new graph.
	CodeSupergraphReloaded = "SUPERGRAPH_RELOADED"
)

type clientError struct {
	Message    string          `json:"message"`
	Locations  json.RawMessage `json:"locations,omitempty"`
	Path       json.RawMessage `json:"path,omitempty"`
	Extensions map[string]any  `json:"extensions"`
}

// operationErrors turns an error the engine returned before resolving (parse,
// validation, variables, planning) into GraphQL errors. Validation problems reach the
// client; internal ones are logged and replaced by a generic message.
func operationErrors(logger *slog.Logger, err error) []clientError {
	var refusal plannerRefusal
	if errors.As(err, &refusal) {
		return []clientError{newError(CodeQueryPlanningFailed, string(refusal))}
	}
	var report operationreport.Report
	if errors.As(err, &report) && len(report.ExternalErrors) == 0 {
		if ce, ok := planningError(err); ok {
			logger.Warn("operation cannot be planned", "error", err)
			return []clientError{ce}
		}
		logger.Error("execute operation", "error", err)
		return []clientError{{Message: "internal server error", Extensions: map[string]any{"code": CodeInternal}}}
	}
	reqErrs := graphqlerrors.RequestErrorsFromError(err)
	out := make([]clientError, 0, len(reqErrs))
	for _, re := range reqErrs {
		ce := clientError{Message: re.Message, Extensions: map[string]any{"code": CodeValidationFailed}}
		if raw, mErr := json.Marshal(re); mErr == nil {
			var parts struct {
				Locations json.RawMessage `json:"locations"`
				Path      json.RawMessage `json:"path"`
			}
			if json.Unmarshal(raw, &parts) == nil {
				if len(parts.Locations) > 0 && string(parts.Locations) != "null" && string(parts.Locations) != "[]" {
					ce.Locations = parts.Locations
				}
				if len(parts.Path) > 0 && string(parts.Path) != "null" && string(parts.Path) != "[]" {
					ce.Path = parts.Path
				}
			}
		}
		out = append(out, ce)
	}
	return out
}

func writeErrors(w http.ResponseWriter, status int, errs ...clientError) {
	writeErrorsAs(w, mediaJSON, status, errs...)
}

// writeErrorsAs answers with errors only, in the negotiated media type.
func writeErrorsAs(w http.ResponseWriter, contentType string, status int, errs ...clientError) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": errs})
}

// parseFailure is a syntax error as clients see it: GRAPHQL_PARSE_FAILED with the
// parser's message and its 1-based line and column.
func parseFailure(err error) *clientError {
	ce := newError(CodeParseFailed, err.Error())
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		ce.Message = "Syntax Error: " + ge.Message
		if len(ge.Locations) > 0 {
			ce.Locations = mustJSON(ge.Locations)
		}
	}
	return &ce
}

func newError(code, message string) clientError {
	return clientError{Message: message, Extensions: map[string]any{"code": code}}
}

// Error codes for subgraph failures, set on the engine's "Failed to fetch from
// Subgraph 'x'" errors together with extensions.subgraph.
const (
	CodeSubgraphUnavailable = "SUBGRAPH_UNAVAILABLE"
	CodeSubgraphTimeout     = "SUBGRAPH_TIMEOUT"
	CodeSubgraphError       = "SUBGRAPH_ERROR"
)

var subgraphInMessage = regexp.MustCompile(`Subgraph '([^']+)'`)

// annotateSubgraphErrors gives every error that names a subgraph an extensions.code
// (unavailable or timed out when the transport saw the fetch fail, otherwise the
// subgraph answered with errors) and extensions.subgraph, and any other error without a
// code INTERNAL_SERVER_ERROR. It returns the response to
// send and the first error code, for metrics ("" when there are no errors).
func annotateSubgraphErrors(body []byte, st *requestState) ([]byte, string) {
	if !bytes.Contains(body, []byte(`"errors"`)) {
		return body, ""
	}
	var resp map[string]json.RawMessage
	if json.Unmarshal(body, &resp) != nil {
		return body, CodeInternal
	}
	var errs []map[string]any
	if json.Unmarshal(resp["errors"], &errs) != nil || len(errs) == 0 {
		return body, ""
	}
	first := ""
	for _, e := range errs {
		ext, _ := e["extensions"].(map[string]any)
		msg, _ := e["message"].(string)
		if m := subgraphInMessage.FindStringSubmatch(msg); m != nil {
			if ext == nil {
				ext = map[string]any{}
			}
			code := CodeSubgraphError
			if st != nil {
				if c, ok := st.failure(m[1]); ok {
					code = c
				}
			}
			if _, has := ext["code"]; !has || ext["code"] == "DOWNSTREAM_SERVICE_ERROR" {
				ext["code"] = code
			}
			ext["subgraph"] = m[1]
			e["extensions"] = ext
		}
		if _, has := ext["code"]; !has {
			// Every error crossing the boundary carries a code: one the engine raised
			// itself (a non-null violation, a failed resolution) is the router's.
			if ext == nil {
				ext = map[string]any{}
			}
			ext["code"] = CodeInternal
			e["extensions"] = ext
		}
		if c, ok := ext["code"].(string); ok && first == "" {
			first = c
		}
	}
	raw, err := json.Marshal(errs)
	if err != nil {
		return body, first
	}
	resp["errors"] = raw
	out, err := json.Marshal(resp)
	if err != nil {
		return body, first
	}
	return out, first
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
