package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/dizhtime/dizhtime/router/pkg/compose"
)

var pingClient = &http.Client{}

// pingSubgraphs asks every subgraph for { __typename } and reports those that do not
// answer with HTTP 200.
func pingSubgraphs(ctx context.Context, subgraphs []compose.Subgraph) error {
	errs := make([]error, len(subgraphs))
	var wg sync.WaitGroup
	for i, s := range subgraphs {
		wg.Go(func() { errs[i] = pingSubgraph(ctx, s) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func pingSubgraph(ctx context.Context, s compose.Subgraph) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.RoutingURL, bytes.NewReader([]byte(`{"query":"{__typename}"}`)))
	if err != nil {
		return fmt.Errorf("subgraph %s: %w", s.Name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := pingClient.Do(req)
	if err != nil {
		return fmt.Errorf("subgraph %s unreachable: %w", s.Name, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("subgraph %s answered %s", s.Name, resp.Status)
	}
	return nil
}
