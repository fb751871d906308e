// Command images builds DizhTime's container images without a Docker daemon (`make
// images`) and checks them (`make images-check`, CI).
//
//	images build [-repo ../..] [-out .dizhtime/images] [-version V] [-commit SHA]
//	images check [-repo ../..] [-out .dizhtime/images] [-version V] [-commit SHA]
//	images binaries -out DIR [-repo ../..]     # only the binaries, into DIR (the Dockerfile's build stage)
//	images supergraph -out DIR [-repo ../..]   # only the router's in-cluster supergraph.yaml and SDLs
//
// One image per process: the router and every subgraph supergraph.yaml lists, plus one per
// web app (images.WebApps: the built app under a small non-root static server). build
// compiles the binaries once (see images.BuildBinaries), assembles each image with
// go-containerregistry and writes out/oci (an OCI image layout holding all of them) and
// out/<process>.tar (docker-archive, for `docker load` or `skaffold` with a local
// cluster). check reads every image's config back and fails unless it runs the binary
// as the non-root user with the version and commit labels and holds no shell.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dizhtime/dizhtime/deploy/images"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "images:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 || !slices.Contains([]string{"build", "check", "binaries", "supergraph"}, args[0]) {
		return errors.New("usage: images build|check|binaries|supergraph [-repo DIR] [-out DIR] [-version V] [-commit SHA]")
	}
	fs := flag.NewFlagSet("images "+args[0], flag.ContinueOnError)
	repo := fs.String("repo", filepath.Join("..", ".."), "repository root (holds supergraph.yaml)")
	out := fs.String("out", "", "output directory (default REPO/.dizhtime/images)")
	version := fs.String("version", "", "image version (default: git describe, else 0.0.0-dev.<short commit>)")
	commit := fs.String("commit", "", "git commit (default: git rev-parse HEAD)")
	libs := fs.String("libs", "", "binaries: where to put each dynamic binary's shared libraries (LIBS/<process>/<path>)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	root, err := filepath.Abs(*repo)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(root, ".dizhtime", "images")
	}
	procs, err := images.Processes(root)
	if err != nil {
		return err
	}
	switch args[0] {
	case "build", "check":
		procs = append(procs, images.WebApps()...) // the web apps' images too (make web-build first)
	}
	switch args[0] {
	case "binaries":
		bins, err := images.BuildBinaries(ctx, root, *out, procs, func(f string, a ...any) { fmt.Printf("images: "+f+"\n", a...) })
		if err != nil {
			return err
		}
		return writeLibs(bins, *libs)
	case "supergraph":
		return writeClusterSupergraph(root, *out)
	}
	meta, err := buildMeta(ctx, root, *version, *commit)
	if err != nil {
		return err
	}
	if args[0] == "check" {
		if err := images.Check(*out, procs, meta); err != nil {
			return err
		}
		fmt.Printf("checked %d images in %s (version %s, commit %s): non-root user %s, entrypoint, OCI labels and annotations, static binary, no shell\n",
			len(procs), *out, meta.Version, meta.Commit[:min(12, len(meta.Commit))], images.User)
		return nil
	}
	return build(ctx, root, *out, procs, meta)
}

func build(ctx context.Context, root, out string, procs []images.Process, meta images.Meta) error {
	start := time.Now()
	logf := func(f string, a ...any) { fmt.Printf("images: "+f+"\n", a...) }
	bins, err := images.BuildBinaries(ctx, root, filepath.Join(out, "bin"), procs, logf)
	if err != nil {
		return err
	}
	logf("built %d binaries in %s", len(bins), time.Since(start).Round(time.Millisecond))
	imgs := map[string]v1.Image{}
	base, err := images.BaseLayer(meta.Created)
	if err != nil {
		return err
	}
	for _, b := range bins {
		img, err := images.Image(root, base, b, meta)
		if err != nil {
			return fmt.Errorf("%s: %w", b.Process.Name, err)
		}
		imgs[b.Process.Name] = img
	}
	built, err := images.Write(out, imgs, procs, meta.Version)
	if err != nil {
		return err
	}
	for _, b := range built {
		st, _ := os.Stat(b.Tarball)
		size := int64(0)
		if st != nil {
			size = st.Size()
		}
		logf("%-40s %s  %5.1f MB  %s", b.Ref, b.Digest.String()[:19], float64(size)/1e6, b.Tarball)
	}
	logf("wrote %d images (OCI layout %s) in %s", len(built), filepath.Join(out, "oci"), time.Since(start).Round(time.Millisecond))
	return nil
}

// writeLibs gives every process a directory LIBS/<process>, holding, for a binary that
// had to be linked dynamically, its interpreter and shared libraries at their image paths
// (the Dockerfile copies LIBS/<process>/ to / in every target; it is empty for static ones).
func writeLibs(bins []images.Binary, dir string) error {
	if dir == "" {
		return nil
	}
	for _, b := range bins {
		root := filepath.Join(dir, b.Process.Name)
		if err := os.MkdirAll(root, 0o755); err != nil {
			return err
		}
		for img, host := range b.Libs {
			data, err := os.ReadFile(host)
			if err != nil {
				return err
			}
			dst := filepath.Join(root, filepath.FromSlash(img))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, data, 0o755); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeClusterSupergraph writes out/supergraph.yaml (in-cluster URLs, schema files under
// /etc/dizhtime/schema) and out/schema/*.graphqls: what the router image carries.
func writeClusterSupergraph(root, out string) error {
	sg, schemas, err := images.ClusterSupergraph(root, images.EtcDir+"/schema")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "schema"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "supergraph.yaml"), sg, 0o644); err != nil {
		return err
	}
	for _, s := range schemas {
		sdl, err := os.ReadFile(filepath.Join(root, s))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, "schema", filepath.Base(s)), sdl, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// buildMeta fills version, commit and creation time from git when not given; the
// creation time is the commit's, so the same commit builds the same image bytes.
func buildMeta(ctx context.Context, root, version, commit string) (images.Meta, error) {
	git := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = root
		b, err := cmd.Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	if commit == "" {
		commit = git("rev-parse", "HEAD")
	}
	if commit == "" {
		return images.Meta{}, errors.New("no -commit and no git repository to read it from")
	}
	if version == "" {
		version = git("describe", "--tags", "--exact-match")
		if version == "" {
			version = "0.0.0-dev." + commit[:min(7, len(commit))]
		}
	}
	created := time.Unix(0, 0).UTC()
	if ts, err := strconv.ParseInt(git("show", "-s", "--format=%ct", commit), 10, 64); err == nil {
		created = time.Unix(ts, 0).UTC()
	}
	return images.Meta{Version: version, Commit: commit, Created: created}, nil
}
