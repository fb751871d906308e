package core

import (
	"bytes"
	"context"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/graphql_datasource"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/httpclient"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// directFetches swaps the engine's GraphQL data source in a prepared plan's fetches for
// one that skips work which changes nothing for the router's fetches.
//
// The engine's graphql_datasource.Source.Load first runs compactAndUnNullVariables on
// every fetch input: it scans the whole input with gjson for an "undefined" member (the
// variables a client left out, listed by the planner), parses the variables, compacts
// them and writes them back; then it calls httpclient.Do with its HTTP client. Without
// an "undefined" member that is an identity on the input (the variables the planner
// renders are compact JSON already): a fifteenth of the router's CPU per request in
// the gateways benchmark, for nothing. fetchSource does the same httpclient.Do with the
// same client when the input carries no "undefined" anywhere, and hands any other input
// to the engine's Load as it is.
//
// The plan's fetches are rewritten once, when the plan is prepared (before it is shared).
func directFetches(node *resolve.FetchTreeNode) {
	if node == nil {
		return
	}
	if node.Item != nil {
		switch f := node.Item.Fetch.(type) {
		case *resolve.SingleFetch:
			f.DataSource = directSource(f.DataSource)
		case *resolve.EntityFetch:
			f.DataSource = directSource(f.DataSource)
		case *resolve.BatchEntityFetch:
			f.DataSource = directSource(f.DataSource)
		}
	}
	directFetches(node.Trigger)
	for _, child := range node.ChildNodes {
		directFetches(child)
	}
}

// directSource wraps the engine's GraphQL source; anything else is returned as it is.
func directSource(ds resolve.DataSource) resolve.DataSource {
	src, ok := ds.(*graphql_datasource.Source)
	if !ok || src == nil {
		return ds
	}
	client, _ := sourceClient(src)
	if client == nil {
		return ds
	}
	return &fetchSource{Source: src, client: client}
}

// sourceClient is the HTTP client of the engine's source (unexported in v2 rc.231: read
// by reflection, as engineInternals does). found is false when the field moved; then
// the engine's own Load is kept (TestSourceClient_isWhereTheEngineKeepsIt fails first).
func sourceClient(src *graphql_datasource.Source) (client *http.Client, found bool) {
	f := reflect.ValueOf(src).Elem().FieldByName("httpClient")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*http.Client]() {
		return nil, false
	}
	return *(**http.Client)(unsafe.Pointer(f.UnsafeAddr())), true
}

// fetchSource is the engine's source with Load made direct (see directFetches).
type fetchSource struct {
	*graphql_datasource.Source
	client *http.Client
}

// undefinedMember is the fetch input member compactAndUnNullVariables looks for.
var undefinedMember = []byte(`"` + httpclient.UNDEFINED_VARIABLES + `"`)

func (s *fetchSource) Load(ctx context.Context, input []byte, out *bytes.Buffer) error {
	if bytes.Contains(input, undefinedMember) {
		return s.Source.Load(ctx, input, out)
	}
	return onFetchWorker(s.client, ctx, input, out)
}

// onFetchWorker runs httpclient.Do on one of the fetch workers and waits for it.
//
// The engine starts a fresh goroutine for every fetch of a parallel step (errgroup in
// resolveParallel). A new goroutine starts with a small stack, and the HTTP client's
// call chain below the loader is deep enough that every fetch grew it (runtime
// copystack: about 6% of the router's CPU per request in the gateways benchmark, 13% in
// the fasthttp attempt, see router/README.md "Performance"). A worker is a goroutine
// that has grown its stack once and then serves fetch after fetch: handing it a fetch
// costs two channel operations. Workers are started on demand (a fetch never waits for
// a busy one) and end after fetchWorkerIdle without work, so the pool follows the
// number of fetches in flight.
func onFetchWorker(client *http.Client, ctx context.Context, input []byte, out *bytes.Buffer) error {
	job := fetchJobs.Get().(*fetchJob)
	job.client, job.ctx, job.input, job.out = client, ctx, input, out
	select {
	case idleFetchWorkers <- job:
	default:
		fetchWorkersStarted.Add(1)
		go fetchWorker(job)
	}
	<-job.done
	err := job.err
	*job = fetchJob{done: job.done}
	fetchJobs.Put(job)
	return err
}

// fetchWorkerIdle is how long a fetch worker waits for the next fetch before it ends.
const fetchWorkerIdle = 10 * time.Second

// fetchWorkersStarted counts the workers ever started (tests: workers are reused).
var fetchWorkersStarted atomic.Int64

// idleFetchWorkers hands a fetch to a worker waiting for one (unbuffered: a send only
// succeeds when a worker is idle).
var idleFetchWorkers = make(chan *fetchJob)

type fetchJob struct {
	client *http.Client
	ctx    context.Context
	input  []byte
	out    *bytes.Buffer
	err    error
	done   chan struct{}
}

var fetchJobs = sync.Pool{New: func() any { return &fetchJob{done: make(chan struct{}, 1)} }}

func fetchWorker(job *fetchJob) {
	idle := time.NewTimer(fetchWorkerIdle)
	defer idle.Stop()
	for {
		job.err = httpclient.Do(job.client, job.ctx, job.input, job.out)
		job.done <- struct{}{}
		idle.Reset(fetchWorkerIdle)
		select {
		case job = <-idleFetchWorkers:
		case <-idle.C:
			return
		}
	}
}
