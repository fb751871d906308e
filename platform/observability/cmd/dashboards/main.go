// Command dashboards writes DizhTime's Grafana dashboards (platform/observability.Boards,
// built with the Grafana foundation SDK) as provisioned JSON. `make generate` runs it.
//
//	go run ./observability/cmd/dashboards -out ../deploy/observability/grafana/dashboards
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/dizhtime/dizhtime/platform/observability"
)

func main() {
	out := flag.String("out", "deploy/observability/grafana/dashboards", "directory for the dashboard JSON files")
	flag.Parse()
	if err := observability.WriteDashboards(*out); err != nil {
		fmt.Fprintln(os.Stderr, "dashboards:", err)
		os.Exit(1)
	}
}
