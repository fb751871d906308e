//go:build !dizhtime_laptop

package service

import (
	"context"

	"github.com/dizhtime/dizhtime/platform/searchindex"
	"github.com/dizhtime/dizhtime/subgraphs/search/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/search/app"
)

// openElasticsearch connects to cfg's Elasticsearch and opens the index behind the alias.
func openElasticsearch(ctx context.Context, cfg Config) (app.Catalog, app.Index, error) {
	es, err := searchindex.ConnectElasticsearch(ctx, cfg.ElasticsearchURL)
	if err != nil {
		return nil, nil, err
	}
	c, err := adapters.NewElasticCatalog(es, cfg.IndexAlias)
	if err != nil {
		return nil, nil, err
	}
	live, err := c.Live(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, live, nil
}
