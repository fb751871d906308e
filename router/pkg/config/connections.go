package config

import platformconfig "github.com/dizhtime/dizhtime/platform/config"

// Connections caps the long-lived client connections the router holds (WebSocket
// connections, and subscriptions streamed over SSE or multipart HTTP) so that a flood of
// them cannot take the file descriptors the request path and the upstream sockets need.
// A connection over a cap is refused: a WebSocket is closed with 1013 (Try Again Later),
// a streamed request answered 503 with Retry-After; router_connections_refused_total
// counts both.
type Connections struct {
	// MaxStreams caps such connections in total (0: no cap).
	MaxStreams int `yaml:"max_streams" env:"MAX_STREAMS"`
	// MaxStreamsPerIP caps them per client address (0: no cap).
	MaxStreamsPerIP int `yaml:"max_streams_per_ip" env:"MAX_STREAMS_PER_IP"`
	// FDHeadroom is how many file descriptors must stay free under the process's soft
	// limit for /readyz to say ready: readiness fails before the limit is reached, so a
	// load balancer stops sending new clients while the process can still serve the old
	// ones (at most a quarter of the limit; 0 turns the check off).
	FDHeadroom int `yaml:"fd_headroom" env:"FD_HEADROOM"`
}

// DefaultConnections: no caps (a deployment sets them from its fd budget), and readiness
// fails with fewer than 1,000 descriptors left.
func DefaultConnections() Connections { return Connections{FDHeadroom: 1000} }

func (c Connections) validate() []error {
	var errs []error
	for key, v := range map[string]int{
		"connections.max_streams":        c.MaxStreams,
		"connections.max_streams_per_ip": c.MaxStreamsPerIP,
		"connections.fd_headroom":        c.FDHeadroom,
	} {
		if v < 0 {
			errs = append(errs, platformconfig.Invalid(key, "must not be negative (0 turns it off), got %d", v))
		}
	}
	return errs
}
