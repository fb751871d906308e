//go:build !dizhtime_laptop

package searchindex

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// Elastic is a client of the Elasticsearch REST API: go-elasticsearch's esapi over its
// transport. Not go-elasticsearch's root package: that one also carries the typed client,
// whose ~860 generated packages were 43% of a cold build of the laptop binary and none of
// which DizhTime calls.
type Elastic struct {
	*esapi.API
	transport *elastictransport.Client
}

// Perform sends a request through the client's transport: an Elastic is the esapi.Transport
// of the requests it builds (`req.Do(ctx, es)`).
func (e *Elastic) Perform(r *http.Request) (*http.Response, error) { return e.transport.Perform(r) }

// NewElastic returns a client of the node at rawURL over rt (nil: a transport for a node
// beside its clients). It does not contact the node; ConnectElasticsearch does.
func NewElastic(rawURL string, rt http.RoundTripper) (*Elastic, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch %s: %w", rawURL, err)
	}
	if rt == nil {
		// Uncompressed: Elasticsearch sits beside its clients, and gzipping every search
		// response cost both sides more CPU than the bytes it saved (the search bench).
		rt = &http.Transport{ResponseHeaderTimeout: 30 * time.Second, MaxIdleConnsPerHost: 64, DisableCompression: true}
	}
	tp, err := elastictransport.New(elastictransport.Config{URLs: []*url.URL{u}, MaxRetries: 3, Transport: rt})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch %s: %w", rawURL, err)
	}
	return &Elastic{API: esapi.New(tp), transport: tp}, nil
}

// ElasticIndex is an Index on a real Elasticsearch node.
type ElasticIndex struct {
	es   *Elastic
	name string
}

// ConnectElasticsearch returns a client for url after the node answers.
func ConnectElasticsearch(ctx context.Context, url string) (*Elastic, error) {
	es, err := NewElastic(url, nil)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	// Cluster health, not GET /: the Maven Central integ-test distribution lacks the root
	// endpoint, and health also proves the node can serve shards.
	res, err := es.Cluster.Health(es.Cluster.Health.WithContext(pingCtx))
	if err != nil {
		return nil, fmt.Errorf("elasticsearch %s: %w", url, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		return nil, fmt.Errorf("elasticsearch %s: %s", url, res.Status())
	}
	return es, nil
}

// OpenElastic opens the index name, creating it with mapping when it does not exist.
func OpenElastic(ctx context.Context, es *Elastic, name string, m Mapping) (*ElasticIndex, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	props := map[string]any{}
	for field, typ := range m {
		props[field] = map[string]any{"type": string(typ)}
	}
	body, _ := json.Marshal(map[string]any{
		"settings": map[string]any{"number_of_shards": 1, "number_of_replicas": 0},
		"mappings": map[string]any{"dynamic": false, "properties": props},
	})
	res, err := es.Indices.Create(name, es.Indices.Create.WithContext(ctx), es.Indices.Create.WithBody(bytes.NewReader(body)))
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", name, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		msg := readError(res)
		if !strings.Contains(msg, "resource_already_exists_exception") {
			return nil, fmt.Errorf("create index %s: %s", name, msg)
		}
	}
	return &ElasticIndex{es: es, name: name}, nil
}

func (e *ElasticIndex) Put(ctx context.Context, id string, doc map[string]any) error {
	raw, err := encodeSource(doc)
	if err != nil {
		return err
	}
	return e.do(ctx, "index "+id, esapi.IndexRequest{Index: e.name, DocumentID: id, Body: bytes.NewReader(raw)}, 0)
}

func (e *ElasticIndex) PutMany(ctx context.Context, docs map[string]map[string]any) error {
	var body bytes.Buffer
	for id, doc := range docs {
		action, _ := json.Marshal(map[string]any{"index": map[string]any{"_id": id}})
		raw, err := encodeSource(doc)
		if err != nil {
			return err
		}
		body.Write(action)
		body.WriteByte('\n')
		body.Write(raw)
		body.WriteByte('\n')
	}
	res, err := esapi.BulkRequest{Index: e.name, Body: &body}.Do(ctx, e.es)
	if err != nil {
		return fmt.Errorf("%s bulk: %w", e.name, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		return fmt.Errorf("%s bulk: %s", e.name, readError(res))
	}
	var parsed struct {
		Errors bool `json:"errors"`
		Items  []map[string]struct {
			ID    string          `json:"_id"`
			Error json.RawMessage `json:"error"`
		} `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&parsed); err != nil {
		return fmt.Errorf("%s bulk: decode: %w", e.name, err)
	}
	if parsed.Errors {
		for _, item := range parsed.Items {
			for _, r := range item {
				if len(r.Error) > 0 {
					return fmt.Errorf("%s bulk: document %s: %s", e.name, r.ID, r.Error)
				}
			}
		}
	}
	return nil
}

func (e *ElasticIndex) Delete(ctx context.Context, id string) error {
	return e.do(ctx, "delete "+id, esapi.DeleteRequest{Index: e.name, DocumentID: id}, http.StatusNotFound)
}

func (e *ElasticIndex) Refresh(ctx context.Context) error {
	return e.do(ctx, "refresh", esapi.IndicesRefreshRequest{Index: []string{e.name}}, 0)
}

func (e *ElasticIndex) Drop(ctx context.Context) error {
	return e.do(ctx, "drop", esapi.IndicesDeleteRequest{Index: []string{e.name}}, http.StatusNotFound)
}

func (e *ElasticIndex) Search(ctx context.Context, q Query) ([]Hit, error) {
	match := map[string]any{"query": q.Text}
	if q.Fuzzy {
		match["fuzziness"] = "AUTO"
	}
	boolQ := map[string]any{"must": []any{map[string]any{"match": map[string]any{q.Field: match}}}}
	if len(q.Filters) > 0 {
		var filters []any
		for field, value := range q.Filters {
			filters = append(filters, map[string]any{"term": map[string]any{field: value}})
		}
		boolQ["filter"] = filters
	}
	body, _ := json.Marshal(map[string]any{"size": q.limit(), "query": map[string]any{"bool": boolQ}})
	res, err := esapi.SearchRequest{Index: []string{e.name}, Body: bytes.NewReader(body)}.Do(ctx, e.es)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", e.name, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		return nil, fmt.Errorf("search %s: %s", e.name, readError(res))
	}
	var parsed struct {
		Hits struct {
			Hits []struct {
				ID     string         `json:"_id"`
				Score  float64        `json:"_score"`
				Source map[string]any `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	if err := json.NewDecoder(res.Body).Decode(&parsed); err != nil {
		return nil, fmt.Errorf("search %s: decode: %w", e.name, err)
	}
	hits := make([]Hit, 0, len(parsed.Hits.Hits))
	for _, h := range parsed.Hits.Hits {
		hits = append(hits, Hit{ID: h.ID, Score: h.Score, Source: h.Source})
	}
	return hits, nil
}

// do runs req and treats an error status other than allowed as a failure.
func (e *ElasticIndex) do(ctx context.Context, what string, req esapi.Request, allowed int) error {
	res, err := req.Do(ctx, e.es)
	if err != nil {
		return fmt.Errorf("%s %s: %w", e.name, what, err)
	}
	defer res.Body.Close()
	if res.IsError() && res.StatusCode != allowed {
		return fmt.Errorf("%s %s: %s", e.name, what, readError(res))
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return nil
}

func readError(res *esapi.Response) string {
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	return res.Status() + " " + string(b)
}
