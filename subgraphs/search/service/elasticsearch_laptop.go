//go:build dizhtime_laptop

package service

import (
	"context"
	"errors"

	"github.com/dizhtime/dizhtime/subgraphs/search/app"
)

// openElasticsearch: the laptop build (`make run`, tag dizhtime_laptop) leaves the
// Elasticsearch client out; its search runs on Bleve.
func openElasticsearch(context.Context, Config) (app.Catalog, app.Index, error) {
	return nil, nil, errors.New("search: this dizhtime binary is the laptop build (tag dizhtime_laptop), without the Elasticsearch client: " +
		"use DIZHTIME_SEARCH_INDEX_BACKEND=bleve, or a build without the tag (go build ./platform/cmd/dizhtime, make images)")
}
