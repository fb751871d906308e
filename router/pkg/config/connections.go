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
	// MaxStreamsPerUser caps them per signed-in user (the verified token's subject; 0: no
	// cap), whatever addresses they come from: one account's runaway tabs or scripts
	// cannot hold the connections every other user needs. Anonymous connections count
	// only against the total and their address.
	MaxStreamsPerUser int `yaml:"max_streams_per_user" env:"MAX_STREAMS_PER_USER"`
	// FDHeadroom is how many file descriptors must stay free under the process's soft
	// limit for /readyz to say ready: readiness fails before the limit is reached, so a
	// load balancer stops sending new clients while the process can still serve the old
	// ones (at most a quarter of the limit; 0 turns the check off).
	FDHeadroom int `yaml:"fd_headroom" env:"FD_HEADROOM"`
	// FDReserve is how many file descriptors under the soft limit are kept for the request
	// path and upstream sockets: a new long-lived connection is refused (cap "fd_reserve")
	// while fewer are left, so a flood of subscribers can never take the sockets queries,
	// mutations and subgraph fetches need (at most a quarter of the limit; 0 turns it off).
	FDReserve int `yaml:"fd_reserve" env:"FD_RESERVE"`
	// WebSocketEventLoop serves client WebSockets from one epoll loop (core/wsloop.go):
	// no goroutine waits on an idle connection, read and write buffers are pooled, and a
	// slow client is disconnected (close 1008) when its outgoing queue is full. On by
	// default (off, or where epoll is missing: the goroutine-per-connection path,
	// graphql-go-tools' websocket handler).
	WebSocketEventLoop bool `yaml:"websocket_event_loop" env:"WEBSOCKET_EVENT_LOOP"`
	// WebSocketSendQueueBytes bounds what may wait, per WebSocket, for the client to read
	// (event loop only): a client that lets more pile up is closed with 1008 and counted
	// in router_websocket_slow_consumers_total, instead of holding up the events of others.
	WebSocketSendQueueBytes int `yaml:"websocket_send_queue_bytes" env:"WEBSOCKET_SEND_QUEUE_BYTES"`
	// WebSocketSocketSendBuffer sets SO_SNDBUF on each client WebSocket (event loop only;
	// 0: the kernel's autotuned default). A small value bounds kernel memory per subscriber.
	WebSocketSocketSendBuffer int `yaml:"websocket_socket_send_buffer" env:"WEBSOCKET_SOCKET_SEND_BUFFER"`
}

// DefaultConnections: no caps (a deployment sets them from its fd budget), readiness
// fails with fewer than 1,000 descriptors left, and long-lived connections are refused
// with fewer than 500 left.
func DefaultConnections() Connections {
	return Connections{FDHeadroom: 1000, FDReserve: 500, WebSocketEventLoop: true, WebSocketSendQueueBytes: 256 << 10}
}

func (c Connections) validate() []error {
	var errs []error
	for key, v := range map[string]int{
		"connections.max_streams":                  c.MaxStreams,
		"connections.max_streams_per_ip":           c.MaxStreamsPerIP,
		"connections.max_streams_per_user":         c.MaxStreamsPerUser,
		"connections.fd_headroom":                  c.FDHeadroom,
		"connections.websocket_send_queue_bytes":   c.WebSocketSendQueueBytes,
		"connections.websocket_socket_send_buffer": c.WebSocketSocketSendBuffer,
	} {
		if v < 0 {
			errs = append(errs, platformconfig.Invalid(key, "must not be negative (0 turns it off), got %d", v))
		}
	}
	return errs
}
