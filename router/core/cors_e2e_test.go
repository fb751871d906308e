package core_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

func jsonBody(query string) (io.Reader, error) {
	b, err := json.Marshal(map[string]any{"query": query})
	return bytes.NewReader(b), err
}

func TestCORS_anAllowedOriginGetsPreflightAndCredentials_andOthersGetNoCORSHeaders(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) {
		c.CORS.AllowedOrigins = []string{"https://app.dizhtime.test"}
		c.CORS.AllowCredentials = true
	})
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, r.URL, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	ok := preflight("https://app.dizhtime.test")
	if ok.StatusCode != http.StatusNoContent ||
		ok.Header.Get("Access-Control-Allow-Origin") != "https://app.dizhtime.test" ||
		ok.Header.Get("Access-Control-Allow-Credentials") != "true" ||
		ok.Header.Get("Access-Control-Allow-Methods") == "" ||
		!bytes.Contains([]byte(ok.Header.Get("Access-Control-Allow-Headers")), []byte("Authorization")) {
		t.Fatalf("preflight from the allowed origin: %d %v", ok.StatusCode, ok.Header)
	}
	if bad := preflight("https://evil.test"); bad.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from another origin was allowed: %v", bad.Header)
	}

	body, _ := jsonBody(`{ topProducts(first: 1) { name } }`)
	req, _ := http.NewRequest(http.MethodPost, r.URL, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://app.dizhtime.test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res := readResponse(t, resp)
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.dizhtime.test" || len(res.Errors) > 0 {
		t.Fatalf("actual request: %v %s", resp.Header, res.Body)
	}
}

func TestCORS_credentialsWithAWildcardOriginAreRefusedAtConfigValidation(t *testing.T) {
	cfg := config.Default()
	cfg.CORS.AllowedOrigins = []string{"*"}
	cfg.CORS.AllowCredentials = true
	if err := cfg.Validate(); err == nil {
		t.Fatal("accepted credentials with *")
	}
}
