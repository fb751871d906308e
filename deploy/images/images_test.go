package images

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"sigs.k8s.io/yaml"
)

var repo = filepath.Join("..", "..")

func TestProcesses_areTheRouterAndEverySubgraphOfSupergraphYAML(t *testing.T) {
	ps, err := Processes(repo)
	if err != nil {
		t.Fatal(err)
	}
	var sg supergraphFile
	data, _ := os.ReadFile(filepath.Join(repo, "supergraph.yaml"))
	if err := yaml.Unmarshal(data, &sg); err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(sg.Subgraphs)+1 || ps[0].Name != "router" || ps[0].Port != RouterPort {
		t.Fatalf("want the router then %d subgraphs, got %+v", len(sg.Subgraphs), ps)
	}
	for i, s := range sg.Subgraphs {
		p := ps[i+1]
		if p.Name != s.Name || !strings.Contains(s.RoutingURL, ":"+strconv.Itoa(p.Port)+"/") {
			t.Errorf("process %d is %+v, want %s at %s", i+1, p, s.Name, s.RoutingURL)
		}
	}
	for _, p := range ps {
		if _, err := os.Stat(filepath.Join(repo, p.Package, "main.go")); err != nil {
			t.Errorf("%s: main package %s: %v", p.Name, p.Package, err)
		}
	}
}

func TestClusterSupergraph_pointsEverySubgraphAtItsServiceAndTheBakedSDL(t *testing.T) {
	out, schemas, err := ClusterSupergraph(repo, "/etc/dizhtime/schema")
	if err != nil {
		t.Fatal(err)
	}
	var sg supergraphFile
	if err := yaml.UnmarshalStrict(out, &sg); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ps, _ := Processes(repo)
	if len(sg.Subgraphs) != len(ps)-1 || len(schemas) != len(sg.Subgraphs) {
		t.Fatalf("want %d subgraphs with schemas, got %d (%d schemas)", len(ps)-1, len(sg.Subgraphs), len(schemas))
	}
	for i, s := range sg.Subgraphs {
		want := "http://" + s.Name + ":" + strconv.Itoa(ps[i+1].Port) + "/query"
		if s.RoutingURL != want {
			t.Errorf("%s routing_url %s, want %s", s.Name, s.RoutingURL, want)
		}
		if s.Subscription != nil && !strings.HasPrefix(s.Subscription.URL, "ws://"+s.Name+":") && !strings.HasPrefix(s.Subscription.URL, "http://"+s.Name+":") {
			t.Errorf("%s subscription url %s does not point at its Service", s.Name, s.Subscription.URL)
		}
		if s.Schema == nil || !strings.HasPrefix(s.Schema.File, "/etc/dizhtime/schema/") {
			t.Errorf("%s schema %+v is not under /etc/dizhtime/schema", s.Name, s.Schema)
		}
	}
}

// staticGoBinary is a static ELF the test can package without building anything: the
// Go toolchain's own gofmt.
func staticGoBinary(t *testing.T) string {
	p := filepath.Join(runtime.GOROOT(), "bin", "gofmt")
	if err := checkStatic(p); err != nil {
		t.Fatalf("%s is not a static binary: %v", p, err)
	}
	return p
}

func TestImage_writtenAsOCILayoutAndTarballPassesTheConfigCheck(t *testing.T) {
	out := t.TempDir()
	meta := Meta{Version: "1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Created: time.Unix(1_700_000_000, 0)}
	procs, err := Processes(repo)
	if err != nil {
		t.Fatal(err)
	}
	procs = procs[:2] // the router (with its supergraph) and one subgraph
	base, err := BaseLayer(meta.Created)
	if err != nil {
		t.Fatal(err)
	}
	imgs := map[string]v1.Image{}
	for _, p := range procs {
		img, err := Image(repo, base, Binary{Process: p, Path: staticGoBinary(t)}, meta)
		if err != nil {
			t.Fatal(err)
		}
		imgs[p.Name] = img
	}
	built, err := Write(out, imgs, procs, meta.Version)
	if err != nil {
		t.Fatal(err)
	}
	if len(built) != 2 {
		t.Fatalf("built %d images", len(built))
	}
	if err := Check(out, procs, meta); err != nil {
		t.Fatalf("check: %v", err)
	}
	files, err := listFiles(imgs["router"], "/usr/local/bin/router")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"etc/dizhtime/supergraph.yaml", "etc/ssl/certs/ca-certificates.crt", "etc/passwd", "tmp"} {
		if !files.names[f] {
			t.Errorf("router image lacks /%s", f)
		}
	}
	// Same inputs, same bytes: the build is reproducible.
	again, err := Image(repo, base, Binary{Process: procs[1], Path: staticGoBinary(t)}, meta)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := imgs[procs[1].Name].Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("two builds of the same inputs differ: %s vs %s", d1, d2)
	}
}

func TestCheck_refusesARootUserWrongLabelsAndAShell(t *testing.T) {
	meta := Meta{Version: "1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Created: time.Unix(1_700_000_000, 0)}
	procs, _ := Processes(repo)
	p := procs[1]
	base, err := BaseLayer(meta.Created)
	if err != nil {
		t.Fatal(err)
	}
	good, err := Image(repo, base, Binary{Process: p, Path: staticGoBinary(t)}, meta)
	if err != nil {
		t.Fatal(err)
	}
	mutateConfig := func(f func(*v1.Config)) v1.Image {
		cf, _ := good.ConfigFile()
		cf = cf.DeepCopy()
		f(&cf.Config)
		img, err := mutate.ConfigFile(good, cf)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	shell, err := layer([]file{{name: "/bin", dir: true, mode: 0o755}, {name: "/bin/sh", mode: 0o755, data: []byte("#!")}}, meta.Created)
	if err != nil {
		t.Fatal(err)
	}
	withShell, err := mutate.AppendLayers(good, shell)
	if err != nil {
		t.Fatal(err)
	}
	dynamic := "/bin/true"
	cases := map[string]struct {
		img  v1.Image
		want string
	}{
		"root user":          {mutateConfig(func(c *v1.Config) { c.User = "" }), "non-root"},
		"wrong entrypoint":   {mutateConfig(func(c *v1.Config) { c.Entrypoint = []string{"/bin/sh"} }), "entrypoint"},
		"no commit label":    {mutateConfig(func(c *v1.Config) { delete(c.Labels, "org.opencontainers.image.revision") }), "revision"},
		"a shell in a layer": {withShell, "has a shell"},
	}
	if _, err := os.Stat(dynamic); err == nil {
		img, err := Image(repo, base, Binary{Process: p, Path: dynamic}, meta)
		if err != nil {
			t.Fatal(err)
		}
		cases["a dynamically linked binary"] = struct {
			img  v1.Image
			want string
		}{img, "dynamically linked"}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := checkImage(c.img, p, meta)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error mentioning %q, got %v", c.want, err)
			}
		})
	}
	if err := checkImage(good, p, meta); err != nil {
		t.Fatalf("the unmodified image must pass: %v", err)
	}
}

// The fallback for C code that cannot link statically: a dynamic binary carries its
// interpreter and shared libraries from this Debian host, and then passes the check.
func TestImage_dynamicBinaryWithItsDebianLibrariesPassesTheCheck(t *testing.T) {
	const dynamic = "/bin/true"
	libs, err := SharedLibraries(dynamic)
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) < 2 {
		t.Fatalf("want the interpreter and libc at least, got %v", libs)
	}
	meta := Meta{Version: "1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Created: time.Unix(1_700_000_000, 0)}
	procs, _ := Processes(repo)
	p := procs[1]
	base, err := BaseLayer(meta.Created)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Image(repo, base, Binary{Process: p, Path: dynamic, Cgo: true, Libs: libs}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkImage(img, p, meta); err != nil {
		t.Fatalf("a dynamic binary with its libraries must pass: %v", err)
	}
	files, _ := listFiles(img, "/usr/local/bin/"+p.Name)
	for imgPath := range libs {
		if !files.names[strings.TrimPrefix(imgPath, "/")] {
			t.Errorf("image lacks %s", imgPath)
		}
	}
}

func TestWebAppImage_servesTheBuiltAppAsNonRootAndTheCheckWantsItsFiles(t *testing.T) {
	meta := Meta{Version: "1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Created: time.Unix(1_700_000_000, 0)}
	web := WebApps()
	if len(web) == 0 || web[0].WebApp == "" {
		t.Fatalf("no web app image: %+v", web)
	}
	if _, err := os.Stat(filepath.Join(repo, web[0].Package, "main.go")); err != nil {
		t.Fatalf("%s: static server %s: %v", web[0].Name, web[0].Package, err)
	}
	// A built app of its own (the real one needs `make web-build`).
	root := t.TempDir()
	dist := filepath.Join(root, "dist")
	for name, body := range map[string]string{"index.html": "<!doctype html><title>x</title>", "assets/index-abc.js": "console.log(1)"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dist, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dist, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := web[0]
	p.WebApp = "dist"
	base, err := BaseLayer(meta.Created)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Image(root, base, Binary{Process: p, Path: staticGoBinary(t)}, meta)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := Write(out, map[string]v1.Image{p.Name: img}, []Process{p}, meta.Version); err != nil {
		t.Fatal(err)
	}
	if err := Check(out, []Process{p}, meta); err != nil {
		t.Fatalf("check: %v", err)
	}
	cf, _ := img.ConfigFile()
	if !slices.Contains(cf.Config.Env, "DIZHTIME_WEB_DIR="+WebRoot) || cf.Config.User != User {
		t.Errorf("config %+v: want the app's directory in the environment, user %s", cf.Config, User)
	}

	// Without its JavaScript the check fails; without index.html there is no image.
	if err := os.Remove(filepath.Join(dist, "assets", "index-abc.js")); err != nil {
		t.Fatal(err)
	}
	bare, err := Image(root, base, Binary{Process: p, Path: staticGoBinary(t)}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkImage(bare, p, meta); err == nil || !strings.Contains(err.Error(), "web app") {
		t.Errorf("check of an image without the app's JavaScript: %v", err)
	}
	if err := os.Remove(filepath.Join(dist, "index.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := Image(root, base, Binary{Process: p, Path: staticGoBinary(t)}, meta); err == nil {
		t.Error("an image was made of an unbuilt app")
	}
}
