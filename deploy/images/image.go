package images

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's only user: nonroot, as in Google's distroless images.
const (
	UID     = 65532
	User    = "65532:65532"
	BinDir  = "/usr/local/bin"
	EtcDir  = "/etc/dizhtime"
	Source  = "https://github.com/dizhtime/dizhtime"
	caFile  = "/etc/ssl/certs/ca-certificates.crt"
	License = "Apache-2.0"
)

// Meta is what the labels and annotations say about a build.
type Meta struct {
	Version string // e.g. 0.1.0 or 0.0.0-dev.8fbe591
	Commit  string // full git commit
	Created time.Time
}

// Labels are the OCI annotation keys set on both the image config's labels and the
// manifest's annotations.
func (m Meta) Labels(p Process) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       "dizhtime-" + p.Name,
		"org.opencontainers.image.description": "DizhTime " + p.Name + " (" + p.Package + ")",
		"org.opencontainers.image.version":     m.Version,
		"org.opencontainers.image.revision":    m.Commit,
		"org.opencontainers.image.source":      Source,
		"org.opencontainers.image.created":     m.Created.UTC().Format(time.RFC3339),
		"org.opencontainers.image.licenses":    License,
	}
}

type file struct {
	name string // absolute path in the image
	mode int64
	uid  int
	data []byte
	dir  bool
}

// BaseLayer is everything a static Go binary needs from a filesystem: CA certificates
// (TLS to hosted stores), passwd/group naming the nonroot user, nsswitch for Go's resolver,
// and a writable /tmp mount point. No shell, no package manager, no libc.
func BaseLayer(created time.Time) (v1.Layer, error) {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("CA certificates (Debian package ca-certificates): %w", err)
	}
	files := []file{
		{name: "/etc", dir: true, mode: 0o755},
		{name: "/etc/ssl", dir: true, mode: 0o755},
		{name: "/etc/ssl/certs", dir: true, mode: 0o755},
		{name: caFile, mode: 0o644, data: ca},
		{name: "/etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "/etc/group", mode: 0o644, data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{name: "/etc/nsswitch.conf", mode: 0o644, data: []byte("hosts: files dns\n")},
		{name: "/home", dir: true, mode: 0o755},
		{name: "/home/nonroot", dir: true, mode: 0o700, uid: UID},
		{name: "/tmp", dir: true, mode: 0o1777},
	}
	return layer(files, created)
}

// appLayer holds the binary and, for the router, the in-cluster supergraph and the SDLs.
func appLayer(repo string, b Binary, created time.Time) (v1.Layer, error) {
	bin, err := os.ReadFile(b.Path)
	if err != nil {
		return nil, err
	}
	files := []file{
		{name: "/usr", dir: true, mode: 0o755},
		{name: "/usr/local", dir: true, mode: 0o755},
		{name: BinDir, dir: true, mode: 0o755},
		{name: path.Join(BinDir, b.Process.Name), mode: 0o755, data: bin},
	}
	if len(b.Libs) > 0 {
		dirs := map[string]bool{}
		var paths []string
		for img := range b.Libs {
			paths = append(paths, img)
		}
		sort.Strings(paths)
		for _, img := range paths {
			for d := path.Dir(img); d != "/" && !dirs[d]; d = path.Dir(d) {
				dirs[d] = true
			}
		}
		var ds []string
		for d := range dirs {
			ds = append(ds, d)
		}
		sort.Strings(ds) // parents first
		for _, d := range ds {
			files = append(files, file{name: d, dir: true, mode: 0o755})
		}
		for _, img := range paths {
			lib, err := os.ReadFile(b.Libs[img]) // follows symlinks: a regular file in the image
			if err != nil {
				return nil, err
			}
			files = append(files, file{name: img, mode: 0o755, data: lib})
		}
	}
	if b.Process.WebApp != "" {
		web, err := webFiles(filepath.Join(repo, filepath.FromSlash(b.Process.WebApp)))
		if err != nil {
			return nil, fmt.Errorf("%s image (make web-build first): %w", b.Process.Name, err)
		}
		files = append(files, web...)
	}
	if b.Process.Name == "router" {
		sg, schemas, err := ClusterSupergraph(repo, path.Join(EtcDir, "schema"))
		if err != nil {
			return nil, err
		}
		files = append(files,
			file{name: "/etc", dir: true, mode: 0o755},
			file{name: EtcDir, dir: true, mode: 0o755},
			file{name: path.Join(EtcDir, "supergraph.yaml"), mode: 0o644, data: sg},
			file{name: path.Join(EtcDir, "schema"), dir: true, mode: 0o755})
		for _, s := range schemas {
			sdl, err := os.ReadFile(filepath.Join(repo, s))
			if err != nil {
				return nil, fmt.Errorf("router image: %w", err)
			}
			files = append(files, file{name: path.Join(EtcDir, "schema", filepath.Base(s)), mode: 0o644, data: sdl})
		}
	}
	return layer(files, created)
}

// webFiles is a built web app as image files under WebRoot, read-only to the server (owned
// by root), in a stable order. The app must have been built: no index.html is an error.
func webFiles(dist string) ([]file, error) {
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		return nil, err
	}
	files := []file{{name: "/srv", dir: true, mode: 0o755}, {name: WebRoot, dir: true, mode: 0o755}}
	err := filepath.WalkDir(dist, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dist {
			return err
		}
		rel, err := filepath.Rel(dist, p)
		if err != nil {
			return err
		}
		name := path.Join(WebRoot, filepath.ToSlash(rel))
		if d.IsDir() {
			files = append(files, file{name: name, dir: true, mode: 0o755})
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, file{name: name, mode: 0o644, data: data})
		return nil
	})
	return files, err
}

// layer writes files as one reproducible tar layer (fixed times and owners).
func layer(files []file, created time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name[1:], Mode: f.mode, Uid: f.uid, Gid: f.uid, ModTime: created, Format: tar.FormatPAX}
		if f.dir {
			h.Typeflag, h.Name = tar.TypeDir, h.Name+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		tarball.WithMediaType(types.OCILayer), tarball.WithCompressionLevel(gzip.BestSpeed))
}

// Image assembles one process's OCI image: the base layer, the app layer, and a config
// running the binary as nonroot with the OCI labels.
func Image(repo string, base v1.Layer, b Binary, m Meta) (v1.Image, error) {
	app, err := appLayer(repo, b, m.Created)
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, base, app)
	if err != nil {
		return nil, err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS, cf.Created = "amd64", "linux", v1.Time{Time: m.Created}
	cf.Config = v1.Config{
		User:         User,
		Entrypoint:   []string{path.Join(BinDir, b.Process.Name)},
		Cmd:          []string{"serve"},
		WorkingDir:   "/",
		Env:          []string{"PATH=" + BinDir, "SSL_CERT_FILE=" + caFile},
		ExposedPorts: map[string]struct{}{strconv.Itoa(b.Process.Port) + "/tcp": {}},
		Labels:       m.Labels(b.Process),
	}
	if b.Process.Name == "router" {
		cf.Config.Env = append(cf.Config.Env, "DIZHTIME_ROUTER_SUPERGRAPH_FILE="+path.Join(EtcDir, "supergraph.yaml"))
	}
	if b.Process.WebApp != "" {
		cf.Config.Env = append(cf.Config.Env, "DIZHTIME_WEB_DIR="+WebRoot, "DIZHTIME_WEB_ADDR=:"+strconv.Itoa(b.Process.Port))
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, err
	}
	return mutate.Annotations(img, m.Labels(b.Process)).(v1.Image), nil
}
