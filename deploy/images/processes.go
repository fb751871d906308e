package images

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// Process is one deployable program: the router or a subgraph.
type Process struct {
	Name string
	// Package is the Go main package, relative to the repository root.
	Package string
	// Port is the port it serves HTTP on (API and /healthz, /readyz, /metrics).
	Port int
	// Subscription says the subgraph serves subscriptions (its supergraph.yaml entry has one).
	Subscription *Subscription
	// WebApp, for a web app's image, is its built files (repository-relative, e.g.
	// web/apps/customer/dist), served by Package (the static server) from WebRoot.
	WebApp string
}

// WebRoot is where a web app's image holds the built app.
const WebRoot = "/srv/www"

// WebPort is where a web app's image serves it.
const WebPort = 8080

// WebApps are the web front ends shipped as images: each is its `make web-build` output
// served by platform/cmd/webserve (a small static server: gzip, cache headers, /healthz,
// the router's URL written into index.html from DIZHTIME_WEB_ROUTER_URL), not by the router.
// The router stays an API process (its own scaling, no static files in its image); the
// app's origin is allowed by the router's CORS setting.
func WebApps() []Process {
	return []Process{{Name: "customer-web", Package: "./platform/cmd/webserve", Port: WebPort, WebApp: "web/apps/customer/dist"}}
}

// Subscription is a supergraph.yaml subscription endpoint.
type Subscription struct {
	URL      string `json:"url"`
	Protocol string `json:"protocol"`
}

// RouterPort is where the router serves in the cluster.
const RouterPort = 4000

type supergraphFile struct {
	Subgraphs []struct {
		Name         string        `json:"name"`
		RoutingURL   string        `json:"routing_url"`
		Subscription *Subscription `json:"subscription,omitempty"`
		Schema       *struct {
			File string `json:"file"`
		} `json:"schema,omitempty"`
		Timeout string `json:"timeout,omitempty"`
	} `json:"subgraphs"`
}

var hostPort = regexp.MustCompile(`^[a-z]+://[^/:]+:(\d+)(/.*)?$`)

// Processes reads repo's supergraph.yaml and returns the router and every subgraph it
// lists, in its order: the image set follows supergraph.yaml.
func Processes(repo string) ([]Process, error) {
	sg, err := readSupergraph(repo)
	if err != nil {
		return nil, err
	}
	out := []Process{{Name: "router", Package: "./router/cmd/router", Port: RouterPort}}
	for _, s := range sg.Subgraphs {
		m := hostPort.FindStringSubmatch(s.RoutingURL)
		if m == nil {
			return nil, fmt.Errorf("supergraph.yaml: subgraph %s: routing_url %q has no port", s.Name, s.RoutingURL)
		}
		var port int
		fmt.Sscan(m[1], &port)
		out = append(out, Process{Name: s.Name, Package: "./subgraphs/" + s.Name + "/cmd/" + s.Name, Port: port, Subscription: s.Subscription})
	}
	return out, nil
}

func readSupergraph(repo string) (*supergraphFile, error) {
	data, err := os.ReadFile(filepath.Join(repo, "supergraph.yaml"))
	if err != nil {
		return nil, err
	}
	var sg supergraphFile
	if err := yaml.UnmarshalStrict(data, &sg); err != nil {
		return nil, fmt.Errorf("supergraph.yaml: %w", err)
	}
	return &sg, nil
}

// ClusterSupergraph is supergraph.yaml as the router image carries it: every routing and
// subscription URL points at the subgraph's Kubernetes Service (http://orders:4003/query),
// and schema files at the SDLs baked into the image under schemaDir.
func ClusterSupergraph(repo, schemaDir string) ([]byte, []string, error) {
	sg, err := readSupergraph(repo)
	if err != nil {
		return nil, nil, err
	}
	var schemas []string
	var b strings.Builder
	b.WriteString("# Written by deploy/images from supergraph.yaml: the subgraphs at their in-cluster Services.\nsubgraphs:\n")
	for _, s := range sg.Subgraphs {
		fmt.Fprintf(&b, "  - name: %s\n    routing_url: %s\n", s.Name, inCluster(s.RoutingURL, s.Name))
		if s.Subscription != nil {
			fmt.Fprintf(&b, "    subscription: {url: %s, protocol: %s}\n", inCluster(s.Subscription.URL, s.Name), s.Subscription.Protocol)
		}
		if s.Schema != nil && s.Schema.File != "" {
			schemas = append(schemas, s.Schema.File)
			fmt.Fprintf(&b, "    schema: {file: %s}\n", filepath.ToSlash(filepath.Join(schemaDir, filepath.Base(s.Schema.File))))
		}
		if s.Timeout != "" {
			fmt.Fprintf(&b, "    timeout: %s\n", s.Timeout)
		}
	}
	return []byte(b.String()), schemas, nil
}

// inCluster replaces a URL's host with the Kubernetes Service name, keeping scheme, port
// and path.
func inCluster(u, service string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	hostport, path, _ := strings.Cut(rest, "/")
	_, port, _ := strings.Cut(hostport, ":")
	if port != "" {
		port = ":" + port
	}
	return scheme + "://" + service + port + "/" + path
}
