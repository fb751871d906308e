package core

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddresses_believeForwardedForOnlyFromATrustedProxy(t *testing.T) {
	c, err := newClientAddresses([]string{"10.0.0.0/8", "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer, xff, want string
	}{
		{"no proxy: the peer", "198.51.100.1:5000", "", "198.51.100.1"},
		{"an untrusted peer cannot name an address", "198.51.100.1:5000", "203.0.113.9", "198.51.100.1"},
		{"a trusted proxy names its client", "10.1.2.3:5000", "203.0.113.9", "203.0.113.9"},
		{"a client's own hop before the proxy's is not believed", "10.1.2.3:5000", "6.6.6.6, 203.0.113.9", "203.0.113.9"},
		{"a chain of trusted proxies", "192.0.2.1:5000", "203.0.113.9, 10.9.9.9", "203.0.113.9"},
		{"garbage in the chain: the peer", "10.1.2.3:5000", "not-an-ip", "10.1.2.3"},
		{"only proxies: the peer", "10.1.2.3:5000", "10.4.4.4", "10.1.2.3"},
	} {
		r := httptest.NewRequest("GET", "/graphql", nil)
		r.RemoteAddr = tc.peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := c.of(r); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	if _, err := newClientAddresses([]string{"10.0.0.0/33"}); err == nil {
		t.Error("a bad CIDR was accepted")
	}
}
