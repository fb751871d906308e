package adapters

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
)

// StaffDirectoryClient asks identity who is staff of a restaurant (its relation tuples,
// owners included by identity's rewrite):
// GET {IdentityURL}/internal/relations/subjects?namespace=restaurant&object=ID&relation=staff
// answering {"subjects": ["user:7", ...]}.
type StaffDirectoryClient struct {
	baseURL string
	client  *http.Client
}

// NewStaffDirectoryClient returns the client for identity at baseURL (http://127.0.0.1:4001);
// it signs each call with this process's service credential, as identity's internal API
// answers services only.
func NewStaffDirectoryClient(baseURL string) *StaffDirectoryClient {
	return &StaffDirectoryClient{baseURL: strings.TrimRight(baseURL, "/"), client: authz.NewServiceClient("identity", 5*time.Second)}
}

// Staff implements app.StaffDirectory: user ids.
func (c *StaffDirectoryClient) Staff(ctx context.Context, restaurantID string) ([]string, error) {
	q := url.Values{"namespace": {"restaurant"}, "object": {restaurantID}, "relation": {"staff"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+"/internal/relations/subjects?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("staff of restaurant %s: %w", restaurantID, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("staff of restaurant %s: %s: %s", restaurantID, resp.Status, strings.TrimSpace(string(body)))
	}
	var out struct {
		Subjects []string `json:"subjects"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("staff of restaurant %s: %w", restaurantID, err)
	}
	users := make([]string, 0, len(out.Subjects))
	for _, s := range out.Subjects {
		if id, ok := strings.CutPrefix(s, "user:"); ok {
			users = append(users, id)
		}
	}
	return users, nil
}
