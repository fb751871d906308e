package images

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Built is one image and where it was written.
type Built struct {
	Process Process
	Ref     string // dizhtime/<name>:<version>
	Tarball string // docker-archive, `docker load -i` / `podman load -i`
	Digest  v1.Hash
}

// Write puts every image into one OCI image layout at out/oci (each manifest annotated
// with org.opencontainers.image.ref.name) and a docker-archive tarball per image at
// out/<name>.tar. It replaces what an earlier run wrote.
func Write(out string, imgs map[string]v1.Image, procs []Process, version string) ([]Built, error) {
	ociDir := filepath.Join(out, "oci")
	if err := os.RemoveAll(ociDir); err != nil {
		return nil, err
	}
	lp, err := layout.Write(ociDir, empty.Index)
	if err != nil {
		return nil, err
	}
	var built []Built
	for _, p := range procs {
		img := imgs[p.Name]
		ref := "dizhtime/" + p.Name + ":" + version
		tag, err := name.NewTag(ref)
		if err != nil {
			return nil, err
		}
		if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{
			"org.opencontainers.image.ref.name": ref,
		})); err != nil {
			return nil, err
		}
		tb := filepath.Join(out, p.Name+".tar")
		if err := tarball.WriteToFile(tb, tag, img); err != nil {
			return nil, err
		}
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		built = append(built, Built{Process: p, Ref: ref, Tarball: tb, Digest: d})
	}
	return built, nil
}

// Check reads every image back, from the OCI layout and from its tarball, and fails
// unless its config runs the process's binary as the non-root user with the version and
// commit labels, its manifest carries the same annotations, its filesystem holds the
// static binary and no shell.
func Check(out string, procs []Process, m Meta) error {
	idx, err := layout.ImageIndexFromPath(filepath.Join(out, "oci"))
	if err != nil {
		return err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	byRef := map[string]v1.Hash{}
	for _, d := range im.Manifests {
		byRef[d.Annotations["org.opencontainers.image.ref.name"]] = d.Digest
	}
	var errs []error
	for _, p := range procs {
		ref := "dizhtime/" + p.Name + ":" + m.Version
		dg, ok := byRef[ref]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: not in the OCI layout", ref))
			continue
		}
		img, err := idx.Image(dg)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ref, err))
			continue
		}
		if err := checkImage(img, p, m); err != nil {
			errs = append(errs, fmt.Errorf("%s (OCI layout): %w", ref, err))
		}
		tag, _ := name.NewTag(ref)
		tb, err := tarball.ImageFromPath(filepath.Join(out, p.Name+".tar"), &tag)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s tarball: %w", ref, err))
			continue
		}
		if td, err := tb.Digest(); err != nil || td != dg {
			// the docker-archive rewrites the manifest; compare configs instead
			lc, _ := img.ConfigName()
			tc, _ := tb.ConfigName()
			if lc != tc {
				errs = append(errs, fmt.Errorf("%s: tarball config %s differs from the layout's %s", ref, tc, lc))
			}
		}
	}
	return errors.Join(errs...)
}

func checkImage(img v1.Image, p Process, m Meta) error {
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	var errs []error
	c := cf.Config
	if c.User != User {
		errs = append(errs, fmt.Errorf("user %q, want %q (non-root)", c.User, User))
	}
	bin := path.Join(BinDir, p.Name)
	if !slices.Equal(c.Entrypoint, []string{bin}) {
		errs = append(errs, fmt.Errorf("entrypoint %q, want [%s]", c.Entrypoint, bin))
	}
	want := m.Labels(p)
	for _, k := range []string{"org.opencontainers.image.version", "org.opencontainers.image.revision", "org.opencontainers.image.title", "org.opencontainers.image.source"} {
		if c.Labels[k] == "" || c.Labels[k] != want[k] {
			errs = append(errs, fmt.Errorf("label %s = %q, want %q", k, c.Labels[k], want[k]))
		}
	}
	mf, err := img.Manifest()
	if err != nil {
		return err
	}
	if mf.Annotations["org.opencontainers.image.revision"] != m.Commit || mf.Annotations["org.opencontainers.image.version"] != m.Version {
		errs = append(errs, fmt.Errorf("manifest annotations %v lack the version and commit", mf.Annotations))
	}
	files, err := listFiles(img, bin)
	if err != nil {
		return err
	}
	for _, sh := range []string{"bin/sh", "bin/bash", "bin/busybox", "usr/bin/sh"} {
		if _, ok := files.names[sh]; ok {
			errs = append(errs, fmt.Errorf("has a shell: /%s", sh))
		}
	}
	if p.WebApp != "" {
		js := 0
		for n := range files.names {
			if strings.HasPrefix(n, strings.TrimPrefix(WebRoot, "/")+"/assets/") && strings.HasSuffix(n, ".js") {
				js++
			}
		}
		if !files.names[strings.TrimPrefix(WebRoot, "/")+"/index.html"] || js == 0 {
			errs = append(errs, fmt.Errorf("the web app is not under %s (index.html and assets/*.js)", WebRoot))
		}
	}
	if files.binary == nil {
		errs = append(errs, fmt.Errorf("no %s in the image", bin))
	} else if f, err := elf.NewFile(bytes.NewReader(files.binary)); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", bin, err))
	} else if err := linkable(f, files.names); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", bin, err))
	} else if files.binaryMode&0o111 == 0 {
		errs = append(errs, fmt.Errorf("%s is not executable", bin))
	}
	return errors.Join(errs...)
}

// linkable accepts a static binary, or a dynamic one whose interpreter and every needed
// shared library are in the image (the fallback for C code that cannot link statically).
func linkable(f *elf.File, names map[string]bool) error {
	if staticELF(f) == nil {
		return nil
	}
	interp, err := interpreter(f)
	if err != nil {
		return err
	}
	if !names[strings.TrimPrefix(interp, "/")] {
		return fmt.Errorf("dynamically linked (has a program interpreter %s the image lacks): the image has no libc", interp)
	}
	needed, err := f.ImportedLibraries()
	if err != nil {
		return err
	}
	for _, so := range needed {
		found := false
		for _, d := range libDirs {
			found = found || names[strings.TrimPrefix(path.Join(d, so), "/")]
		}
		if !found {
			return fmt.Errorf("needs shared library %s, which the image lacks", so)
		}
	}
	return nil
}

type imageFiles struct {
	names      map[string]bool
	binary     []byte
	binaryMode int64
}

// listFiles reads the image's flattened filesystem: every path, and the bytes of bin.
func listFiles(img v1.Image, bin string) (*imageFiles, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	out := &imageFiles{names: map[string]bool{}}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			return nil, err
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				return nil, err
			}
			n := strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")
			out.names[n] = true
			if "/"+n == bin {
				if out.binary, err = io.ReadAll(tr); err != nil {
					rc.Close()
					return nil, err
				}
				out.binaryMode = h.Mode
			}
		}
		rc.Close()
	}
	return out, nil
}
