package main

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHandler_servesTheBuiltAppWithTheRouterURLCachingAndCompression(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	js := "console.log('" + strings.Repeat("dizhtime ", 200) + "')"
	for name, body := range map[string]string{
		"index.html":         "<!doctype html><html><head><title>DizhTime</title></head><body></body></html>",
		"assets/index-1.js":  js,
		"assets/city-2.json": `{"type":"FeatureCollection","features":[]}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, err := Handler(dir, `https://api.example.test/graphql"><script>`)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path string, gz bool) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var r io.Reader = res.Body
		if res.Header.Get("Content-Encoding") == "gzip" {
			if r, err = gzip.NewReader(res.Body); err != nil {
				t.Fatal(err)
			}
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b)
	}

	res, body := get("/", false)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" ||
		!strings.Contains(body, `<meta name="dizhtime-router" content="https://api.example.test/graphql&#34;&gt;&lt;script&gt;" />`) {
		t.Errorf("GET / = %d %q %q; want index.html, not cached, with the router URL escaped", res.StatusCode, res.Header.Get("Cache-Control"), body)
	}
	res, body = get("/assets/index-1.js", true)
	if res.StatusCode != 200 || body != js || res.Header.Get("Content-Encoding") != "gzip" ||
		res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("GET asset = %d, encoding %q, cache %q; want the file gzipped, cached for a year, nosniff", res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Cache-Control"))
	}
	if res, _ = get("/healthz", false); res.StatusCode != 200 {
		t.Errorf("GET /healthz = %d", res.StatusCode)
	}
	if res, _ = get("/no/such/page", false); res.StatusCode != 404 {
		t.Errorf("GET an unknown path = %d, want 404", res.StatusCode)
	}
	if _, err := Handler(t.TempDir(), ""); err == nil {
		t.Error("a directory without index.html was served")
	}
}
