package service_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/service"
)

func TestConfig_defaultsRunOnALaptopAndBadValuesAreNamed(t *testing.T) {
	cfg := service.DefaultConfig()
	if err := config.Load("restaurants", "", &cfg); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	path := filepath.Join(t.TempDir(), "restaurants.yaml")
	if err := os.WriteFile(path, []byte("mongo_uri: postgres://nope\nidentity_url: ftp://x\nmongo_databse: typo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg = service.DefaultConfig()
	err := config.Load("restaurants", path, &cfg)
	if err == nil || !strings.Contains(err.Error(), "mongo_databse") {
		t.Errorf("an unknown key is not named: %v", err)
	}
	if err := os.WriteFile(path, []byte("outbox_poll_interval: -1s\nidentity_url: ftp://x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg = service.DefaultConfig()
	err = config.Load("restaurants", path, &cfg)
	for _, key := range []string{"outbox_poll_interval", "identity_url"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("bad %s not named: %v", key, err)
		}
	}
}
