package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDevConfig_defaultsAreValid(t *testing.T) {
	if err := defaultDevConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestDevConfig_badValuesAreNamed(t *testing.T) {
	c := defaultDevConfig()
	c.RedisAddr = "nowhere"
	c.PostgresURL = "mysql://x"
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "redis_addr") || !strings.Contains(err.Error(), "postgres_url") {
		t.Fatalf("err = %v, want redis_addr and postgres_url named", err)
	}
}

func TestRun_refusesAnUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"fly"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `unknown command "fly"`) {
		t.Fatalf("err = %v", err)
	}
}
