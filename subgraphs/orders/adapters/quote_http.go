package adapters

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// QuoteClient is app.PriceQuoter over the restaurants subgraph's documented contract,
// its GraphQL `quote(input: QuoteInput!): Quote!` query, asked directly (service to
// service, not through the router).
type QuoteClient struct {
	url     string
	http    *http.Client
	timeout time.Duration
}

// NewQuoteClient returns a client for the restaurants GraphQL endpoint url
// (http://host:port/query).
func NewQuoteClient(url string, timeout time.Duration) *QuoteClient {
	// Signed as this service: restaurants may tell a service call from a client's.
	return &QuoteClient{url: url, http: &http.Client{Transport: authz.ServiceTransport{Audience: "restaurants"}}, timeout: timeout}
}

// QuoteQuery is the operation the client sends.
const QuoteQuery = `query OrdersQuote($in: QuoteInput!) { quote(input: $in) {
  restaurantId currency available restaurantOpen subtotal { amountMinor currency }
  lines { menuItem { id } name quantity available unavailableReason
    unitPrice { amountMinor currency } lineTotal { amountMinor currency }
    options { id name groupId priceDelta { amountMinor currency } } } } }`

type moneyJSON struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
}

func (m moneyJSON) domain() domain.Money {
	return domain.Money{Minor: m.AmountMinor, Currency: m.Currency}
}

type quoteResponse struct {
	Data *struct {
		Quote *struct {
			RestaurantID   string    `json:"restaurantId"`
			Currency       string    `json:"currency"`
			Available      bool      `json:"available"`
			RestaurantOpen bool      `json:"restaurantOpen"`
			Subtotal       moneyJSON `json:"subtotal"`
			Lines          []struct {
				MenuItem struct {
					ID string `json:"id"`
				} `json:"menuItem"`
				Name              string    `json:"name"`
				Quantity          int       `json:"quantity"`
				Available         bool      `json:"available"`
				UnavailableReason *string   `json:"unavailableReason"`
				UnitPrice         moneyJSON `json:"unitPrice"`
				LineTotal         moneyJSON `json:"lineTotal"`
				Options           []struct {
					ID         string    `json:"id"`
					Name       string    `json:"name"`
					GroupID    string    `json:"groupId"`
					PriceDelta moneyJSON `json:"priceDelta"`
				} `json:"options"`
			} `json:"lines"`
		} `json:"quote"`
	} `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code  string `json:"code"`
			Field string `json:"field"`
		} `json:"extensions"`
	} `json:"errors"`
}

// Quote asks restaurants for the price of lines.
func (c *QuoteClient) Quote(ctx context.Context, restaurantID string, lines []app.QuoteLine) (app.Quote, error) {
	in := map[string]any{"restaurantId": restaurantID}
	ls := make([]map[string]any, len(lines))
	for i, l := range lines {
		ls[i] = map[string]any{"menuItemId": l.MenuItemID, "quantity": l.Quantity, "optionIds": l.OptionIDs}
	}
	in["lines"] = ls
	body, err := json.Marshal(map[string]any{"query": QuoteQuery, "variables": map[string]any{"in": in}})
	if err != nil {
		return app.Quote{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return app.Quote{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return app.Quote{}, fmt.Errorf("quote %s: %w", restaurantID, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return app.Quote{}, fmt.Errorf("quote %s: %w", restaurantID, err)
	}
	var out quoteResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return app.Quote{}, fmt.Errorf("quote %s: status %s, not a GraphQL response", restaurantID, resp.Status)
	}
	for _, e := range out.Errors {
		switch e.Extensions.Code {
		case "BAD_USER_INPUT", "NOT_FOUND":
			// restaurants names the path under its quote argument (input.lines[0].optionIds);
			// placeOrder's lines are under input too, but orders names its fields without it.
			field := strings.TrimPrefix(e.Extensions.Field, "input.")
			switch {
			case e.Extensions.Code == "NOT_FOUND":
				field = "restaurantId" // restaurants' only NOT_FOUND here: no such restaurant
			case field == "" || field == "input":
				field = "lines"
			}
			return app.Quote{}, &app.QuoteInputError{Field: field, Message: e.Message}
		}
	}
	if len(out.Errors) > 0 || out.Data == nil || out.Data.Quote == nil {
		return app.Quote{}, fmt.Errorf("quote %s: status %s, errors %+v", restaurantID, resp.Status, out.Errors)
	}
	q := out.Data.Quote
	res := app.Quote{RestaurantID: q.RestaurantID, Currency: q.Currency, Subtotal: q.Subtotal.domain(),
		Available: q.Available, RestaurantOpen: q.RestaurantOpen}
	for _, l := range q.Lines {
		dl := domain.Line{MenuItemID: l.MenuItem.ID, Name: l.Name, Quantity: l.Quantity,
			UnitPrice: l.UnitPrice.domain(), LineTotal: l.LineTotal.domain()}
		for _, o := range l.Options {
			dl.Options = append(dl.Options, domain.ChosenOption{ID: o.ID, Name: o.Name, GroupID: o.GroupID, PriceDelta: o.PriceDelta.domain()})
		}
		res.Lines = append(res.Lines, dl)
		if !l.Available {
			reason := "unavailable"
			if l.UnavailableReason != nil {
				reason = *l.UnavailableReason
			}
			res.Unavailable = append(res.Unavailable, l.Name+": "+reason)
		}
	}
	return res, nil
}
