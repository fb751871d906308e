package adapters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/dizhtime/dizhtime/subgraphs/search/app"
	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

// slotMinutes is the granularity Bleve indexes opening hours in: it has no range field,
// so a document lists the 15-minute UTC slots of the week it is open in, and openNow is
// a term query for the current slot (hours are rounded to the slot they start in).
const slotMinutes = 15

// rerankWindow is how many hits Bleve ranks by text before geo decay and promotion
// re-rank them (Bleve has no function score). Elasticsearch scores every hit.
const rerankWindow = 1000

// bleveFormat names the index layout (mapping and stored fields); an index written with
// another layout is refused rather than half read. 2: source and rank as stored fields,
// opening slots as one field.
const bleveFormat = "2"

var (
	formatKey       = []byte("dizhtime_format")
	errIncompatible = errors.New("index written by another version of search")
)

// BleveCatalog keeps physical Bleve indexes in dir and the alias as a pointer file,
// replaced by rename (atomic on POSIX), plus an in-process pointer readers load.
type BleveCatalog struct {
	dir, alias string
	mu         sync.Mutex
	open       map[string]*BleveIndex
	live       atomic.Pointer[BleveIndex]
	replaced   bool
}

// Replaced reports whether Live found an index of an older layout and replaced it with an
// empty one, which needs `search rebuild` (the service runs it at start).
func (c *BleveCatalog) Replaced() bool { return c.replaced }

// OpenBleveCatalog manages alias under dir.
func OpenBleveCatalog(dir, alias string) (*BleveCatalog, error) {
	if dir == "" || alias == "" || strings.ContainsAny(alias, `/\`) {
		return nil, fmt.Errorf("bleve catalog: a directory and a plain alias are required, got %q", alias)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bleve catalog %s: %w", dir, err)
	}
	return &BleveCatalog{dir: dir, alias: alias, open: map[string]*BleveIndex{}}, nil
}

func (c *BleveCatalog) pointer() string { return filepath.Join(c.dir, c.alias+".current") }

// Live returns the index reading and writing through the alias, creating a first
// physical index when there is none.
func (c *BleveCatalog) Live(ctx context.Context) (*BleveAlias, error) {
	raw, err := os.ReadFile(c.pointer())
	name := strings.TrimSpace(string(raw))
	switch {
	case errors.Is(err, os.ErrNotExist):
		name = c.alias + "-0"
	case err != nil:
		return nil, fmt.Errorf("bleve alias %s: %w", c.alias, err)
	}
	idx, err := c.openIndex(name)
	if errors.Is(err, errIncompatible) {
		// An index of an older layout cannot be read or updated: start an empty one and
		// report it, so the service replays the topics into it (Replaced).
		old := name
		name = fmt.Sprintf("%s-%d", c.alias, time.Now().UnixNano())
		if idx, err = c.openIndex(name); err == nil {
			_ = os.RemoveAll(filepath.Join(c.dir, old+".bleve"))
			c.replaced = true
		}
	}
	if err != nil {
		return nil, err
	}
	if _, err := c.SwapAlias(ctx, name); err != nil {
		return nil, err
	}
	c.live.Store(idx)
	return &BleveAlias{c: c}, nil
}

func (c *BleveCatalog) openIndex(name string) (*BleveIndex, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if idx := c.open[name]; idx != nil {
		return idx, nil
	}
	path := filepath.Join(c.dir, name+".bleve")
	// Batches are durable (a batch returns once persisted): the consumer commits Kafka
	// offsets after a write returns, and scorch's unsafe_batch would lose unpersisted
	// writes even on a clean Close. Writes come in batches (UpdateMany), so the sync is
	// paid per batch, not per event.
	opts := map[string]any{}
	b, err := bleve.OpenUsing(path, opts)
	if err == nil {
		format, ferr := b.GetInternal(formatKey)
		if ferr != nil || string(format) != bleveFormat {
			_ = b.Close()
			return nil, fmt.Errorf("bleve index %s has layout %q, this search writes %q: %w", path, format, bleveFormat, errIncompatible)
		}
	} else {
		if b, err = bleve.NewUsing(path, bleveMapping(), scorch.Name, scorch.Name, opts); err != nil {
			return nil, fmt.Errorf("bleve index %s: %w", path, err)
		}
		if err := b.SetInternal(formatKey, []byte(bleveFormat)); err != nil {
			_ = b.Close()
			return nil, fmt.Errorf("bleve index %s: %w", path, err)
		}
	}
	idx := &BleveIndex{name: name, path: path, idx: b}
	c.open[name] = idx
	return idx, nil
}

// Create makes the physical index name.
func (c *BleveCatalog) Create(_ context.Context, name string) (app.Index, error) {
	if _, err := os.Stat(filepath.Join(c.dir, name+".bleve")); err == nil {
		return nil, fmt.Errorf("bleve index %s exists", name)
	}
	return c.openIndex(name)
}

// SwapAlias writes the pointer file by rename, then switches in-process readers.
func (c *BleveCatalog) SwapAlias(_ context.Context, name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	idx := c.open[name]
	if idx == nil {
		return "", fmt.Errorf("bleve alias %s: index %s is not open", c.alias, name)
	}
	previous := ""
	if raw, err := os.ReadFile(c.pointer()); err == nil {
		previous = strings.TrimSpace(string(raw))
	}
	tmp := c.pointer() + ".tmp"
	if err := os.WriteFile(tmp, []byte(name+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("bleve alias %s: %w", c.alias, err)
	}
	if err := os.Rename(tmp, c.pointer()); err != nil {
		return "", fmt.Errorf("bleve alias %s: %w", c.alias, err)
	}
	c.live.Store(idx)
	return previous, nil
}

// Drop closes (after in-flight requests) and deletes the physical index name.
func (c *BleveCatalog) Drop(_ context.Context, name string) error {
	c.mu.Lock()
	idx := c.open[name]
	delete(c.open, name)
	c.mu.Unlock()
	if idx != nil {
		idx.close()
	}
	return os.RemoveAll(filepath.Join(c.dir, name+".bleve"))
}

// Close closes every open index.
func (c *BleveCatalog) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, idx := range c.open {
		idx.close()
	}
	c.open = map[string]*BleveIndex{}
	return nil
}

// BleveAlias is the Index behind the alias: each call uses the index the alias points
// at when the call starts, and a call that raced a swap and a drop runs again.
type BleveAlias struct{ c *BleveCatalog }

var _ app.BatchIndex = (*BleveAlias)(nil)

func retryClosed[T any](a *BleveAlias, f func(*BleveIndex) (T, error)) (T, error) {
	for {
		v, err := f(a.c.live.Load())
		if !errors.Is(err, errIndexClosed) {
			return v, err
		}
	}
}

func (a *BleveAlias) Update(ctx context.Context, id string, fn func(*domain.Restaurant) (*domain.Restaurant, error)) error {
	_, err := retryClosed(a, func(b *BleveIndex) (struct{}, error) { return struct{}{}, b.Update(ctx, id, fn) })
	return err
}

func (a *BleveAlias) UpdateMany(ctx context.Context, ids []string, fn func(string, *domain.Restaurant) (*domain.Restaurant, error)) (map[string]error, error) {
	type result struct{ failed map[string]error }
	r, err := retryClosed(a, func(b *BleveIndex) (result, error) {
		f, err := b.UpdateMany(ctx, ids, fn)
		return result{f}, err
	})
	return r.failed, err
}

func (a *BleveAlias) Get(ctx context.Context, id string) (*domain.Restaurant, error) {
	return retryClosed(a, func(b *BleveIndex) (*domain.Restaurant, error) { return b.Get(ctx, id) })
}

func (a *BleveAlias) Search(ctx context.Context, q domain.Query) (domain.Page, error) {
	return retryClosed(a, func(b *BleveIndex) (domain.Page, error) { return b.Search(ctx, q) })
}

func (a *BleveAlias) Suggest(ctx context.Context, prefix string, near *domain.GeoPoint, limit int) ([]domain.Restaurant, error) {
	return retryClosed(a, func(b *BleveIndex) ([]domain.Restaurant, error) { return b.Suggest(ctx, prefix, near, limit) })
}

func (a *BleveAlias) Refresh(context.Context) error { return nil }

// PutMany writes documents as they are (seeding and benchmarks).
func (a *BleveAlias) PutMany(ctx context.Context, docs []domain.Restaurant) error {
	_, err := retryClosed(a, func(b *BleveIndex) (struct{}, error) { return struct{}{}, b.PutMany(ctx, docs) })
	return err
}

// BleveIndex is one physical Bleve index.
type BleveIndex struct {
	name, path string
	// rw lets requests run together and makes close wait for them.
	rw     sync.RWMutex
	closed bool
	// writes serializes read-modify-write updates (one process owns the directory).
	writes sync.Mutex
	idx    bleve.Index
}

var _ app.Index = (*BleveIndex)(nil)

func bleveMapping() *mapping.IndexMappingImpl {
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeTermVectors = standard.Name, false, false
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeTermVectors, f.IncludeInAll = keyword.Name, false, false, false
		return f
	}
	num := func() *mapping.FieldMapping {
		f := bleve.NewNumericFieldMapping()
		f.Store = false
		return f
	}
	boolean := func() *mapping.FieldMapping {
		f := bleve.NewBooleanFieldMapping()
		f.Store = false
		return f
	}
	// stored is kept, not indexed: the document source and what re-ranking reads.
	stored := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Index, f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = keyword.Name, false, true, false, false, false
		return f
	}
	// words is one field of space-separated terms ("s123": the standard analyzer keeps
	// them whole): a week of 15-minute slots is ~400
	// terms, and as an array Bleve would build ~400 fields per document.
	words := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeTermVectors, f.IncludeInAll = standard.Name, false, false, false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("name", text())
	doc.AddFieldMappingsAt("keywords", text())
	for _, f := range []string{"cuisines", "dietary"} {
		doc.AddFieldMappingsAt(f, kw())
	}
	doc.AddFieldMappingsAt("open_slots", words())
	doc.AddFieldMappingsAt(sourceField, stored())
	doc.AddFieldMappingsAt(rankField, stored())
	for _, f := range []string{"is_open", "listed", "promoted"} {
		doc.AddFieldMappingsAt(f, boolean())
	}
	doc.AddFieldMappingsAt("price_level", num())
	doc.AddFieldMappingsAt("rating", num())
	g := bleve.NewGeoPointFieldMapping()
	g.Store = false
	doc.AddFieldMappingsAt("location", g)
	dishes := bleve.NewDocumentStaticMapping()
	dishes.AddFieldMappingsAt("name", text())
	dishes.AddFieldMappingsAt("description", text())
	doc.AddSubDocumentMapping("dishes", dishes)
	im := bleve.NewIndexMapping()
	im.DefaultMapping = doc
	im.DefaultAnalyzer = standard.Name
	return im
}

// Stored fields: the document's JSON source (read back by Get and for the page's hits)
// and "lat lon promoted" for re-ranking. They live in the segments, so a write costs the
// documents it writes: Bleve's internal key-value store would rewrite every stored value
// on each persist, which made one update cost a full copy of the index.
const (
	sourceField = "_source"
	rankField   = "_rank"
)

// indexed is what Bleve indexes and stores for r.
func indexed(r domain.Restaurant) (map[string]any, error) {
	var slots strings.Builder
	for _, rg := range r.OpenMinutes {
		for s := rg.From / slotMinutes; s*slotMinutes < rg.To; s++ {
			slots.WriteString(" s")
			slots.WriteString(strconv.Itoa(s))
		}
	}
	src, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode restaurant %s: %w", r.ID, err)
	}
	dishes := make([]map[string]any, 0, len(r.Dishes))
	for _, d := range r.Dishes {
		dishes = append(dishes, map[string]any{"name": d.Name, "description": d.Description})
	}
	return map[string]any{
		"name": r.Name, "keywords": r.Keywords, "cuisines": r.Cuisines, "dietary": r.Dietary, "open_slots": slots.String(),
		"is_open": r.IsOpen, "listed": r.Listed, "promoted": r.Promoted,
		"price_level": float64(r.PriceLevel), "rating": r.Rating,
		"location": map[string]any{"lat": r.Location.Lat, "lon": r.Location.Lon}, "dishes": dishes,
		sourceField: string(src), rankField: rankInfo{Lat: r.Location.Lat, Lon: r.Location.Lon, Promoted: r.Promoted}.String(),
	}, nil
}

func (b *BleveIndex) enter() error {
	b.rw.RLock()
	if b.closed {
		b.rw.RUnlock()
		return errIndexClosed
	}
	return nil
}

func (b *BleveIndex) leave() { b.rw.RUnlock() }

func (b *BleveIndex) close() {
	b.rw.Lock()
	defer b.rw.Unlock()
	if !b.closed {
		b.closed = true
		_ = b.idx.Close()
	}
}

// rankInfo is what re-ranking needs (location, promotion), so a query decodes the full
// source only for the page it returns.
type rankInfo struct {
	Lat, Lon float64
	Promoted bool
}

func (r rankInfo) String() string {
	return strconv.FormatFloat(r.Lat, 'g', -1, 64) + " " + strconv.FormatFloat(r.Lon, 'g', -1, 64) + " " + strconv.FormatBool(r.Promoted)
}

func parseRank(s string) (rankInfo, error) {
	f := strings.Fields(s)
	if len(f) != 3 {
		return rankInfo{}, fmt.Errorf("rank field %q", s)
	}
	lat, err1 := strconv.ParseFloat(f[0], 64)
	lon, err2 := strconv.ParseFloat(f[1], 64)
	promoted, err3 := strconv.ParseBool(f[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return rankInfo{}, fmt.Errorf("rank field %q: %w", s, err)
	}
	return rankInfo{Lat: lat, Lon: lon, Promoted: promoted}, nil
}

// Update compares and sets under the index's write lock.
func (b *BleveIndex) Update(_ context.Context, id string, fn func(*domain.Restaurant) (*domain.Restaurant, error)) error {
	if err := b.enter(); err != nil {
		return err
	}
	defer b.leave()
	b.writes.Lock()
	defer b.writes.Unlock()
	cur, err := b.get(id)
	if err != nil {
		return err
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	return b.put([]domain.Restaurant{*next})
}

// UpdateMany compares and sets ids under the write lock and writes them in one batch
// (one segment): a burst of events costs one write, not one per event.
func (b *BleveIndex) UpdateMany(_ context.Context, ids []string, fn func(string, *domain.Restaurant) (*domain.Restaurant, error)) (map[string]error, error) {
	if err := b.enter(); err != nil {
		return nil, err
	}
	defer b.leave()
	b.writes.Lock()
	defer b.writes.Unlock()
	failed := map[string]error{}
	docs := make([]domain.Restaurant, 0, len(ids))
	for _, id := range ids {
		cur, err := b.get(id)
		if err != nil {
			return nil, err
		}
		next, err := fn(id, cur)
		if err != nil {
			failed[id] = err
			continue
		}
		docs = append(docs, *next)
	}
	if len(docs) == 0 {
		return failed, nil
	}
	return failed, b.put(docs)
}

func (b *BleveIndex) put(docs []domain.Restaurant) error {
	batch := b.idx.NewBatch()
	for _, d := range docs {
		fields, err := indexed(d)
		if err != nil {
			return err
		}
		if err := batch.Index(d.ID, fields); err != nil {
			return fmt.Errorf("bleve index %s: %w", d.ID, err)
		}
	}
	if err := b.idx.Batch(batch); err != nil {
		return fmt.Errorf("bleve index %d restaurants: %w", len(docs), err)
	}
	return nil
}

// PutMany writes documents as they are.
func (b *BleveIndex) PutMany(_ context.Context, docs []domain.Restaurant) error {
	if err := b.enter(); err != nil {
		return err
	}
	defer b.leave()
	b.writes.Lock()
	defer b.writes.Unlock()
	return b.put(docs)
}

func (b *BleveIndex) get(id string) (*domain.Restaurant, error) {
	doc, err := b.idx.Document(id)
	if err != nil {
		return nil, fmt.Errorf("bleve get %s: %w", id, err)
	}
	if doc == nil {
		return nil, nil
	}
	var raw []byte
	doc.VisitFields(func(f index.Field) {
		if f.Name() == sourceField {
			raw = f.Value()
		}
	})
	if raw == nil {
		return nil, fmt.Errorf("bleve get %s: no stored source", id)
	}
	var r domain.Restaurant
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("bleve get %s: %w", id, err)
	}
	return &r, nil
}

// Get returns the stored document id.
func (b *BleveIndex) Get(_ context.Context, id string) (*domain.Restaurant, error) {
	if err := b.enter(); err != nil {
		return nil, err
	}
	defer b.leave()
	return b.get(id)
}

// Refresh is a no-op: a Bleve batch is searchable once it returns.
func (b *BleveIndex) Refresh(context.Context) error { return nil }

func boolQ(field string, v bool) query.Query {
	q := bleve.NewBoolFieldQuery(v)
	q.SetField(field)
	return q
}

func termQ(field, v string, boost float64) query.Query {
	q := bleve.NewTermQuery(v)
	q.SetField(field)
	if boost != 0 {
		q.SetBoost(boost)
	}
	return q
}

// bleveMatchFields mirror Elasticsearch's matchFields: every query word must be in one
// of them; dish descriptions only add to the score.
var bleveMatchFields = []struct {
	name  string
	boost float64
}{{"name", 3}, {"dishes.name", 2}, {"keywords", 2}}

// bleveText finds the documents where every query word is in the name, a dish name or
// the keywords: exactly or, with typos, within Fuzziness of it (an exact word weighs
// twice a typo). Dish descriptions with the words add to the score.
func bleveText(text string, typos bool) query.Query {
	terms := domain.Terms(text)
	if len(terms) == 0 {
		return bleve.NewMatchAllQuery()
	}
	var every, descriptions []query.Query
	for _, t := range terms {
		var anyField []query.Query
		for _, f := range bleveMatchFields {
			anyField = append(anyField, termQ(f.name, t, 2*f.boost))
			if n := domain.Fuzziness(t); typos && n > 0 {
				fq := bleve.NewFuzzyQuery(t)
				fq.SetField(f.name)
				fq.SetFuzziness(n)
				fq.SetPrefix(1)
				fq.SetBoost(f.boost)
				anyField = append(anyField, fq)
			}
		}
		every = append(every, bleve.NewDisjunctionQuery(anyField...))
		descriptions = append(descriptions, termQ("dishes.description", t, 1))
	}
	q := bleve.NewBooleanQuery()
	q.AddMust(every...)
	q.AddShould(descriptions...)
	return q
}

func (b *BleveIndex) filters(q domain.Query) []query.Query {
	f := []query.Query{boolQ("listed", true)}
	if len(q.Filters.Cuisines) > 0 {
		var anyOf []query.Query
		for _, c := range q.Filters.Cuisines {
			anyOf = append(anyOf, termQ("cuisines", c, 0))
		}
		f = append(f, bleve.NewDisjunctionQuery(anyOf...))
	}
	for _, d := range q.Filters.Dietary {
		f = append(f, termQ("dietary", d, 0))
	}
	if q.Filters.MaxPriceLevel > 0 {
		lo, hi, yes := 1.0, float64(q.Filters.MaxPriceLevel), true
		r := bleve.NewNumericRangeInclusiveQuery(&lo, &hi, &yes, &yes)
		r.SetField("price_level")
		f = append(f, r)
	}
	if q.Filters.MinRating > 0 {
		lo, yes := q.Filters.MinRating, true
		r := bleve.NewNumericRangeInclusiveQuery(&lo, nil, &yes, nil)
		r.SetField("rating")
		f = append(f, r)
	}
	if q.Filters.OpenAt != nil {
		slot := domain.MinuteOfWeek(*q.Filters.OpenAt) / slotMinutes
		f = append(f, boolQ("is_open", true), termQ("open_slots", "s"+strconv.Itoa(slot), 0))
	}
	if q.Near != nil && q.RadiusMeters > 0 {
		g := bleve.NewGeoDistanceQuery(q.Near.Lon, q.Near.Lat, strconv.FormatFloat(q.RadiusMeters, 'f', 0, 64)+"m")
		g.SetField("location")
		f = append(f, g)
	}
	return f
}

// Search runs q. Relevance is the text score times the geo decay and the promotion
// boost, computed here over the best rerankWindow text hits. As on Elasticsearch, typos
// are tolerated only when the exact words cannot fill the page.
func (b *BleveIndex) Search(ctx context.Context, q domain.Query) (domain.Page, error) {
	if err := b.enter(); err != nil {
		return domain.Page{}, err
	}
	defer b.leave()
	page, err := b.search(ctx, q, false)
	if err != nil || !domain.WantsTypos(q, page.Total) {
		return page, err
	}
	return b.search(ctx, q, true)
}

func (b *BleveIndex) search(ctx context.Context, q domain.Query, typos bool) (domain.Page, error) {
	// Filters do not score: scoring "listed" or a geo cell for every hit cost as much as
	// the text. With no text the filters alone are the query.
	var root query.Query = bleve.NewConjunctionQuery(b.filters(q)...)
	if q.Text != "" {
		text := bleve.NewBooleanQuery()
		text.AddMust(bleveText(q.Text, typos))
		text.AddFilter(root)
		root = text
	}
	rerank := q.Sort == domain.SortRelevance
	from, size := q.Offset, q.Limit
	if rerank {
		from, size = 0, min(max(q.Offset+q.Limit, 50)*4, rerankWindow)
	}
	req := bleve.NewSearchRequestOptions(root, size, from, false)
	if rerank {
		req.Fields = []string{rankField}
	}
	switch {
	case q.Sort == domain.SortDistance || (rerank && q.Text == "" && q.Near != nil):
		s, err := search.NewSortGeoDistance("location", "m", q.Near.Lon, q.Near.Lat, false)
		if err != nil {
			return domain.Page{}, err
		}
		req.SortByCustom(search.SortOrder{s, &search.SortScore{Desc: true}})
	case q.Sort == domain.SortRating:
		req.SortBy([]string{"-rating", "-_score", "_id"})
	}
	if q.Facets {
		req.AddFacet("cuisines", bleve.NewFacetRequest("cuisines", 50))
		prices := bleve.NewFacetRequest("price_level", 5)
		for lvl := 1.0; lvl <= 4; lvl++ {
			lo, hi := lvl, lvl+1
			prices.AddNumericRange(strconv.Itoa(int(lvl)), &lo, &hi)
		}
		req.AddFacet("price_levels", prices)
	}
	res, err := b.idx.SearchInContext(ctx, req)
	if err != nil {
		return domain.Page{}, fmt.Errorf("bleve search: %w", err)
	}
	page := domain.Page{Total: min(int(res.Total), domain.MaxCountedHits)}
	hits := res.Hits
	if rerank {
		type ranked struct {
			id    string
			score float64
		}
		rs := make([]ranked, 0, len(hits))
		for _, h := range hits {
			raw, _ := h.Fields[rankField].(string)
			ri, err := parseRank(raw)
			if err != nil {
				return domain.Page{}, fmt.Errorf("bleve rank of %s: %w", h.ID, err)
			}
			rs = append(rs, ranked{h.ID, h.Score * relevanceFactor(ri, q.Near)})
		}
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].score > rs[j].score })
		rs = rs[min(q.Offset, len(rs)):min(q.Offset+q.Limit, len(rs))]
		for _, r := range rs {
			doc, err := b.get(r.id)
			if err != nil || doc == nil {
				return domain.Page{}, fmt.Errorf("bleve source of %s: %v", r.id, err)
			}
			page.Hits = append(page.Hits, domain.Hit{Restaurant: *doc, Score: r.score})
		}
	} else {
		for _, h := range hits {
			r, err := b.get(h.ID)
			if err != nil || r == nil {
				return domain.Page{}, fmt.Errorf("bleve source of %s: %v", h.ID, err)
			}
			page.Hits = append(page.Hits, domain.Hit{Restaurant: *r, Score: h.Score})
		}
	}
	if f := res.Facets["cuisines"]; f != nil && f.Terms != nil {
		for _, t := range f.Terms.Terms() {
			page.Facets.Cuisines = append(page.Facets.Cuisines, domain.FacetCount{Value: t.Term, Count: t.Count})
		}
	}
	if f := res.Facets["price_levels"]; f != nil {
		for _, r := range f.NumericRanges {
			if r.Count > 0 {
				page.Facets.PriceLevels = append(page.Facets.PriceLevels, domain.FacetCount{Value: r.Name, Count: r.Count})
			}
		}
	}
	sortFacets(&page.Facets)
	return page, nil
}

func relevanceFactor(r rankInfo, near *domain.GeoPoint) float64 {
	f := 1.0
	if r.Promoted {
		f *= domain.PromotedBoost
	}
	if near != nil {
		f *= domain.GeoDecay(domain.DistanceMeters(*near, domain.GeoPoint{Lat: r.Lat, Lon: r.Lon}))
	}
	return math.Max(f, 1e-12)
}

// Suggest finds restaurants with a word starting with prefix.
func (b *BleveIndex) Suggest(ctx context.Context, prefix string, near *domain.GeoPoint, limit int) ([]domain.Restaurant, error) {
	if err := b.enter(); err != nil {
		return nil, err
	}
	defer b.leave()
	var anyOf []query.Query
	for _, f := range []string{"name", "dishes.name", "keywords"} {
		p := bleve.NewPrefixQuery(strings.ToLower(prefix))
		p.SetField(f)
		anyOf = append(anyOf, p)
	}
	root := bleve.NewConjunctionQuery(bleve.NewDisjunctionQuery(anyOf...), boolQ("listed", true))
	req := bleve.NewSearchRequestOptions(root, limit, 0, false)
	if near != nil {
		s, err := search.NewSortGeoDistance("location", "m", near.Lon, near.Lat, false)
		if err != nil {
			return nil, err
		}
		req.SortByCustom(search.SortOrder{s, &search.SortScore{Desc: true}})
	}
	res, err := b.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve suggest: %w", err)
	}
	docs := make([]domain.Restaurant, 0, len(res.Hits))
	for _, h := range res.Hits {
		r, err := b.get(h.ID)
		if err != nil || r == nil {
			return nil, fmt.Errorf("bleve source of %s: %v", h.ID, err)
		}
		docs = append(docs, *r)
	}
	return docs, nil
}

// errIndexClosed answers a write to an index that was closed (both backends).
var errIndexClosed = errors.New("index closed")
