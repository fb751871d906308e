package contracts_test

import (
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/events/contracts"
)

func TestCheckCompatible_findsEachKindOfBreakingChange(t *testing.T) {
	const base = `{"type":"object","$defs":{"money":{"type":"object","properties":{"amount_minor":{"type":"integer"},"currency":{"type":"string"}},"required":["amount_minor","currency"]}},
	"properties":{"id":{"type":"string"},"note":{"type":"string"},"status":{"type":"string","enum":["a","b"]},
	"price":{"$ref":"#/$defs/money"},"items":{"type":"array","items":{"type":"object","properties":{"qty":{"type":"integer"}},"required":["qty"]}}},
	"required":["id","status","price","items"]}`
	tests := []struct {
		name string
		edit func(string) string
		want string // substring of the single reported break; empty = compatible
	}{
		{"an unchanged schema is compatible", func(s string) string { return s }, ""},
		{"a new optional property is compatible", func(s string) string {
			return strings.Replace(s, `"note":{"type":"string"}`, `"note":{"type":"string"},"tip":{"type":"integer"}`, 1)
		}, ""},
		{"a new enum value is compatible", func(s string) string { return strings.Replace(s, `["a","b"]`, `["a","b","c"]`, 1) }, ""},
		{"a new required property breaks", func(s string) string {
			return strings.Replace(strings.Replace(s, `"note":{"type":"string"}`, `"note":{"type":"string"},"tip":{"type":"integer"}`, 1),
				`"required":["id","status","price","items"]`, `"required":["id","status","price","items","tip"]`, 1)
		}, "$.tip: new required property"},
		{"a removed property breaks", func(s string) string { return strings.Replace(s, `"note":{"type":"string"},`, ``, 1) }, "$.note: property removed"},
		{"an optional property becoming required breaks", func(s string) string {
			return strings.Replace(s, `"required":["id","status","price","items"]`, `"required":["id","status","price","items","note"]`, 1)
		}, "$.note: optional property became required"},
		{"a changed type breaks", func(s string) string {
			return strings.Replace(s, `"id":{"type":"string"}`, `"id":{"type":"integer"}`, 1)
		}, "$.id: type changed"},
		{"a removed enum value breaks", func(s string) string { return strings.Replace(s, `["a","b"]`, `["a"]`, 1) }, "$.status: enum value b removed"},
		{"a change inside a $ref'd definition breaks", func(s string) string {
			return strings.Replace(s, `"amount_minor":{"type":"integer"}`, `"amount_minor":{"type":"number"}`, 1)
		}, "$.price.amount_minor: type changed"},
		{"a change inside array items breaks", func(s string) string {
			return strings.Replace(s, `"qty":{"type":"integer"}`, `"qty":{"type":"string"}`, 1)
		}, "$.items[].qty: type changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			breaks, err := contracts.CheckCompatible([]byte(base), []byte(tt.edit(base)))
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(breaks) != 0 {
					t.Fatalf("reported %v, want compatible", breaks)
				}
				return
			}
			if len(breaks) != 1 || !strings.Contains(breaks[0], tt.want) {
				t.Fatalf("reported %v, want one break containing %q", breaks, tt.want)
			}
		})
	}
}
