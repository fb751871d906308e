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
)

// RelationsHTTP writes relation tuples through identity's internal API,
// POST {baseURL}/internal/relations with the tuple as JSON, signed with this process's
// service token (identity refuses a write without one).
//
// Seam: platform/authz has the check client only; when it grows a writer this file goes.
type RelationsHTTP struct {
	baseURL string
	http    *http.Client
}

// NewRelationsHTTP returns a writer for identity at baseURL (e.g. http://127.0.0.1:4001).
func NewRelationsHTTP(baseURL string) *RelationsHTTP {
	return &RelationsHTTP{baseURL: strings.TrimRight(baseURL, "/"), http: authz.NewServiceClient("identity", 5*time.Second)}
}

// WriteRelation implements app.RelationWriter.
func (c *RelationsHTTP) WriteRelation(ctx context.Context, t authz.Tuple) error {
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/internal/relations", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("write relation %s: %w", t, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("write relation %s: %w", t, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("write relation %s: status %s: %s", t, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
