package observability

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	promquery "github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Datasource uids the dashboards refer to; deploy/observability/grafana/provisioning
// declares them (Prometheus with exemplars -> traces, Loki with trace_id -> traces).
const (
	PrometheusUID = "prometheus"
	TracesUID     = "traces"
)

// query is one PromQL target of a panel.
type query struct {
	Expr, Legend string
}

// panel is a time series (or a stat) of the shipped dashboards.
type panel struct {
	Title, Unit, Description string
	Queries                  []query
	// Exemplars shows the trace ids recorded with histogram observations: a click on one
	// opens the trace (the datasource's exemplar link).
	Exemplars bool
	Stat      bool
}

type board struct {
	UID, Title string
	Panels     []panel
}

// Boards are DizhTime's dashboards: router RED per operation, per-subgraph RED, Kafka lag
// and dead letters, the order funnel and saga, the wallet, dispatch and search freshness.
// Every expression here returns data on a platform that served one journey (the
// observed-journey test checks it).
var Boards = []board{
	{UID: "dizhtime-router", Title: "DizhTime / Router", Panels: []panel{
		{Title: "Operations per second", Unit: "reqps", Queries: []query{{`sum by (operation_name) (rate(router_operations_total[$__rate_interval]))`, "{{operation_name}}"}}},
		{Title: "Error ratio per operation", Unit: "percentunit", Queries: []query{{`operation:router_operation_errors:ratio_rate5m`, "{{operation_name}}"}}},
		{Title: "Latency p99 per operation", Unit: "s", Exemplars: true,
			Description: "Exemplars link each slow point to its trace.",
			Queries:     []query{{`histogram_quantile(0.99, sum by (operation_name, le) (rate(router_operation_duration_seconds_bucket[$__rate_interval])))`, "{{operation_name}}"}}},
		{Title: "Active subscriptions", Unit: "short", Queries: []query{{`sum by (transport) (router_active_subscriptions)`, "{{transport}}"}}},
		{Title: "Plan cache", Unit: "ops", Queries: []query{{`sum by (result) (rate(router_plan_cache_total[$__rate_interval]))`, "{{result}}"}}},
	}},
	{UID: "dizhtime-subgraphs", Title: "DizhTime / Subgraphs", Panels: []panel{
		{Title: "Fetches per second per subgraph", Unit: "reqps", Queries: []query{{`sum by (subgraph) (rate(router_subgraph_fetch_duration_seconds_count[$__rate_interval]))`, "{{subgraph}}"}}},
		{Title: "Fetch error ratio per subgraph", Unit: "percentunit", Queries: []query{{`subgraph:router_subgraph_fetch_errors:ratio_rate5m`, "{{subgraph}}"}}},
		{Title: "Fetch latency p99 per subgraph", Unit: "s", Exemplars: true, Queries: []query{{`histogram_quantile(0.99, sum by (subgraph, le) (rate(router_subgraph_fetch_duration_seconds_bucket[$__rate_interval])))`, "{{subgraph}}"}}},
		{Title: "HTTP requests per process", Unit: "reqps", Queries: []query{{`sum by (job) (rate(http_server_requests_total[$__rate_interval]))`, "{{job}}"}}},
		{Title: "HTTP 5xx ratio per process", Unit: "percentunit", Queries: []query{{`job:http_server_errors:ratio_rate5m`, "{{job}}"}}},
		{Title: "HTTP latency p99 per process", Unit: "s", Queries: []query{{`histogram_quantile(0.99, sum by (job, le) (rate(http_server_request_duration_seconds_bucket[$__rate_interval])))`, "{{job}}"}}},
	}},
	{UID: "dizhtime-events", Title: "DizhTime / Kafka events", Panels: []panel{
		{Title: "Consumer lag per topic", Unit: "short", Queries: []query{{`max by (topic) (dizhtime_consumer_lag_messages)`, "{{topic}}"}}},
		{Title: "Events handled per topic", Unit: "ops", Queries: []query{{`sum by (topic, outcome) (rate(dizhtime_consumer_events_total[$__rate_interval]))`, "{{topic}} {{outcome}}"}}},
		{Title: "Dead letters per topic (15m)", Unit: "short", Queries: []query{{`topic:dizhtime_consumer_dead_letters:increase15m`, "{{topic}}"}}},
		{Title: "Outbox: oldest unsent event", Unit: "s", Queries: []query{{`max by (job) (dizhtime_outbox_oldest_unsent_age_seconds)`, "{{job}}"}}},
		{Title: "Outbox: backlog", Unit: "short", Queries: []query{{`sum by (job) (dizhtime_outbox_backlog_events)`, "{{job}}"}}},
	}},
	{UID: "dizhtime-orders", Title: "DizhTime / Orders and saga", Panels: []panel{
		{Title: "placeOrder per second", Unit: "reqps", Queries: []query{{`sum(rate(router_operations_total{operation_name="PlaceOrder"}[$__rate_interval]))`, "placed"}}},
		{Title: "Order events (funnel)", Unit: "ops", Queries: []query{{`sum by (topic) (rate(dizhtime_consumer_events_total{outcome="processed",topic=~"order.*|payment.*"}[$__rate_interval]))`, "{{topic}}"}}},
		{Title: "Stuck orders per status", Unit: "short", Stat: true, Queries: []query{{`sum by (status) (dizhtime_orders_saga_stuck_orders)`, "{{status}}"}}},
		{Title: "placeOrder latency p99", Unit: "s", Exemplars: true, Queries: []query{{`histogram_quantile(0.99, sum by (le) (rate(router_operation_duration_seconds_bucket{operation_name="PlaceOrder"}[$__rate_interval])))`, "p99"}}},
	}},
	{UID: "dizhtime-wallet", Title: "DizhTime / Wallet", Panels: []panel{
		{Title: "Ledger invariant: sum of balances per currency (must be 0)", Unit: "short", Stat: true, Queries: []query{{`dizhtime_wallet_ledger_balance_sum_minor`, "{{currency}}"}}},
		{Title: "Wallet saga events", Unit: "ops", Queries: []query{{`sum by (topic, outcome) (rate(dizhtime_consumer_events_total{job="wallet"}[$__rate_interval]))`, "{{topic}} {{outcome}}"}}},
		{Title: "Wallet GraphQL latency p99", Unit: "s", Queries: []query{{`histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{job="wallet"}[$__rate_interval])))`, "p99"}}},
	}},
	{UID: "dizhtime-dispatch", Title: "DizhTime / Dispatch", Panels: []panel{
		{Title: "Dispatch requests per second", Unit: "reqps", Queries: []query{{`sum by (code) (rate(http_server_requests_total{job="dispatch"}[$__rate_interval]))`, "{{code}}"}}},
		{Title: "Dispatch latency p99", Unit: "s", Queries: []query{{`histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{job="dispatch"}[$__rate_interval])))`, "p99"}}},
		{Title: "Courier offers through the router", Unit: "short", Queries: []query{{`sum by (transport) (router_active_subscriptions)`, "{{transport}}"}}},
		{Title: "Matching p99 (round start -> first offer)", Unit: "s",
			Description: "Time to find the candidates in growing rings, rank them, reserve the best driver and record the offer; the DispatchMatchingSlow alert watches it.",
			Queries:     []query{{`dispatch:dizhtime_dispatch_matching_duration_seconds:p99_5m`, "p99"}, {`histogram_quantile(0.5, sum by (le) (rate(dizhtime_dispatch_matching_duration_seconds_bucket[$__rate_interval])))`, "p50"}}},
		{Title: "Matching rounds that made an offer, per second", Unit: "ops", Queries: []query{{`sum(rate(dizhtime_dispatch_matching_duration_seconds_count[$__rate_interval]))`, "rounds"}}},
	}},
	{UID: "dizhtime-search", Title: "DizhTime / Search", Panels: []panel{
		{Title: "Freshness p99 (event -> searchable)", Unit: "s", Queries: []query{{`histogram_quantile(0.99, sum by (type, le) (rate(dizhtime_search_freshness_seconds_bucket[$__rate_interval])))`, "{{type}}"}}},
		{Title: "Projected events", Unit: "ops", Queries: []query{{`sum by (type, outcome) (rate(dizhtime_search_projected_events_total[$__rate_interval]))`, "{{type}} {{outcome}}"}}},
	}},
}

// Expressions are every PromQL expression of every panel.
func Expressions() []string {
	var out []string
	for _, b := range Boards {
		for _, p := range b.Panels {
			for _, q := range p.Queries {
				out = append(out, q.Expr)
			}
		}
	}
	return out
}

func ref(kind, uid string) common.DataSourceRef { return common.DataSourceRef{Type: &kind, Uid: &uid} }

// Build turns b into Grafana's dashboard JSON model through the foundation SDK.
func (b board) Build() (dashboard.Dashboard, error) {
	d := dashboard.NewDashboardBuilder(b.Title).Uid(b.UID).Tags([]string{"dizhtime", "generated"}).
		Refresh("30s").Time("now-1h", "now").Timezone(common.TimeZoneBrowser).
		Links([]cog.Builder[dashboard.DashboardLink]{
			dashboard.NewDashboardLinkBuilder("DizhTime").Type(dashboard.DashboardLinkTypeDashboards).
				Tags([]string{"dizhtime"}).AsDropdown(true).KeepTime(true),
		})
	for _, p := range b.Panels {
		var targets []cog.Builder[variants.Dataquery]
		for i, q := range p.Queries {
			targets = append(targets, promquery.NewDataqueryBuilder().Expr(q.Expr).LegendFormat(q.Legend).
				RefId(string(rune('A'+i))).Exemplar(p.Exemplars).Datasource(ref("prometheus", PrometheusUID)))
		}
		if p.Stat {
			sp := stat.NewPanelBuilder().Title(p.Title).Unit(p.Unit).Description(p.Description).Height(6).Span(8).
				Datasource(ref("prometheus", PrometheusUID))
			for _, t := range targets {
				sp = sp.WithTarget(t)
			}
			d = d.WithPanel(sp)
			continue
		}
		tp := timeseries.NewPanelBuilder().Title(p.Title).Unit(p.Unit).Description(p.Description).Height(8).Span(12).
			Datasource(ref("prometheus", PrometheusUID))
		for _, t := range targets {
			tp = tp.WithTarget(t)
		}
		d = d.WithPanel(tp)
	}
	return d.Build()
}

// WriteDashboards writes every board as dir/<uid>.json, the files Grafana provisions.
func WriteDashboards(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, b := range Boards {
		d, err := b.Build()
		if err != nil {
			return fmt.Errorf("dashboard %s: %w", b.UID, err)
		}
		data, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return fmt.Errorf("dashboard %s: %w", b.UID, err)
		}
		if err := os.WriteFile(filepath.Join(dir, b.UID+".json"), append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}
