package contracts

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
)

// Schemas holds schema/<type>/v<N>.json for every contract version.
//
//go:embed schema
var Schemas embed.FS

var schemaFile = regexp.MustCompile(`^schema/([a-z.]+)/v([1-9][0-9]*)\.json$`)

// SchemaVersions lists, per event type, the schema versions that exist, ascending.
func SchemaVersions() (map[string][]int, error) {
	out := map[string][]int{}
	err := fs.WalkDir(Schemas, "schema", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) == "SHA256SUMS" {
			return err
		}
		m := schemaFile.FindStringSubmatch(p)
		if m == nil {
			return fmt.Errorf("schema file %s: want schema/<type>/v<N>.json", p)
		}
		v, _ := strconv.Atoi(m[2])
		out[m[1]] = append(out[m[1]], v)
		return nil
	})
	for _, vs := range out {
		slices.Sort(vs)
	}
	return out, err
}

// Schema returns the JSON Schema of eventType at version.
func Schema(eventType string, version int) ([]byte, error) {
	b, err := Schemas.ReadFile(fmt.Sprintf("schema/%s/v%d.json", eventType, version))
	if err != nil {
		return nil, fmt.Errorf("schema of %s v%d: %w", eventType, version, err)
	}
	return b, nil
}
