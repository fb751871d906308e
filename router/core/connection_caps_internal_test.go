package core

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"syscall"
	"testing"
)

func TestRaiseOpenFileLimit_setsTheSoftLimitToTheHardLimit_andLogsBoth(t *testing.T) {
	var was syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &was); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &was) })
	low := was
	low.Cur = min(was.Max, 512)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	raiseOpenFileLimit(slog.New(slog.NewTextHandler(&logs, nil)))
	var now syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now); err != nil {
		t.Fatal(err)
	}
	if now.Cur != was.Max {
		t.Fatalf("soft limit %d after raising, want the hard limit %d", now.Cur, was.Max)
	}
	for _, want := range []string{"open-file limit", fmt.Sprintf("soft=%d", was.Max), fmt.Sprintf("hard=%d", was.Max), fmt.Sprintf("soft_at_start=%d", low.Cur)} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q: %s", want, logs.String())
		}
	}
}
