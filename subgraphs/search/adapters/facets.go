package adapters

import (
	"sort"

	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

// sortFacets orders facet values by count, then value, so both backends answer alike.
func sortFacets(f *domain.Facets) {
	for _, list := range [][]domain.FacetCount{f.Cuisines, f.PriceLevels} {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Count != list[j].Count {
				return list[i].Count > list[j].Count
			}
			return list[i].Value < list[j].Value
		})
	}
}
