package domain

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// InvalidQueryError names the search argument at fault; it is safe to show a client.
type InvalidQueryError struct {
	Field, Reason string
}

func (e *InvalidQueryError) Error() string { return e.Field + ": " + e.Reason }

func invalid(field, format string, args ...any) error {
	return &InvalidQueryError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Sort orders search hits.
type Sort int

const (
	// SortRelevance: text score, times geo decay around Near, times the promotion boost.
	SortRelevance Sort = iota
	// SortDistance: nearest first (needs Near).
	SortDistance
	// SortRating: best rated first, relevance breaking ties.
	SortRating
)

// Filters narrow a search; zero values do not filter.
type Filters struct {
	Cuisines []string
	// OpenAt keeps restaurants open (flag and weekly hours) at that time.
	OpenAt        *time.Time
	MaxPriceLevel int
	MinRating     float64
	Dietary       []string
}

// Query is a validated restaurant or dish search.
type Query struct {
	Text         string
	Near         *GeoPoint
	RadiusMeters float64
	Filters      Filters
	Sort         Sort
	Offset       int
	Limit        int
	// Facets asks for facet counts; without them a backend skips the aggregation.
	Facets bool
}

// Limits on what a client may ask for.
const (
	MaxPageSize     = 100
	MaxRadiusMeters = 100_000
	// DefaultRadiusMeters is the radius of a search near a point that names none: a
	// delivery platform searches within delivery range, and the geo filter keeps most of
	// the index from being scored at all.
	DefaultRadiusMeters = 10_000
	// MaxCountedHits caps the hit count a search reports: counting every hit of a broad
	// search costs more than the page itself. A Page's Total is at most this.
	MaxCountedHits = 1_000
	MaxTextLength  = 200
	// MaxOffset bounds deep paging (Elasticsearch refuses from+size past 10,000).
	MaxOffset = 5_000
)

// QueryInput is a search as a client states it.
type QueryInput struct {
	Text         string
	Near         *GeoPoint
	RadiusMeters *int
	Filters      Filters
	Sort         Sort
	First        int
	After        string
	// Facets asks for facet counts over the hits.
	Facets bool
}

// NewQuery validates in.
func NewQuery(in QueryInput) (Query, error) {
	q := Query{Text: strings.TrimSpace(in.Text), Near: in.Near, Filters: in.Filters, Sort: in.Sort, Limit: in.First, Facets: in.Facets}
	q.Filters.Cuisines = Normalize(in.Filters.Cuisines)
	q.Filters.Dietary = Normalize(in.Filters.Dietary)
	switch {
	case len(q.Text) > MaxTextLength:
		return Query{}, invalid("query", "must be at most %d characters", MaxTextLength)
	case q.Limit < 1 || q.Limit > MaxPageSize:
		return Query{}, invalid("first", "must be between 1 and %d, got %d", MaxPageSize, q.Limit)
	case q.Near != nil && !q.Near.Valid():
		return Query{}, invalid("near", "lat must be within ±90 and lng within ±180")
	case in.RadiusMeters != nil && q.Near == nil:
		return Query{}, invalid("radiusMeters", "needs near")
	case in.RadiusMeters != nil && (*in.RadiusMeters <= 0 || *in.RadiusMeters > MaxRadiusMeters):
		return Query{}, invalid("radiusMeters", "must be between 1 and %d", MaxRadiusMeters)
	case q.Sort == SortDistance && q.Near == nil:
		return Query{}, invalid("sort", "DISTANCE needs near")
	case q.Filters.MaxPriceLevel < 0 || q.Filters.MaxPriceLevel > 4:
		return Query{}, invalid("filters.maxPriceLevel", "must be between 1 and 4")
	case q.Filters.MinRating < 0 || q.Filters.MinRating > 5:
		return Query{}, invalid("filters.minRating", "must be between 0 and 5")
	}
	switch {
	case in.RadiusMeters != nil:
		q.RadiusMeters = float64(*in.RadiusMeters)
	case q.Near != nil:
		q.RadiusMeters = DefaultRadiusMeters
	}
	if in.After != "" {
		off, err := DecodeCursor(in.After)
		if err != nil {
			return Query{}, invalid("after", "is not a cursor of this search")
		}
		q.Offset = off + 1
	}
	if q.Offset+q.Limit > MaxOffset {
		return Query{}, invalid("after", "pages past %d hits are not served; narrow the search", MaxOffset)
	}
	return q, nil
}

// Cursor is the opaque Relay cursor of the hit at offset.
func Cursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("hit:" + strconv.Itoa(offset)))
}

// DecodeCursor returns the offset of the hit a cursor points at.
func DecodeCursor(c string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(raw), "hit:") {
		return 0, fmt.Errorf("bad cursor %q", c)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), "hit:"))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad cursor %q", c)
	}
	return n, nil
}

// FacetCount is how many hits have one value.
type FacetCount struct {
	Value string
	Count int
}

// Facets count the hits of a search (all pages) per cuisine and price level.
type Facets struct {
	Cuisines    []FacetCount
	PriceLevels []FacetCount
}

// Hit is one restaurant found, with the backend's relevance score.
type Hit struct {
	Restaurant Restaurant
	Score      float64
}

// Page is one page of hits, the total number of hits (at most MaxCountedHits) and, when
// the query asked, the facets over all of them.
type Page struct {
	Hits   []Hit
	Total  int
	Facets Facets
}

// Relevance decay around Near: a Gaussian on distance, as Elasticsearch's gauss
// function computes it, so both backends rank alike.
const (
	DecayOffsetMeters = 500
	DecayScaleMeters  = 3000
	DecayAtScale      = 0.5
	// PromotedBoost multiplies the relevance of promoted restaurants.
	PromotedBoost = 1.5
)

// GeoDecay is the relevance factor of a restaurant d meters away.
func GeoDecay(d float64) float64 {
	x := math.Max(0, d-DecayOffsetMeters)
	sigma2 := -DecayScaleMeters * DecayScaleMeters / (2 * math.Log(DecayAtScale))
	return math.Exp(-x * x / (2 * sigma2))
}

// DistanceMeters is the great-circle (haversine) distance between a and b.
func DistanceMeters(a, b GeoPoint) float64 {
	const r = 6_371_008.8
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla, dlo := la2-la1, (b.Lon-a.Lon)*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Terms splits text into the lower-case words the standard analyzers index.
func Terms(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Fuzziness is how many edits a query word may be from an indexed word, as
// Elasticsearch's AUTO: none up to 2 letters, one up to 5, two beyond.
func Fuzziness(term string) int {
	switch n := len([]rune(term)); {
	case n <= 2:
		return 0
	case n <= 5:
		return 1
	default:
		return 2
	}
}

// WantsTypos reports whether a search of q whose exact words found total hits should run
// again tolerating typos: when the exact words cannot fill the page and a word is long
// enough to have typos (see Fuzziness).
func WantsTypos(q Query, total int) bool {
	if total >= q.Offset+q.Limit {
		return false
	}
	for _, t := range Terms(q.Text) {
		if Fuzziness(t) > 0 {
			return true
		}
	}
	return false
}
