//go:build !dizhtime_laptop

package adapters

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	gojson "github.com/goccy/go-json"

	"github.com/dizhtime/dizhtime/platform/searchindex"
	"github.com/dizhtime/dizhtime/subgraphs/search/app"
	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

// elasticMapping is the restaurant document's mapping. Opening hours are integer
// ranges: a term query for the current UTC minute of the week matches a document when
// one of its ranges contains it.
const elasticMapping = `{
  "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
  "mappings": {
    "dynamic": false,
    "properties": {
      "id": {"type": "keyword"},
      "name": {"type": "text"},
      "cuisines": {"type": "keyword"},
      "is_open": {"type": "boolean"},
      "listed": {"type": "boolean"},
      "location": {"type": "geo_point"},
      "price_level": {"type": "integer"},
      "rating": {"type": "float"},
      "dietary": {"type": "keyword"},
      "tags": {"type": "keyword"},
      "promoted": {"type": "boolean"},
      "open_minutes": {"type": "integer_range"},
      "keywords": {"type": "text"},
      "dishes": {"properties": {"name": {"type": "text"}, "description": {"type": "text"}}}
    }
  }
}`

// ElasticCatalog manages the physical indexes behind one alias on an Elasticsearch node.
type ElasticCatalog struct {
	es    *searchindex.Elastic
	alias string
}

// NewElasticCatalog manages alias on es.
func NewElasticCatalog(es *searchindex.Elastic, alias string) (*ElasticCatalog, error) {
	if es == nil || alias == "" || alias != strings.ToLower(alias) {
		return nil, fmt.Errorf("elastic catalog: a client and a lower-case alias are required, got %q", alias)
	}
	return &ElasticCatalog{es: es, alias: alias}, nil
}

// Live returns the index behind the alias, creating a first physical index when the
// alias does not exist yet.
func (c *ElasticCatalog) Live(ctx context.Context) (*ElasticIndex, error) {
	current, err := c.aliased(ctx)
	if err != nil {
		return nil, err
	}
	if current == "" {
		name := c.alias + "-0"
		if _, err := c.Create(ctx, name); err != nil && !strings.Contains(err.Error(), "resource_already_exists") {
			return nil, err
		}
		if _, err := c.SwapAlias(ctx, name); err != nil {
			return nil, err
		}
	}
	return &ElasticIndex{es: c.es, name: c.alias}, nil
}

// Create makes the physical index name.
func (c *ElasticCatalog) Create(ctx context.Context, name string) (app.Index, error) {
	res, err := c.es.Indices.Create(name, c.es.Indices.Create.WithContext(ctx),
		c.es.Indices.Create.WithBody(strings.NewReader(elasticMapping)))
	if err := check(res, err, "create index "+name); err != nil {
		return nil, err
	}
	return &ElasticIndex{es: c.es, name: name}, nil
}

func (c *ElasticCatalog) aliased(ctx context.Context) (string, error) {
	res, err := c.es.Indices.GetAlias(c.es.Indices.GetAlias.WithContext(ctx), c.es.Indices.GetAlias.WithName(c.alias))
	if err == nil && res.StatusCode == http.StatusNotFound {
		res.Body.Close()
		return "", nil
	}
	var body map[string]any
	if err := decode(res, err, "get alias "+c.alias, &body); err != nil {
		return "", err
	}
	for index := range body {
		return index, nil
	}
	return "", nil
}

// SwapAlias moves the alias to name in one _aliases request.
func (c *ElasticCatalog) SwapAlias(ctx context.Context, name string) (string, error) {
	previous, err := c.aliased(ctx)
	if err != nil {
		return "", err
	}
	actions := []map[string]any{{"add": map[string]any{"index": name, "alias": c.alias, "is_write_index": true}}}
	if previous != "" && previous != name {
		actions = append([]map[string]any{{"remove": map[string]any{"index": previous, "alias": c.alias}}}, actions...)
	}
	body, _ := json.Marshal(map[string]any{"actions": actions})
	res, err := c.es.Indices.UpdateAliases(bytes.NewReader(body), c.es.Indices.UpdateAliases.WithContext(ctx))
	return previous, check(res, err, "swap alias "+c.alias)
}

// Drop deletes the physical index name.
func (c *ElasticCatalog) Drop(ctx context.Context, name string) error {
	res, err := c.es.Indices.Delete([]string{name}, c.es.Indices.Delete.WithContext(ctx))
	if err == nil && res.StatusCode == http.StatusNotFound {
		res.Body.Close()
		return nil
	}
	return check(res, err, "drop index "+name)
}

// DropAll deletes the alias's current index (tests and benchmarks clean up with it).
func (c *ElasticCatalog) DropAll(ctx context.Context) error {
	current, err := c.aliased(ctx)
	if err != nil || current == "" {
		return err
	}
	return c.Drop(ctx, current)
}

// ElasticIndex is the read model on Elasticsearch, addressed by index or alias name.
type ElasticIndex struct {
	es    *searchindex.Elastic
	name  string
	words wordCache
}

var _ app.Index = (*ElasticIndex)(nil)

// maxUpdateAttempts bounds optimistic-concurrency retries of one document.
const maxUpdateAttempts = 20

// Update is a compare-and-set on _seq_no/_primary_term: no script is needed, and the
// two halves of the document keep separate versions (external versioning has only one).
func (x *ElasticIndex) Update(ctx context.Context, id string, fn func(*domain.Restaurant) (*domain.Restaurant, error)) error {
	for range maxUpdateAttempts {
		cur, seq, term, err := x.get(ctx, id)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		body, err := json.Marshal(next)
		if err != nil {
			return fmt.Errorf("encode restaurant %s: %w", id, err)
		}
		req := esapi.IndexRequest{Index: x.name, DocumentID: id, Body: bytes.NewReader(body)}
		if cur == nil {
			req.OpType = "create"
		} else {
			req.IfSeqNo, req.IfPrimaryTerm = &seq, &term
		}
		res, err := req.Do(ctx, x.es)
		if err == nil && res.StatusCode == http.StatusConflict {
			res.Body.Close()
			continue // someone else wrote id since we read it: read again
		}
		return check(res, err, "index restaurant "+id)
	}
	return fmt.Errorf("index restaurant %s: still conflicting after %d attempts", id, maxUpdateAttempts)
}

func (x *ElasticIndex) get(ctx context.Context, id string) (*domain.Restaurant, int, int, error) {
	res, err := x.es.Get(x.name, id, x.es.Get.WithContext(ctx))
	if err == nil && res.StatusCode == http.StatusNotFound {
		res.Body.Close()
		return nil, 0, 0, nil
	}
	var doc struct {
		Source      domain.Restaurant `json:"_source"`
		SeqNo       int               `json:"_seq_no"`
		PrimaryTerm int               `json:"_primary_term"`
	}
	if err := decode(res, err, "get restaurant "+id, &doc); err != nil {
		return nil, 0, 0, err
	}
	return &doc.Source, doc.SeqNo, doc.PrimaryTerm, nil
}

// Get returns the stored document id.
func (x *ElasticIndex) Get(ctx context.Context, id string) (*domain.Restaurant, error) {
	r, _, _, err := x.get(ctx, id)
	return r, err
}

// Refresh makes every write searchable.
func (x *ElasticIndex) Refresh(ctx context.Context) error {
	res, err := x.es.Indices.Refresh(x.es.Indices.Refresh.WithContext(ctx), x.es.Indices.Refresh.WithIndex(x.name))
	return check(res, err, "refresh "+x.name)
}

// Compact force-merges the index into one segment.
func (x *ElasticIndex) Compact(ctx context.Context) error {
	res, err := x.es.Indices.Forcemerge(x.es.Indices.Forcemerge.WithContext(ctx), x.es.Indices.Forcemerge.WithIndex(x.name),
		x.es.Indices.Forcemerge.WithMaxNumSegments(1))
	return check(res, err, "force merge "+x.name)
}

var _ app.Compactor = (*ElasticIndex)(nil)

// PutMany writes documents as they are, in one bulk request (seeding and benchmarks).
func (x *ElasticIndex) PutMany(ctx context.Context, docs []domain.Restaurant) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, d := range docs {
		_ = enc.Encode(map[string]any{"index": map[string]any{"_index": x.name, "_id": d.ID}})
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	var out struct {
		Errors bool `json:"errors"`
		Items  []map[string]struct {
			Error json.RawMessage `json:"error"`
		} `json:"items"`
	}
	res, err := x.es.Bulk(&buf, x.es.Bulk.WithContext(ctx))
	if err := decode(res, err, "bulk index", &out); err != nil {
		return err
	}
	if out.Errors {
		for _, it := range out.Items {
			for _, v := range it {
				if len(v.Error) > 0 {
					return fmt.Errorf("bulk index: %s", v.Error)
				}
			}
		}
	}
	return nil
}

// matchFields are where every query word must be found: the name, the dish names and the
// keywords (cuisines, tags and dietary tags: "vegan" or "pizza" find the places that
// are). Dish descriptions raise the score of a restaurant that matches but never make
// one match on their own: in a real menu almost every word is in some description, so
// they would make most of a city match every search and cost most of each search.
var matchFields = []string{"name^3", "dishes.name^2", "keywords^2"}

// maxTypoExpansions bounds the indexed words one typo-tolerant query word expands to.
const maxTypoExpansions = 10

func (x *ElasticIndex) filters(q domain.Query) []any {
	f := []any{term("listed", true)}
	if len(q.Filters.Cuisines) > 0 {
		f = append(f, map[string]any{"terms": map[string]any{"cuisines": q.Filters.Cuisines}})
	}
	for _, d := range q.Filters.Dietary {
		f = append(f, term("dietary", d))
	}
	if q.Filters.MaxPriceLevel > 0 {
		f = append(f, map[string]any{"range": map[string]any{"price_level": map[string]any{"gte": 1, "lte": q.Filters.MaxPriceLevel}}})
	}
	if q.Filters.MinRating > 0 {
		f = append(f, map[string]any{"range": map[string]any{"rating": map[string]any{"gte": q.Filters.MinRating}}})
	}
	if q.Filters.OpenAt != nil {
		f = append(f, term("is_open", true), term("open_minutes", domain.MinuteOfWeek(*q.Filters.OpenAt)))
	}
	if q.Near != nil && q.RadiusMeters > 0 {
		f = append(f, map[string]any{"geo_distance": map[string]any{
			"distance": strconv.FormatFloat(q.RadiusMeters, 'f', 0, 64) + "m", "location": geo(*q.Near)}})
	}
	return f
}

func term(field string, v any) map[string]any {
	return map[string]any{"term": map[string]any{field: v}}
}

func geo(p domain.GeoPoint) map[string]any { return map[string]any{"lat": p.Lat, "lon": p.Lon} }

// textQuery finds the restaurants where every query word is in one of matchFields:
// exactly or, with typos, within Elasticsearch's AUTO fuzziness (an exact word weighs
// twice a typo). Descriptions with the words add to the score.
func textQuery(text string, typos bool) map[string]any {
	words := domain.Terms(text)
	if len(words) == 0 {
		return map[string]any{"match_all": map[string]any{}}
	}
	var must []any
	if typos {
		for _, w := range words {
			must = append(must, map[string]any{"bool": map[string]any{"should": []any{
				map[string]any{"multi_match": map[string]any{"query": w, "fields": matchFields, "boost": 2}},
				map[string]any{"multi_match": map[string]any{"query": w, "fields": matchFields, "fuzziness": "AUTO",
					"prefix_length": 1, "max_expansions": maxTypoExpansions}},
			}, "minimum_should_match": 1}})
		}
	} else {
		must = []any{map[string]any{"multi_match": map[string]any{"query": text, "fields": matchFields,
			"type": "cross_fields", "operator": "and", "boost": 2}}}
	}
	return map[string]any{"bool": map[string]any{"must": must,
		"should": []any{map[string]any{"match": map[string]any{"dishes.description": text}}}}}
}

// relevance wraps a query in the geo decay around near and the promotion boost.
func relevance(query map[string]any, near *domain.GeoPoint) map[string]any {
	functions := []any{map[string]any{"filter": term("promoted", true), "weight": domain.PromotedBoost}}
	if near != nil {
		functions = append(functions, map[string]any{"gauss": map[string]any{"location": map[string]any{
			"origin": geo(*near), "offset": fmt.Sprintf("%dm", domain.DecayOffsetMeters),
			"scale": fmt.Sprintf("%dm", domain.DecayScaleMeters), "decay": domain.DecayAtScale}}})
	}
	return map[string]any{"function_score": map[string]any{"query": query, "functions": functions,
		"score_mode": "multiply", "boost_mode": "multiply"}}
}

// Search runs q, with facets over every hit when q asks for them. It searches the exact
// words first and tolerates typos only when they cannot fill the page: a typo-tolerant
// query costs more than an exact one, and most searches are spelled right. A query with
// a word the index is known to lack goes straight to the typo-tolerant search.
func (x *ElasticIndex) Search(ctx context.Context, q domain.Query) (domain.Page, error) {
	now := time.Now()
	missing, unknown := x.words.lookup(domain.Terms(q.Text), now)
	for _, w := range missing {
		if domain.Fuzziness(w) > 0 {
			page, _, err := x.search1(ctx, q, true, nil)
			return page, err
		}
	}
	page, present, err := x.search1(ctx, q, false, unknown)
	if err != nil {
		return page, err
	}
	for i, w := range unknown {
		x.words.remember(w, present[i], now)
	}
	if !domain.WantsTypos(q, page.Total) {
		return page, nil
	}
	page, _, err = x.search1(ctx, q, true, nil)
	return page, err
}

// search1 sends the page's search, a second search counting facets when q asks for
// them, and a presence check for each of probe, in one _msearch. Apart, each is cheap:
// the page's search need not collect every hit into aggregations, the facets' search
// matches in filter context (unscored, cached per segment), and a presence check stops
// at the first document. It returns whether each probed word is in the index.
func (x *ElasticIndex) search1(ctx context.Context, q domain.Query, typos bool, probe []string) (domain.Page, []bool, error) {
	text, filters := textQuery(q.Text, typos), x.filters(q)
	hits := map[string]any{
		"query": relevance(map[string]any{"bool": map[string]any{"must": text, "filter": filters}}, q.Near),
		"from":  q.Offset, "size": q.Limit, "track_total_hits": domain.MaxCountedHits,
		"_source": hitFields,
	}
	switch q.Sort {
	case domain.SortDistance:
		hits["sort"] = []any{map[string]any{"_geo_distance": map[string]any{"location": geo(*q.Near), "order": "asc", "unit": "m"}}, "_score"}
	case domain.SortRating:
		hits["sort"] = []any{map[string]any{"rating": "desc"}, "_score"}
	}
	searches := []map[string]any{hits}
	if q.Facets {
		searches = append(searches, map[string]any{
			"query": map[string]any{"bool": map[string]any{"filter": append([]any{text}, filters...)}},
			"size":  0, "track_total_hits": false,
			"aggs": map[string]any{
				"cuisines":     map[string]any{"terms": map[string]any{"field": "cuisines", "size": 50}},
				"price_levels": map[string]any{"terms": map[string]any{"field": "price_level", "size": 5}},
			},
		})
	}
	for _, w := range probe {
		searches = append(searches, map[string]any{
			"query": map[string]any{"multi_match": map[string]any{"query": w, "fields": matchFields}},
			"size":  0, "track_total_hits": 1, "terminate_after": 1,
		})
	}
	out, err := x.msearch(ctx, searches)
	if err != nil {
		return domain.Page{}, nil, err
	}
	page := domain.Page{Total: min(out[0].Hits.Total.Value, domain.MaxCountedHits)}
	for _, h := range out[0].Hits.Hits {
		page.Hits = append(page.Hits, domain.Hit{Restaurant: h.Source.restaurant(), Score: h.Score})
	}
	if q.Facets {
		for _, b := range out[1].Aggregations.Cuisines.Buckets {
			page.Facets.Cuisines = append(page.Facets.Cuisines, domain.FacetCount{Value: b.value(), Count: b.DocCount})
		}
		for _, b := range out[1].Aggregations.PriceLevels.Buckets {
			page.Facets.PriceLevels = append(page.Facets.PriceLevels, domain.FacetCount{Value: b.value(), Count: b.DocCount})
		}
		sortFacets(&page.Facets)
	}
	present := make([]bool, len(probe))
	for i := range probe {
		present[i] = out[len(out)-len(probe)+i].Hits.Total.Value > 0
	}
	return page, present, nil
}

// Suggest finds restaurants with a word starting with prefix.
func (x *ElasticIndex) Suggest(ctx context.Context, prefix string, near *domain.GeoPoint, limit int) ([]domain.Restaurant, error) {
	var should []any
	for _, f := range []string{"name", "dishes.name", "keywords"} {
		should = append(should, map[string]any{"prefix": map[string]any{f: map[string]any{"value": strings.ToLower(prefix)}}})
	}
	query := map[string]any{"bool": map[string]any{"should": should, "minimum_should_match": 1, "filter": []any{term("listed", true)}}}
	var out searchResponse
	if err := x.search(ctx, map[string]any{"query": relevance(query, near), "size": limit, "_source": hitFields}, &out); err != nil {
		return nil, err
	}
	docs := make([]domain.Restaurant, 0, len(out.Hits.Hits))
	for _, h := range out.Hits.Hits {
		docs = append(docs, h.Source.restaurant())
	}
	return docs, nil
}

func (x *ElasticIndex) search(ctx context.Context, body map[string]any, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	res, err := x.es.Search(x.es.Search.WithContext(ctx), x.es.Search.WithIndex(x.name), x.es.Search.WithBody(bytes.NewReader(raw)))
	return decode(res, err, "search "+x.name, out)
}

// msearch runs searches in one request; any search failing fails them all.
func (x *ElasticIndex) msearch(ctx context.Context, searches []map[string]any) ([]searchResponse, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, body := range searches {
		_ = enc.Encode(map[string]any{})
		if err := enc.Encode(body); err != nil {
			return nil, err
		}
	}
	res, err := x.es.Msearch(&buf, x.es.Msearch.WithContext(ctx), x.es.Msearch.WithIndex(x.name))
	var out struct {
		Responses []struct {
			searchResponse
			Error json.RawMessage `json:"error"`
		} `json:"responses"`
	}
	if err := decode(res, err, "msearch "+x.name, &out); err != nil {
		return nil, err
	}
	if len(out.Responses) != len(searches) {
		return nil, fmt.Errorf("elasticsearch msearch %s: %d responses to %d searches", x.name, len(out.Responses), len(searches))
	}
	rs := make([]searchResponse, len(searches))
	for i, r := range out.Responses {
		if len(r.Error) > 0 {
			return nil, fmt.Errorf("elasticsearch msearch %s: search %d: %s", x.name, i, r.Error)
		}
		rs[i] = r.searchResponse
	}
	return rs, nil
}

type bucket struct {
	Key      json.RawMessage `json:"key"`
	DocCount int             `json:"doc_count"`
}

func (b bucket) value() string { return strings.Trim(string(b.Key), `"`) }

// hitFields are the parts of a document a search hit carries (app.Index: what the
// queries read from hits). Elasticsearch sends only these, and they are all the adapter
// decodes: a whole document (opening minutes, keywords, versions, times) cost most of the
// adapter's CPU to decode and most of the bytes on the wire.
var hitFields = []string{"id", "name", "cuisines", "location", "promoted", "dishes"}

// hitSource is a hit's _source as hitFields leave it.
type hitSource struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Cuisines []string        `json:"cuisines"`
	Location domain.GeoPoint `json:"location"`
	Promoted bool            `json:"promoted"`
	Dishes   []domain.Dish   `json:"dishes"`
}

func (h hitSource) restaurant() domain.Restaurant {
	return domain.Restaurant{ID: h.ID, Name: h.Name, Cuisines: h.Cuisines, Location: h.Location, Promoted: h.Promoted,
		Listed: true, Dishes: h.Dishes}
}

type searchResponse struct {
	Hits struct {
		Total struct {
			Value int `json:"value"`
		} `json:"total"`
		Hits []struct {
			Score  float64   `json:"_score"`
			Source hitSource `json:"_source"`
		} `json:"hits"`
	} `json:"hits"`
	Aggregations struct {
		Cuisines    struct{ Buckets []bucket } `json:"cuisines"`
		PriceLevels struct{ Buckets []bucket } `json:"price_levels"`
	} `json:"aggregations"`
}

func check(res *esapi.Response, err error, what string) error {
	return decode(res, err, what, nil)
}

func decode(res *esapi.Response, err error, what string, out any) error {
	if err != nil {
		return fmt.Errorf("elasticsearch %s: %w", what, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 2000))
		return fmt.Errorf("elasticsearch %s: %s: %s", what, res.Status(), msg)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		return nil
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("elasticsearch %s: read: %w", what, err)
	}
	// goccy/go-json decodes the same structs as encoding/json at a fraction of its CPU
	// (see BenchmarkElasticDecode); it is already in every binary, through the JWT library.
	if err := gojson.Unmarshal(body, out); err != nil {
		return fmt.Errorf("elasticsearch %s: decode: %w", what, err)
	}
	return nil
}
