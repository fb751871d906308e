package searchindex

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
)

// BleveIndex is an Index stored on disk by Bleve, the embedded default.
type BleveIndex struct {
	mu   sync.Mutex
	path string
	idx  bleve.Index
}

// OpenBleve opens (or creates with mapping) the index name under dir.
func OpenBleve(dir, name string, m Mapping) (*BleveIndex, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name+".bleve")
	idx, err := bleve.Open(path)
	if err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("bleve dir %s: %w", dir, err)
		}
		idx, err = bleve.New(path, bleveMapping(m))
		if err != nil {
			return nil, fmt.Errorf("create bleve index %s: %w", path, err)
		}
	}
	return &BleveIndex{path: path, idx: idx}, nil
}

func bleveMapping(m Mapping) *mapping.IndexMappingImpl {
	doc := bleve.NewDocumentStaticMapping()
	for field, typ := range m {
		f := bleve.NewTextFieldMapping()
		f.Store = false
		if typ == Keyword {
			f.Analyzer = keyword.Name
		} else {
			f.Analyzer = standard.Name
		}
		doc.AddFieldMappingsAt(field, f)
	}
	im := bleve.NewIndexMapping()
	im.DefaultMapping = doc
	return im
}

// Put indexes doc; its source is kept alongside so hits carry it.
func (b *BleveIndex) Put(ctx context.Context, id string, doc map[string]any) error {
	return b.PutMany(ctx, map[string]map[string]any{id: doc})
}

func (b *BleveIndex) PutMany(_ context.Context, docs map[string]map[string]any) error {
	batch := b.idx.NewBatch()
	for id, doc := range docs {
		if err := batch.Index(id, doc); err != nil {
			return fmt.Errorf("bleve index %s: %w", id, err)
		}
		raw, err := encodeSource(doc)
		if err != nil {
			return err
		}
		batch.SetInternal([]byte("src:"+id), raw)
	}
	if err := b.idx.Batch(batch); err != nil {
		return fmt.Errorf("bleve index %d documents: %w", len(docs), err)
	}
	return nil
}

func (b *BleveIndex) Delete(_ context.Context, id string) error {
	batch := b.idx.NewBatch()
	batch.Delete(id)
	batch.DeleteInternal([]byte("src:" + id))
	if err := b.idx.Batch(batch); err != nil {
		return fmt.Errorf("bleve delete %s: %w", id, err)
	}
	return nil
}

// Refresh is a no-op: a Bleve batch is searchable once it returns.
func (b *BleveIndex) Refresh(context.Context) error { return nil }

func (b *BleveIndex) Search(ctx context.Context, q Query) ([]Hit, error) {
	match := bleve.NewMatchQuery(q.Text)
	match.SetField(q.Field)
	if q.Fuzzy {
		match.SetFuzziness(1)
	}
	var root query.Query = match
	if len(q.Filters) > 0 {
		conj := bleve.NewConjunctionQuery(match)
		for field, value := range q.Filters {
			term := bleve.NewTermQuery(value)
			term.SetField(field)
			conj.AddQuery(term)
		}
		root = conj
	}
	req := bleve.NewSearchRequestOptions(root, q.limit(), 0, false)
	res, err := b.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve search: %w", err)
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		raw, err := b.idx.GetInternal([]byte("src:" + h.ID))
		if err != nil {
			return nil, fmt.Errorf("bleve source %s: %w", h.ID, err)
		}
		src, err := decodeSource(raw)
		if err != nil {
			return nil, err
		}
		hits = append(hits, Hit{ID: h.ID, Score: h.Score, Source: src})
	}
	return hits, nil
}

// Close releases the index files.
func (b *BleveIndex) Close() error { return b.idx.Close() }

// Drop closes and deletes the index files.
func (b *BleveIndex) Drop(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.idx.Close()
	return os.RemoveAll(b.path)
}
