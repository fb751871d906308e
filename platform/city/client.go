package city

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// Client talks to the router: URL is its GraphQL endpoint, WSURL the same over WebSocket.
type Client struct {
	URL   string
	WSURL string
	// Timeout bounds each request (default 15 s).
	Timeout time.Duration
}

// NewClient is a client of the router whose GraphQL endpoint is url (http://host:port/graphql).
func NewClient(url string) *Client {
	return &Client{URL: url, WSURL: "ws" + strings.TrimPrefix(url, "http")}
}

// Session is a signed-in account.
type Session struct {
	client *Client
	UserID string
	Email  string
	Token  string
	Roles  []string
	// password signs the session in again when its access token expires (long simulations).
	password string
	mu       sync.Mutex
}

// GraphQLError is a response's errors, with their codes (the router's and the subgraphs').
type GraphQLError struct {
	Operation string
	Codes     []string
	Messages  []string
}

func (e *GraphQLError) Error() string {
	return fmt.Sprintf("%s: %s (codes %v)", e.Operation, strings.Join(e.Messages, "; "), e.Codes)
}

// Has reports whether the errors carry code.
func (e *GraphQLError) Has(code string) bool {
	for _, c := range e.Codes {
		if c == code {
			return true
		}
	}
	return false
}

// do runs one operation as token ("" anonymous) and decodes data into out.
func (c *Client) do(ctx context.Context, token, query string, vars map[string]any, out any) error {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var headers http.Header
	if token != "" {
		headers = routertest.Bearer(token)
	}
	res, err := routertest.Post(ctx, c.URL, query, vars, headers)
	if err != nil {
		return fmt.Errorf("%s: %w", operationName(query), err)
	}
	if len(res.Errors) > 0 {
		e := &GraphQLError{Operation: operationName(query), Codes: res.Codes()}
		for _, m := range res.Errors {
			e.Messages = append(e.Messages, m.Message)
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := res.Decode(out); err != nil {
		return fmt.Errorf("%s: decode %s: %w", operationName(query), res.Data, err)
	}
	return nil
}

// Do runs one operation as the session's account.
// An expired token is renewed by signing in again, once.
func (s *Session) Do(ctx context.Context, query string, vars map[string]any, out any) error {
	token := s.token()
	err := s.client.do(ctx, token, query, vars, out)
	var gqlErr *GraphQLError
	if errors.As(err, &gqlErr) && gqlErr.Has("UNAUTHENTICATED") && s.password != "" {
		if s.Renew(ctx) != nil {
			return err
		}
		return s.client.do(ctx, s.token(), query, vars, out)
	}
	return err
}

// Renew signs the session in again for a fresh access token. Do renews by itself; a
// subscription cannot: the router ends it with UNAUTHENTICATED when the token it started
// with expires, and the subscriber renews before subscribing again.
func (s *Session) Renew(ctx context.Context) error {
	if s.password == "" {
		return errors.New("renew session: no password to sign in with")
	}
	fresh, err := s.client.Login(ctx, s.Email, s.password)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.Token = fresh.Token
	s.mu.Unlock()
	return nil
}

func (s *Session) token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Token
}

// Subscribe starts a subscription as the session's account over graphql-transport-ws.
func (s *Session) Subscribe(ctx context.Context, query string, vars map[string]any) (*routertest.Subscription, error) {
	return routertest.Subscribe(ctx, s.client.WSURL, query, vars, map[string]any{"Authorization": "Bearer " + s.token()})
}

// operationName is the name after "query"/"mutation"/"subscription", for error messages.
func operationName(query string) string {
	f := strings.Fields(query)
	if len(f) >= 2 {
		return strings.SplitN(f[1], "(", 2)[0]
	}
	return "operation"
}
