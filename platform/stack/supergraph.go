package stack

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// Subgraph is one entry of supergraph.yaml: which subgraph binary to run, where it serves
// and the SDL the router composes.
type Subgraph struct {
	Name       string `yaml:"name"`
	RoutingURL string `yaml:"routing_url"`
	// Subscription is set for subgraphs that serve subscriptions.
	Subscription *SubscriptionEndpoint `yaml:"subscription,omitempty"`
	Schema       *SchemaSource         `yaml:"schema,omitempty"`
}

// SubscriptionEndpoint is where the router subscribes upstream.
type SubscriptionEndpoint struct {
	URL      string `yaml:"url"`
	Protocol string `yaml:"protocol"`
}

// SchemaSource names the subgraph's SDL file.
type SchemaSource struct {
	File string `yaml:"file"`
}

// Addr is the host:port the subgraph serves, taken from its routing URL.
func (s Subgraph) Addr() (string, error) {
	u, err := url.Parse(s.RoutingURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("routing_url %q is not an absolute URL", s.RoutingURL)
	}
	return u.Host, nil
}

// ReadSupergraph reads the subgraphs of a supergraph.yaml; a missing file means none.
func ReadSupergraph(path string) ([]Subgraph, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Subgraphs []Subgraph `yaml:"subgraphs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc.Subgraphs, nil
}

// Relocate returns subgraphs moved to the given listen addresses (name -> host:port), their
// routing and subscription URLs rewritten and relative schema files made absolute against
// root: the supergraph of a run beside `make run` on ports of its own.
func Relocate(subgraphs []Subgraph, root string, addrs map[string]string) ([]Subgraph, error) {
	out := make([]Subgraph, 0, len(subgraphs))
	for _, s := range subgraphs {
		addr, ok := addrs[s.Name]
		if !ok {
			return nil, fmt.Errorf("no address for subgraph %s", s.Name)
		}
		moved, err := moveURL(s.RoutingURL, addr)
		if err != nil {
			return nil, fmt.Errorf("subgraph %s: %w", s.Name, err)
		}
		s.RoutingURL = moved
		if s.Subscription != nil {
			sub := *s.Subscription
			if sub.URL, err = moveURL(sub.URL, addr); err != nil {
				return nil, fmt.Errorf("subgraph %s: %w", s.Name, err)
			}
			s.Subscription = &sub
		}
		if s.Schema != nil && s.Schema.File != "" && !filepath.IsAbs(s.Schema.File) {
			s.Schema = &SchemaSource{File: filepath.Join(root, s.Schema.File)}
		}
		out = append(out, s)
	}
	return out, nil
}

func moveURL(raw, addr string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute URL", raw)
	}
	u.Host = addr
	return u.String(), nil
}

// WriteSupergraph writes subgraphs as a supergraph.yaml the router reads.
func WriteSupergraph(path string, subgraphs []Subgraph) error {
	data, err := yaml.Marshal(map[string]any{"subgraphs": subgraphs})
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// FreeAddrs returns n loopback addresses nothing listens on now. Another process may take
// one before it is used; the stack then fails to start with the address in the error.
func FreeAddrs(n int) ([]string, error) {
	var (
		addrs []string
		lns   []net.Listener
	)
	defer func() {
		for _, l := range lns {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, l)
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}
