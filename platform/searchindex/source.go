package searchindex

import (
	"encoding/json"
	"fmt"
)

func encodeSource(doc map[string]any) ([]byte, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode document: %w", err)
	}
	return raw, nil
}

func decodeSource(raw []byte) (map[string]any, error) {
	if raw == nil {
		return nil, nil
	}
	var src map[string]any
	if err := json.Unmarshal(raw, &src); err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	return src, nil
}
