package core

import (
	"sync"

	"github.com/buger/jsonparser"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/wundergraph/graphql-go-tools/execution/graphql"
)

// operationCache remembers, per engine, what the pipeline learns from an operation's
// text so the next request with the same text does not parse, normalise and validate
// it again: its type, whether it is introspection, its shape for the limits, its parsed
// document (for the cost estimate and the authorization walk, which still run on every
// request because they depend on variables and on the caller), and the client-schema
// validation result per variables shape. The key is the operation name and the whole
// text, so two texts never share an entry; the cache lives on the engine, so a new
// supergraph (hot reload) starts with an empty one.
type operationCache struct {
	entries *lru.Cache[string, *cachedOperation]
}

// operationCacheSize bounds the distinct operation texts remembered per engine.
const operationCacheSize = 2048

// maxValidationShapes bounds the variables shapes remembered per operation: a client
// sending ever-new shapes gets validated each time instead of growing the entry.
const maxValidationShapes = 32

func newOperationCache() *operationCache {
	c, _ := lru.New[string, *cachedOperation](operationCacheSize)
	return &operationCache{entries: c}
}

// cachedOperation is what is known about one (operation name, text).
type cachedOperation struct {
	opType    graphql.OperationType
	opTypeErr error
	// introspection: the operation is, or mentions, introspection.
	introspection bool
	inspected     inspectedOperation
	// doc and op are the gqlparser parse (nil when it does not parse or names no single
	// operation); read-only once cached.
	doc *ast.QueryDocument
	op  *ast.OperationDefinition
	// parseErr is gqlparser's syntax error (1-based line and column), nil when it parses.
	parseErr *clientError

	mu sync.Mutex
	// validated maps a variables shape to the client-schema validation result.
	validated map[string]error
	// plans maps a variables shape to the operation normalised, validated and planned
	// (see preparedPlans).
	plans map[string]*preparedPlan
}

// lookup returns the entry for the operation, building it on a miss.
func (c *operationCache) lookup(query, operationName string) *cachedOperation {
	key := operationName + "\x00" + query
	if e, ok := c.entries.Get(key); ok {
		return e
	}
	e := &cachedOperation{validated: map[string]error{}, plans: map[string]*preparedPlan{}}
	req := &graphql.Request{Query: query, OperationName: operationName}
	e.opType, e.opTypeErr = req.OperationType()
	if e.opTypeErr == nil {
		is, _ := req.IsIntrospectionQuery()
		e.introspection = is || mentionsIntrospection(query)
	}
	if doc, err := parser.ParseQuery(&ast.Source{Input: query}); err == nil {
		e.doc = doc
		e.op = pickOperation(doc, operationName)
	} else {
		e.parseErr = parseFailure(err)
	}
	e.inspected = inspectParsed(e.doc, e.op, operationName)
	c.entries.Add(key, e)
	return e
}

// validation returns the remembered client-schema validation result for the variables'
// shape, computing it with validate on a miss.
func (e *cachedOperation) validation(variables []byte, validate func() error) error {
	shape := variablesShape(variables)
	e.mu.Lock()
	err, ok := e.validated[shape]
	e.mu.Unlock()
	if ok {
		return err
	}
	err = validate()
	e.mu.Lock()
	if len(e.validated) < maxValidationShapes {
		e.validated[shape] = err
	}
	e.mu.Unlock()
	return err
}

// variablesShape is the variables' structure with their values left out: object keys
// in order, array lengths, the JSON kind of every value (normalisation coerces by kind)
// and the value of booleans (normalisation applies @skip/@include with variables). Anything that is not valid JSON gets its own text as shape.
func variablesShape(variables []byte) string {
	if len(variables) == 0 {
		return ""
	}
	out := make([]byte, 0, len(variables)/2+8)
	var walk func(value []byte, kind jsonparser.ValueType) bool
	walk = func(value []byte, kind jsonparser.ValueType) bool {
		switch kind {
		case jsonparser.Object:
			out = append(out, '{')
			err := jsonparser.ObjectEach(value, func(k, v []byte, t jsonparser.ValueType, _ int) error {
				// Keys are raw JSON string contents: they hold no unescaped quote.
				out = append(out, '"')
				out = append(out, k...)
				out = append(out, '"', ':')
				if !walk(v, t) {
					return errBadShape
				}
				out = append(out, ',')
				return nil
			})
			out = append(out, '}')
			return err == nil
		case jsonparser.Array:
			out = append(out, '[')
			ok := true
			_, err := jsonparser.ArrayEach(value, func(v []byte, t jsonparser.ValueType, _ int, _ error) {
				if ok && !walk(v, t) {
					ok = false
				}
				out = append(out, ',')
			})
			out = append(out, ']')
			return ok && err == nil
		case jsonparser.String:
			out = append(out, 's')
		case jsonparser.Number:
			out = append(out, 'n')
		case jsonparser.Boolean:
			// Booleans keep their value: @skip/@include with a variable are applied by
			// normalisation, so the value changes the normalised operation.
			if len(value) > 0 && value[0] == 't' {
				out = append(out, 't')
			} else {
				out = append(out, 'f')
			}
		case jsonparser.Null:
			out = append(out, '0')
		default:
			return false
		}
		return true
	}
	value, kind, _, err := jsonparser.Get(variables)
	if err != nil || !walk(value, kind) {
		return "\x00raw:" + string(variables)
	}
	return string(out)
}

type badShapeError struct{}

func (badShapeError) Error() string { return "variables are not JSON" }

var errBadShape error = badShapeError{}
