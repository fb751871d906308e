package core

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/graphql_datasource"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

func TestSourceClient_isWhereTheEngineKeepsIt(t *testing.T) {
	if _, found := sourceClient(&graphql_datasource.Source{}); !found {
		t.Fatal("graphql_datasource.Source has no httpClient *http.Client field: prepared plans would keep the engine's slower Load")
	}
}

// fetchSource sends what the engine's own Load sends, for inputs with and without
// variables the caller left out.
func TestFetchSource_sendsWhatTheEnginesLoadSends(t *testing.T) {
	var (
		mu     sync.Mutex
		bodies []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		_, _ = w.Write([]byte(`{"data":{"ok":true}}`))
	}))
	defer srv.Close()

	src := &graphql_datasource.Source{}
	f := reflect.ValueOf(src).Elem().FieldByName("httpClient")
	*(**http.Client)(unsafe.Pointer(f.UnsafeAddr())) = srv.Client()
	direct := directSource(src)
	if _, ok := direct.(*fetchSource); !ok {
		t.Fatalf("the engine's source was not wrapped: %T", direct)
	}

	inputs := []string{
		`{"method":"POST","url":"URL","body":{"query":"query($a: Int, $b: Int){f(a: $a, b: $b)}","variables":{"a":null,"b":1}},"undefined":["a"]}`,
		`{"method":"POST","url":"URL","body":{"query":"query($a: Int, $b: Int){f(a: $a, b: $b)}","variables":{"a":null,"b":1}}}`,
		`{"method":"POST","url":"URL","body":{"query":"{f}"}}`,
		`{"method":"POST","url":"URL","body":{"query":"query($r: [_Any!]!){_entities(representations: $r){... on P {n}}}","variables":{"r":[{"__typename":"P","id":"1"},{"__typename":"P","id":"2"}]}}}`,
		`{"method":"POST","url":"URL","body":{"query":"query($s: String){f(s: $s)}","variables":{"s":"undefined"}}}`,
	}
	for _, in := range inputs {
		in = strings.ReplaceAll(in, "URL", srv.URL)
		var engineOut, directOut bytes.Buffer
		if err := src.Load(context.Background(), []byte(in), &engineOut); err != nil {
			t.Fatal(err)
		}
		if err := direct.Load(context.Background(), []byte(in), &directOut); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		engineSent, directSent := bodies[len(bodies)-2], bodies[len(bodies)-1]
		mu.Unlock()
		if engineSent != directSent || engineOut.String() != directOut.String() {
			t.Errorf("input %s:\nengine sent %s, got %s\ndirect sent %s, got %s", in, engineSent, engineOut.String(), directSent, directOut.String())
		}
	}
	// The omitted variable really was removed (the engine's path was taken).
	if strings.Contains(bodies[0], `"a"`) {
		t.Fatalf("an undefined variable reached the subgraph: %s", bodies[0])
	}
}

func TestDirectFetches_leavesOtherSourcesAlone(t *testing.T) {
	other := &resolve.SingleFetch{}
	tree := resolve.Sequence(resolve.Single(other))
	directFetches(tree)
	if other.DataSource != nil {
		t.Fatalf("a fetch without the GraphQL source was changed: %#v", other.DataSource)
	}
}
