package core

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

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
	var report operationreport.Report
	if errors.As(err, &report) && len(report.ExternalErrors) == 0 {
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
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": errs})
}

func newError(code, message string) clientError {
	return clientError{Message: message, Extensions: map[string]any{"code": code}}
}
