package core

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddresses decides who the client is: the connection's peer, or — only when that
// peer is a configured trusted proxy — the rightmost X-Forwarded-For hop that is not
// itself a trusted proxy. Trusting any X-Forwarded-For would let a client name any
// address and so spend someone else's per-address budget or escape its own.
type clientAddresses struct {
	trusted []netip.Prefix
}

func newClientAddresses(proxies []string) (clientAddresses, error) {
	var c clientAddresses
	for _, p := range proxies {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			addr, err := netip.ParseAddr(p)
			if err != nil {
				return c, fmt.Errorf("trusted proxy %q: %w", p, err)
			}
			c.trusted = append(c.trusted, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			return c, fmt.Errorf("trusted proxy %q: %w", p, err)
		}
		c.trusted = append(c.trusted, prefix.Masked())
	}
	return c, nil
}

func (c clientAddresses) isTrusted(ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range c.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// of returns the client address of r.
func (c clientAddresses) of(r *http.Request) string {
	peer := clientIP(r.RemoteAddr)
	if len(c.trusted) == 0 || !c.isTrusted(peer) {
		return peer
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	// Walk from the nearest hop: each trusted proxy vouches for the one before it.
	for i := len(hops) - 1; i >= 0; i-- {
		if _, err := netip.ParseAddr(hops[i]); err != nil {
			return peer // a garbled chain proves nothing
		}
		if !c.isTrusted(hops[i]) {
			return hops[i]
		}
	}
	return peer
}

type clientAddrKey struct{}

// clientAddrFrom is the address withClientAddress resolved ("" outside a request).
func clientAddrFrom(ctx context.Context) string {
	ip, _ := ctx.Value(clientAddrKey{}).(string)
	return ip
}

// withClientAddress resolves the client address once, at the edge: it rewrites
// r.RemoteAddr (so the per-address rate limit and WebSocket connections see the client,
// not a proxy) and puts it in the context, from where it is signed into every upstream
// token.
func (c clientAddresses) withClientAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := c.of(r)
		r = r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, ip))
		if ip != clientIP(r.RemoteAddr) {
			r.RemoteAddr = net.JoinHostPort(ip, "0")
		}
		next.ServeHTTP(w, r)
	})
}
