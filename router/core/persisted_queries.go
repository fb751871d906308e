package core

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Error codes of the persisted query flows.
const (
	CodePersistedQueryNotFound     = "PERSISTED_QUERY_NOT_FOUND"
	CodePersistedQueryNotSupported = "PERSISTED_QUERY_NOT_SUPPORTED"
	CodePersistedQueryHashMismatch = "PERSISTED_QUERY_HASH_MISMATCH"
	CodeOperationNotInSafelist     = "OPERATION_NOT_IN_SAFELIST"
)

// persistedQueries resolves the query text of a request that uses Apollo automatic
// persisted queries (APQ), and, in safelist mode, refuses any operation that is not
// in the manifest.
type persistedQueries struct {
	apq *lru.Cache[string, string] // nil when APQ is off
	// safelist maps sha256 hex of an allowed operation's body to the body; nil when off.
	safelist map[string]string
	// safelistNames are the manifest's operation names (nil when there is no safelist).
	safelistNames []string
}

func newPersistedQueries(apq bool, cacheSize int, safelistFile string) (*persistedQueries, error) {
	p := &persistedQueries{}
	if apq {
		c, err := lru.New[string, string](cacheSize)
		if err != nil {
			return nil, fmt.Errorf("apq cache: %w", err)
		}
		p.apq = c
	}
	if safelistFile != "" {
		list, names, err := loadSafelist(safelistFile)
		if err != nil {
			return nil, err
		}
		p.safelist, p.safelistNames = list, names
	}
	return p, nil
}

// persistedQueryExtension is extensions.persistedQuery.
type persistedQueryExtension struct {
	Version    int    `json:"version"`
	SHA256Hash string `json:"sha256Hash"`
}

// resolve fills in params.Query from the persisted query the request names, stores an
// APQ registration, and enforces the safelist. It returns a client error to refuse.
func (p *persistedQueries) resolve(params *operationParams) *clientError {
	hash := persistedQueryHash(params.Extensions)
	switch {
	case hash == "":
	case params.Query == "":
		if body, ok := p.safelist[hash]; ok {
			params.Query = body
			return nil
		}
		if p.apq == nil {
			return refusal(CodePersistedQueryNotSupported, "PersistedQueryNotSupported")
		}
		body, ok := p.apq.Get(hash)
		if !ok {
			return refusal(CodePersistedQueryNotFound, "PersistedQueryNotFound")
		}
		params.Query = body
	default:
		if p.apq == nil && p.safelist == nil {
			return refusal(CodePersistedQueryNotSupported, "PersistedQueryNotSupported")
		}
		if sha256Hex(params.Query) != hash {
			return refusal(CodePersistedQueryHashMismatch, "provided sha256Hash does not match the query")
		}
		if p.apq != nil {
			p.apq.Add(hash, params.Query)
		}
	}
	if p.safelist != nil {
		if _, ok := p.safelist[sha256Hex(params.Query)]; !ok {
			return refusal(CodeOperationNotInSafelist, "operation is not in the persisted operations safelist")
		}
	}
	return nil
}

func persistedQueryHash(extensions json.RawMessage) string {
	if len(extensions) == 0 {
		return ""
	}
	var ext struct {
		PersistedQuery *persistedQueryExtension `json:"persistedQuery"`
	}
	if json.Unmarshal(extensions, &ext) != nil || ext.PersistedQuery == nil {
		return ""
	}
	return ext.PersistedQuery.SHA256Hash
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func refusal(code, message string) *clientError {
	e := newError(code, message)
	return &e
}

// loadSafelist reads an Apollo persisted query manifest:
//
//	{"format":"apollo-persisted-query-manifest","version":1,
//	 "operations":[{"id":"<sha256 of body>","name":"TopProducts","type":"query","body":"..."}]}
//
// Operations are keyed by the sha256 of their body; an id that disagrees is an error.
func loadSafelist(path string) (map[string]string, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("persisted operations safelist: %w", err)
	}
	var manifest struct {
		Operations []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Body string `json:"body"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		return nil, nil, fmt.Errorf("persisted operations safelist %s: %w", path, err)
	}
	list := make(map[string]string, len(manifest.Operations))
	names := []string{}
	for i, op := range manifest.Operations {
		if op.Body == "" {
			return nil, nil, fmt.Errorf("persisted operations safelist %s: operations[%d] (%s) has no body", path, i, op.Name)
		}
		hash := sha256Hex(op.Body)
		if op.ID != "" && op.ID != hash {
			return nil, nil, fmt.Errorf("persisted operations safelist %s: operations[%d] (%s): id %s is not the sha256 of its body (%s)", path, i, op.Name, op.ID, hash)
		}
		list[hash] = op.Body
		if name := inspectOperation(op.Body, op.Name).name; name != "" {
			names = append(names, name)
		} else if op.Name != "" {
			names = append(names, op.Name)
		}
	}
	return list, names, nil
}
