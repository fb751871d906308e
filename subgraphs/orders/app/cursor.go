package app

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// Cursor is the opaque Relay cursor of an order in a newest-first listing.
func Cursor(o *domain.Order) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(o.PlacedAt.UnixMicro(), 10) + ":" + o.ID))
}

// DecodeCursor returns the placement time and id a Cursor encodes.
func DecodeCursor(c string) (time.Time, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", err
	}
	us, id, ok := strings.Cut(string(raw), ":")
	if !ok || id == "" {
		return time.Time{}, "", errors.New("bad cursor")
	}
	n, err := strconv.ParseInt(us, 10, 64)
	if err != nil {
		return time.Time{}, "", err
	}
	return time.UnixMicro(n).UTC(), id, nil
}
