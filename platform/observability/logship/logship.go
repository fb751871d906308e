package logship

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is what to ship and where.
type Config struct {
	// PushURL is Loki's push endpoint, e.g. http://127.0.0.1:3100/loki/api/v1/push.
	PushURL string
	// Globs name the log files (filepath.Glob patterns); files that appear later are
	// picked up on the next poll.
	Globs []string
	// Interval is how often the files are read (default 500 ms).
	Interval time.Duration
	// FromEnd starts each file found at the first poll at its end (only new lines are
	// shipped); otherwise every file is shipped from its start.
	FromEnd bool
	// MaxBatch bounds the lines of one push (default 1000).
	MaxBatch int
	Client   *http.Client
	Logger   *slog.Logger
}

// Shipper ships the files of a Config. Offsets are kept in memory: a restarted shipper
// ships the files again from the start (or the end, with FromEnd).
type Shipper struct {
	cfg     Config
	offsets map[string]int64
	first   bool
}

// New checks cfg.
func New(cfg Config) (*Shipper, error) {
	if cfg.PushURL == "" || len(cfg.Globs) == 0 {
		return nil, errors.New("logship: a push URL and at least one file pattern are required")
	}
	for _, g := range cfg.Globs {
		if _, err := filepath.Match(g, ""); err != nil {
			return nil, fmt.Errorf("logship: pattern %q: %w", g, err)
		}
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 500 * time.Millisecond
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 1000
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Shipper{cfg: cfg, offsets: map[string]int64{}, first: true}, nil
}

// Run ships until ctx ends, then ships what was written up to then once more.
func (s *Shipper) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if err := s.Poll(ctx); err != nil && ctx.Err() == nil {
			// Loki down or refusing: the offsets did not move, the next poll retries.
			s.cfg.Logger.WarnContext(ctx, "logship: push failed", "error", err)
		}
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			return s.Poll(fctx)
		case <-t.C:
		}
	}
}

// Poll reads every file's complete new lines and pushes them; a file's offset advances
// only once its lines are accepted.
func (s *Shipper) Poll(ctx context.Context) error {
	files, err := s.files()
	if err != nil {
		return err
	}
	first := s.first
	s.first = false
	var errs []error
	for _, f := range files {
		if _, seen := s.offsets[f]; !seen && first && s.cfg.FromEnd {
			if st, err := os.Stat(f); err == nil {
				s.offsets[f] = st.Size()
			}
			continue
		}
		if err := s.shipFile(ctx, f); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Shipper) files() ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, g := range s.cfg.Globs {
		m, err := filepath.Glob(g)
		if err != nil {
			return nil, err
		}
		for _, f := range m {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *Shipper) shipFile(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			delete(s.offsets, path)
			return nil
		}
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	off := s.offsets[path]
	if st.Size() < off {
		off = 0 // truncated or replaced: start over
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(f, 64<<10)
	service := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	var batch []Entry
	batchEnd := off
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			break // EOF: a line without its newline is still being written
		}
		batchEnd += int64(len(line))
		if text := bytes.TrimRight(line, "\r\n"); len(text) > 0 {
			batch = append(batch, Parse(text, service, time.Now()))
		}
		if len(batch) >= s.cfg.MaxBatch {
			if err := s.push(ctx, batch); err != nil {
				return err
			}
			s.offsets[path], batch = batchEnd, nil
		}
	}
	if len(batch) > 0 {
		if err := s.push(ctx, batch); err != nil {
			return err
		}
	}
	s.offsets[path] = batchEnd
	return nil
}

// Entry is one log line as Loki stores it.
type Entry struct {
	Labels   map[string]string // service, level
	Time     time.Time
	Line     string
	Metadata map[string]string // trace_id, span_id (structured metadata)
}

// Parse maps one line: a JSON record gives its service (else fallbackService, the file's
// name), level (lower-cased), time (else now), and trace_id and span_id as structured
// metadata; any other line is shipped as it is, at level "unknown".
func Parse(line []byte, fallbackService string, now time.Time) Entry {
	e := Entry{Labels: map[string]string{"service": fallbackService, "level": "unknown"}, Time: now, Line: string(line)}
	var rec struct {
		Service, Level, Time string
		TraceID              string `json:"trace_id"`
		SpanID               string `json:"span_id"`
	}
	if json.Unmarshal(line, &rec) != nil {
		return e
	}
	if rec.Service != "" {
		e.Labels["service"] = rec.Service
	}
	if rec.Level != "" {
		e.Labels["level"] = strings.ToLower(rec.Level)
	}
	if ts, err := time.Parse(time.RFC3339Nano, rec.Time); err == nil {
		e.Time = ts
	}
	if rec.TraceID != "" {
		e.Metadata = map[string]string{"trace_id": rec.TraceID}
		if rec.SpanID != "" {
			e.Metadata["span_id"] = rec.SpanID
		}
	}
	return e
}

// PushBody is Loki's JSON push request for entries, one stream per label set.
func PushBody(entries []Entry) ([]byte, error) {
	type stream struct {
		Stream map[string]string `json:"stream"`
		Values [][]any           `json:"values"`
	}
	byKey := map[string]*stream{}
	var order []string
	for _, e := range entries {
		key := e.Labels["service"] + "\x00" + e.Labels["level"]
		st, ok := byKey[key]
		if !ok {
			st = &stream{Stream: e.Labels}
			byKey[key] = st
			order = append(order, key)
		}
		v := []any{strconv.FormatInt(e.Time.UnixNano(), 10), e.Line}
		if len(e.Metadata) > 0 {
			v = append(v, e.Metadata)
		}
		st.Values = append(st.Values, v)
	}
	body := struct {
		Streams []*stream `json:"streams"`
	}{}
	for _, k := range order {
		body.Streams = append(body.Streams, byKey[k])
	}
	return json.Marshal(body)
}

func (s *Shipper) push(ctx context.Context, entries []Entry) error {
	body, err := PushBody(entries)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.PushURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := s.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("push %d lines: %s: %s", len(entries), res.Status, bytes.TrimSpace(msg))
	}
	return nil
}
