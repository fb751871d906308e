package domain

import (
	"sort"
	"strings"
	"unicode"
)

// DishMatch is a dish of a hit that matches the query, with its name highlighted.
type DishMatch struct {
	Dish Dish
	// Highlight is the dish name with matching words wrapped in <em></em>.
	Highlight string
	// Matched is how many query words the dish matches (name or description).
	Matched int
}

// MatchDishes finds the dishes of r that match text's words (typo tolerant as the index
// is), best first. It works on the stored document, so highlights are the same whichever
// backend found the restaurant.
func MatchDishes(r Restaurant, text string) []DishMatch {
	terms := Terms(text)
	if len(terms) == 0 {
		return nil
	}
	var out []DishMatch
	for _, d := range r.Dishes {
		hl, inName := highlight(d.Name, terms)
		inDesc := 0
		for _, w := range Terms(d.Description) {
			if matchesAny(w, terms) {
				inDesc++
			}
		}
		if inName+inDesc == 0 {
			continue
		}
		out = append(out, DishMatch{Dish: d, Highlight: hl, Matched: 2*inName + inDesc})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Matched > out[j].Matched })
	return out
}

func highlight(name string, terms []string) (string, int) {
	var b strings.Builder
	matched := 0
	rs := []rune(name)
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && isWordRune(rs[j]) {
			j++
		}
		word := string(rs[i:j])
		if matchesAny(strings.ToLower(word), terms) {
			matched++
			b.WriteString("<em>" + word + "</em>")
		} else {
			b.WriteString(word)
		}
		i = j
	}
	return b.String(), matched
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func matchesAny(word string, terms []string) bool {
	for _, t := range terms {
		if word == t || editDistanceWithin(word, t, Fuzziness(t)) {
			return true
		}
	}
	return false
}

// PrefixMatches reports whether some word of s starts with prefix (lower-case).
func PrefixMatches(s, prefix string) bool {
	for _, w := range Terms(s) {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}

// editDistanceWithin reports whether the Levenshtein distance of a and b is at most k
// (transpositions count as one edit, as in Lucene's fuzzy queries).
func editDistanceWithin(a, b string, k int) bool {
	ra, rb := []rune(a), []rune(b)
	if k == 0 {
		return a == b
	}
	if d := len(ra) - len(rb); d > k || -d > k {
		return false
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)] <= k
}
