package core_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

func sha(q string) string {
	s := sha256.Sum256([]byte(q))
	return hex.EncodeToString(s[:])
}

func (r *testRouter) postJSON(t *testing.T, body map[string]any) gqlResponse {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(r.URL, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return readResponse(t, resp)
}

func persisted(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

func TestAPQ_unknownHashAsksForTheQueryThenTheHashAloneRuns(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	q := `query P { product(upc: "top-1") { name } }`

	res := r.postJSON(t, map[string]any{"extensions": persisted(sha(q))})
	if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "PERSISTED_QUERY_NOT_FOUND" || res.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("want PERSISTED_QUERY_NOT_FOUND: %s", res.Body)
	}
	res = r.postJSON(t, map[string]any{"query": q, "extensions": persisted(sha(q))})
	assertJSON(t, `{"product":{"name":"Trilby"}}`, res.Data)

	// Registered: the hash alone now runs, over POST and over GET (cacheable).
	res = r.postJSON(t, map[string]any{"extensions": persisted(sha(q))})
	assertJSON(t, `{"product":{"name":"Trilby"}}`, res.Data)
	ext, _ := json.Marshal(persisted(sha(q)))
	resp, err := http.Get(r.URL + "?" + url.Values{"extensions": {string(ext)}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, `{"product":{"name":"Trilby"}}`, readResponse(t, resp).Data)
}

func TestAPQ_refusesAQueryWhoseHashDoesNotMatch(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res := r.postJSON(t, map[string]any{"query": `{ me { name } }`, "extensions": persisted(sha("something else"))})
	if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "PERSISTED_QUERY_HASH_MISMATCH" {
		t.Fatalf("want PERSISTED_QUERY_HASH_MISMATCH: %s", res.Body)
	}
}

func TestSafelist_runsOnlyOperationsInTheManifest(t *testing.T) {
	allowed := `query Me { me { name } }`
	manifest, _ := json.Marshal(map[string]any{
		"format": "apollo-persisted-query-manifest", "version": 1,
		"operations": []map[string]any{{"id": sha(allowed), "name": "Me", "type": "query", "body": allowed}},
	})
	path := filepath.Join(t.TempDir(), "persisted-operations.json")
	if err := os.WriteFile(path, manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.PersistedQueries.SafelistFile = path })

	byHash := r.postJSON(t, map[string]any{"extensions": persisted(sha(allowed))})
	assertJSON(t, `{"me":{"name":"Ada Lovelace"}}`, byHash.Data)
	byText := r.postJSON(t, map[string]any{"query": allowed})
	assertJSON(t, `{"me":{"name":"Ada Lovelace"}}`, byText.Data)

	for _, body := range []map[string]any{
		{"query": `{ me { name username } }`},
		{"query": `{ me { name username } }`, "extensions": persisted(sha(`{ me { name username } }`))},
	} {
		res := r.postJSON(t, body)
		if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "OPERATION_NOT_IN_SAFELIST" {
			t.Fatalf("want OPERATION_NOT_IN_SAFELIST for %v: %s", body, res.Body)
		}
	}
}
