package app

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// Cursor is the opaque Relay cursor of an inbox entry: its seq in its owner's inbox.
func Cursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("n:" + strconv.FormatInt(seq, 10)))
}

// DecodeCursor returns the seq a Cursor encodes.
func DecodeCursor(c string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, err
	}
	s, ok := strings.CutPrefix(string(raw), "n:")
	if !ok {
		return 0, errors.New("bad cursor")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("bad cursor")
	}
	return n, nil
}
