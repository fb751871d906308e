// Package scalar holds the wallet's custom GraphQL scalars.
package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dizhtime/dizhtime/platform/graphqlerr"
)

// Int64 is the Go side of the Int64 scalar.
type Int64 = int64

// MarshalInt64 writes v as a JSON string: JavaScript clients would round a JSON number
// above 2^53.
func MarshalInt64(v int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(strconv.FormatInt(v, 10)))
	})
}

// UnmarshalInt64 accepts a decimal string or a JSON integer; anything else (fractions,
// out of range, floats past 2^53 that may already have lost precision) is BAD_USER_INPUT.
func UnmarshalInt64(v any) (int64, error) {
	switch x := v.(type) {
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, bad("%q is not a 64-bit integer", x)
		}
		return n, nil
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return 0, bad("%s is not a 64-bit integer", x)
		}
		return n, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, bad("%v is not an integer JSON numbers carry exactly; send it as a string", x)
		}
		return int64(x), nil
	}
	return 0, bad("%T is not a 64-bit integer", v)
}

func bad(format string, args ...any) error {
	return graphqlerr.BadUserInput("", fmt.Sprintf("Int64: "+format, args...))
}
