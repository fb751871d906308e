package config

import (
	"strings"
	"testing"
)

func TestConnections_negativeCapsAreRefusedByName_zeroIsOff(t *testing.T) {
	cfg := Default()
	if cfg.Connections.MaxStreams != 0 || cfg.Connections.FDHeadroom != 1000 {
		t.Fatalf("defaults: %+v", cfg.Connections)
	}
	cfg.Connections = Connections{MaxStreams: -1, MaxStreamsPerIP: -2, FDHeadroom: -3}
	err := cfg.Validate()
	for _, key := range []string{"connections.max_streams", "connections.max_streams_per_ip", "connections.fd_headroom"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("Validate does not name %s: %v", key, err)
		}
	}
	cfg.Connections = Connections{}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("zero caps (off): %v", err)
	}
}
