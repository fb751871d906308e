package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// SubscriptionProtocol is how the router talks to a subgraph's subscriptions.
type SubscriptionProtocol string

const (
	ProtocolGraphQLTransportWS SubscriptionProtocol = "graphql-transport-ws"
	ProtocolGraphQLWS          SubscriptionProtocol = "graphql-ws"
	ProtocolSSE                SubscriptionProtocol = "sse"
)

// Supergraph is supergraph.yaml: the subgraphs to compose.
type Supergraph struct {
	Subgraphs []Subgraph `yaml:"subgraphs"`
}

// Subgraph is one entry of supergraph.yaml.
type Subgraph struct {
	Name         string             `yaml:"name"`
	RoutingURL   string             `yaml:"routing_url"`
	Subscription *SubgraphStreaming `yaml:"subscription"`
	// Schema names a committed SDL file; without it the SDL is fetched from the
	// subgraph's _service { sdl }.
	Schema *SchemaSource `yaml:"schema"`
	// Timeout bounds one fetch from this subgraph; zero uses the router's subgraph_timeout.
	Timeout time.Duration `yaml:"timeout"`
}

// SubgraphStreaming says where and how to subscribe upstream.
type SubgraphStreaming struct {
	URL      string               `yaml:"url"`
	Protocol SubscriptionProtocol `yaml:"protocol"`
}

// SchemaSource says where a subgraph's SDL comes from.
type SchemaSource struct {
	File string `yaml:"file"`
	// SDL is the subgraph's schema itself, when it was recovered from a pre-composed
	// supergraph SDL (see ParseSupergraphSDL); it is not a supergraph.yaml key.
	SDL string `yaml:"-"`
}

// LoadSupergraph reads and validates supergraph.yaml, or a pre-composed supergraph SDL
// (Apollo/Hive format, see ParseSupergraphSDL). Relative schema file paths are
// resolved against the file's directory.
func LoadSupergraph(path string) (*Supergraph, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read supergraph config: %w", err)
	}
	if IsSupergraphSDL(data) {
		sg, err := ParseSupergraphSDL(data)
		if err != nil {
			return nil, fmt.Errorf("supergraph %s: %w", path, err)
		}
		return sg, nil
	}
	sg, err := ParseSupergraph(data)
	if err != nil {
		return nil, fmt.Errorf("supergraph config %s: %w", path, err)
	}
	base := filepath.Dir(path)
	for i := range sg.Subgraphs {
		if s := sg.Subgraphs[i].Schema; s != nil && !filepath.IsAbs(s.File) {
			s.File = filepath.Join(base, s.File)
		}
	}
	return sg, nil
}

// ParseSupergraph decodes and validates supergraph.yaml content.
func ParseSupergraph(data []byte) (*Supergraph, error) {
	var sg Supergraph
	if err := decodeStrict(data, &sg); err != nil {
		return nil, err
	}
	if err := sg.Validate(); err != nil {
		return nil, err
	}
	return &sg, nil
}

// Validate reports every problem it finds, each naming the subgraph.
func (s *Supergraph) Validate() error {
	if len(s.Subgraphs) == 0 {
		return errors.New("subgraphs: at least one subgraph is required")
	}
	var errs []error
	seen := map[string]bool{}
	for i, sg := range s.Subgraphs {
		where := fmt.Sprintf("subgraphs[%d]", i)
		if sg.Name == "" {
			errs = append(errs, fmt.Errorf("%s: name is required", where))
		} else {
			where = fmt.Sprintf("subgraph %q", sg.Name)
			if seen[sg.Name] {
				errs = append(errs, fmt.Errorf("%s: name is used twice", where))
			}
			seen[sg.Name] = true
		}
		if err := checkURL(sg.RoutingURL, "http", "https"); err != nil {
			errs = append(errs, fmt.Errorf("%s: routing_url: %w", where, err))
		}
		if sub := sg.Subscription; sub != nil {
			schemes := []string{"ws", "wss"}
			switch sub.Protocol {
			case ProtocolGraphQLTransportWS, ProtocolGraphQLWS:
			case ProtocolSSE:
				// SSE (POST) over HTTP/2: every subscription to the subgraph is a stream on a
				// few shared connections (cleartext HTTP/2 for http://), each stream with its
				// own headers and so its own caller identity. The subgraph must serve HTTP/2.
				schemes = []string{"http", "https"}
			case "":
				sub.Protocol = ProtocolGraphQLTransportWS
			default:
				errs = append(errs, fmt.Errorf("%s: subscription.protocol %q: want graphql-transport-ws, graphql-ws or sse", where, sub.Protocol))
			}
			if sub.URL != "" {
				if err := checkURL(sub.URL, schemes...); err != nil {
					errs = append(errs, fmt.Errorf("%s: subscription.url: %w", where, err))
				}
			}
		}
		if sg.Timeout < 0 {
			errs = append(errs, fmt.Errorf("%s: timeout must not be negative", where))
		}
		if sg.Schema != nil && sg.Schema.File == "" && sg.Schema.SDL == "" {
			errs = append(errs, fmt.Errorf("%s: schema.file is empty (leave schema out to fetch _service { sdl })", where))
		}
	}
	return errors.Join(errs...)
}

func checkURL(raw string, schemes ...string) error {
	if raw == "" {
		return errors.New("is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	for _, s := range schemes {
		if u.Scheme == s && u.Host != "" {
			return nil
		}
	}
	return fmt.Errorf("%q: want an absolute %v URL", raw, schemes)
}
