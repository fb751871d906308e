// Package conformance holds the router's Federation v2 conformance tests: for each class
// of the federation gateway audit cases (composition, planning, correct data,
// @inaccessible, unplannable queries) small subgraphs of the test's own, composed and
// served through the real router over HTTP.
package conformance
