package compose

import (
	"strings"
	"testing"
)

func TestNormaliseSDL_leavesAnSDLThatNeedsNothingByteForByte(t *testing.T) {
	sdl := "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.3\", import: [\"@key\"])\n# comment\ntype Query { a: Int }\n"
	if got := normaliseSDL(sdl); got != sdl {
		t.Fatalf("changed:\n%s", got)
	}
}

func TestNormaliseSDL_federation1ExtensionsBecomeDefinitionsWithTheirKeysNoLongerExternal(t *testing.T) {
	got := normaliseSDL(`extend type User @key(fields: "id org { id }") { id: ID! @external org: Org @external name: String @external rank: Int @requires(fields: "name") }`)
	if strings.Contains(got, "extend type") || !strings.Contains(got, "type User @key") {
		t.Fatalf("want a definition: %s", got)
	}
	if strings.Contains(got, "id: ID! @external") || strings.Contains(got, "org: Org @external") || !strings.Contains(got, "name: String @external") {
		t.Fatalf("want key fields internal and the required field still external: %s", got)
	}
}

func TestNormaliseSDL_providesOnAUnionFieldIsDropped(t *testing.T) {
	got := normaliseSDL(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@provides", "@external"])
type Query { picks: [Pick] @provides(fields: "... on Book { title }") books: [Book] @provides(fields: "title") }
union Pick = Book
type Book @key(fields: "id") { id: ID! title: String @external }`)
	if strings.Contains(got, "... on Book") || !strings.Contains(got, `books: [Book] @provides(fields: "title")`) || !strings.Contains(got, "extend schema @link") {
		t.Fatalf("want only the union's @provides dropped: %s", got)
	}
}
