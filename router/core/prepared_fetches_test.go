package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
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

// Fetches handed to the fetch workers at once each get their own answer and error, and
// a worker serves fetch after fetch (the pool does not start a goroutine per fetch once
// workers are idle).
func TestFetchWorkers_eachFetchGetsItsOwnAnswerAndWorkersAreReused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write([]byte(`{"data":` + string(b) + `}`))
	}))
	defer srv.Close()

	const fetches = 200
	var wg sync.WaitGroup
	errs := make(chan string, fetches)
	for i := range fetches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := `{"n":` + strconv.Itoa(i) + `}`
			var out bytes.Buffer
			err := onFetchWorker(srv.Client(), context.Background(), []byte(`{"method":"POST","url":"`+srv.URL+`","body":`+body+`}`), &out)
			if err != nil || out.String() != `{"data":`+body+`}` {
				errs <- fmt.Sprintf("fetch %d: err %v, answer %s", i, err, out.String())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	// A cancelled fetch reports its own error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if err := onFetchWorker(srv.Client(), ctx, []byte(`{"method":"POST","url":"`+srv.URL+`","body":{}}`), &out); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled fetch: err %v, answer %s", err, out.String())
	}

	// One after another: an idle worker takes each fetch, none is started for it.
	before := fetchWorkersStarted.Load()
	for range 50 {
		out.Reset()
		if err := onFetchWorker(srv.Client(), context.Background(), []byte(`{"method":"POST","url":"`+srv.URL+`","body":{}}`), &out); err != nil {
			t.Fatal(err)
		}
	}
	if started := fetchWorkersStarted.Load() - before; started > 1 {
		t.Fatalf("%d workers started for 50 fetches one after another: workers are not reused", started)
	}
}
