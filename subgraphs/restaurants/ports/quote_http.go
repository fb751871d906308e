package ports

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// QuotePath is where the internal quote API listens (POST, JSON).
const QuotePath = "/internal/quote"

// Quoter prices a cart (app.Application).
type Quoter interface {
	Quote(ctx context.Context, restaurantID string, lines []domain.QuoteLine) (domain.Quote, *domain.Restaurant, error)
}

// QuoteRequest is the body of POST /internal/quote.
type QuoteRequest struct {
	RestaurantID string             `json:"restaurantId"`
	Lines        []QuoteLineRequest `json:"lines"`
}

// QuoteLineRequest is one cart line.
type QuoteLineRequest struct {
	MenuItemID string   `json:"menuItemId"`
	Quantity   int      `json:"quantity"`
	OptionIDs  []string `json:"optionIds"`
}

// Money is minor units of an ISO 4217 currency.
type Money struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
}

// QuoteResponse is the authoritative price (HTTP 200). Orders stores it with the order
// and places the order only when Available is true.
type QuoteResponse struct {
	RestaurantID   string              `json:"restaurantId"`
	Currency       string              `json:"currency"`
	MenuVersion    int64               `json:"menuVersion"`
	Lines          []QuoteLineResponse `json:"lines"`
	Subtotal       Money               `json:"subtotal"`
	Available      bool                `json:"available"`
	RestaurantOpen bool                `json:"restaurantOpen"`
	QuotedAt       time.Time           `json:"quotedAt"`
}

// QuoteLineResponse is one priced line.
type QuoteLineResponse struct {
	MenuItemID        string           `json:"menuItemId"`
	Name              string           `json:"name"`
	Quantity          int              `json:"quantity"`
	Options           []QuotedOptionV1 `json:"options"`
	UnitPrice         Money            `json:"unitPrice"`
	LineTotal         Money            `json:"lineTotal"`
	Available         bool             `json:"available"`
	UnavailableReason string           `json:"unavailableReason,omitempty"`
}

// QuotedOptionV1 is a chosen option with its price delta.
type QuotedOptionV1 struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	GroupID    string `json:"groupId"`
	PriceDelta Money  `json:"priceDelta"`
}

// ErrorResponse is the body of a non-200 answer: 400 BAD_USER_INPUT (field names the
// request field), 404 NOT_FOUND (no such restaurant), 500 INTERNAL.
type ErrorResponse struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// maxQuoteBody bounds a request: 100 lines with ids and options fit well within.
const maxQuoteBody = 256 << 10

// QuoteHandler serves POST /internal/quote.
func QuoteHandler(q Quoter, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req QuoteRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxQuoteBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, ErrorResponse{Code: string(graphqlerr.CodeBadUserInput), Message: "body must be a JSON quote request: " + err.Error()})
			return
		}
		lines := make([]domain.QuoteLine, len(req.Lines))
		for i, l := range req.Lines {
			lines[i] = domain.QuoteLine{MenuItemID: l.MenuItemID, Quantity: l.Quantity, OptionIDs: l.OptionIDs}
		}
		quote, _, err := q.Quote(r.Context(), req.RestaurantID, lines)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		writeJSON(w, http.StatusOK, toResponse(quote))
	})
}

func money(m domain.Money) Money { return Money{AmountMinor: m.AmountMinor, Currency: m.Currency} }

func toResponse(q domain.Quote) QuoteResponse {
	out := QuoteResponse{RestaurantID: q.RestaurantID, Currency: q.Currency, MenuVersion: q.MenuVersion,
		Lines: []QuoteLineResponse{}, Subtotal: money(q.Subtotal), Available: q.Available,
		RestaurantOpen: q.RestaurantOpen, QuotedAt: q.QuotedAt}
	for _, l := range q.Lines {
		ql := QuoteLineResponse{MenuItemID: l.MenuItemID, Name: l.Name, Quantity: l.Quantity, Options: []QuotedOptionV1{},
			UnitPrice: money(l.UnitPrice), LineTotal: money(l.LineTotal), Available: l.Available, UnavailableReason: l.UnavailableReason}
		for _, o := range l.Options {
			ql.Options = append(ql.Options, QuotedOptionV1{ID: o.ID, Name: o.Name, GroupID: o.GroupID, PriceDelta: money(o.PriceDelta)})
		}
		out.Lines = append(out.Lines, ql)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	var ge *graphqlerr.Error
	if errors.As(err, &ge) {
		switch ge.Code {
		case graphqlerr.CodeBadUserInput:
			writeJSON(w, http.StatusBadRequest, ErrorResponse{Code: string(ge.Code), Field: ge.Field, Message: ge.Message})
			return
		case graphqlerr.CodeNotFound:
			writeJSON(w, http.StatusNotFound, ErrorResponse{Code: string(ge.Code), Message: ge.Message})
			return
		}
	}
	logger.ErrorContext(r.Context(), "internal quote api", "error", err)
	writeJSON(w, http.StatusInternalServerError, ErrorResponse{Code: string(graphqlerr.CodeInternal), Message: "internal error"})
}
