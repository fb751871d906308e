package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// A subset of skaffold's v4beta13 schema: what this repository uses. Decoded strictly, so a
// misspelt key fails here rather than in someone's `skaffold dev`.
type skaffoldConfig struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Build       skaffoldBuild     `json:"build"`
	Manifests   skaffoldManifests `json:"manifests"`
	Deploy      skaffoldDeploy    `json:"deploy"`
	PortForward []struct {
		ResourceType string `json:"resourceType"`
		ResourceName string `json:"resourceName"`
		Namespace    string `json:"namespace"`
		Port         int    `json:"port"`
		LocalPort    int    `json:"localPort"`
	} `json:"portForward"`
	Profiles []struct {
		Name       string `json:"name"`
		Activation []struct {
			Command string `json:"command"`
		} `json:"activation,omitempty"`
		Build     *skaffoldBuild     `json:"build,omitempty"`
		Manifests *skaffoldManifests `json:"manifests,omitempty"`
		Deploy    *skaffoldDeploy    `json:"deploy,omitempty"`
		Patches   []struct {
			Op    string `json:"op"`
			Path  string `json:"path"`
			Value string `json:"value,omitempty"`
		} `json:"patches,omitempty"`
	} `json:"profiles"`
}

type skaffoldBuild struct {
	TagPolicy struct {
		GitCommit struct {
			Variant string `json:"variant"`
		} `json:"gitCommit"`
	} `json:"tagPolicy"`
	Local struct {
		Push        bool `json:"push"`
		UseBuildkit bool `json:"useBuildkit"`
		Concurrency int  `json:"concurrency"`
	} `json:"local"`
	Artifacts []struct {
		Image   string `json:"image"`
		Context string `json:"context"`
		Docker  struct {
			Dockerfile string `json:"dockerfile"`
			Target     string `json:"target"`
		} `json:"docker"`
	} `json:"artifacts,omitempty"`
}

type skaffoldManifests struct {
	Kustomize struct {
		Paths []string `json:"paths"`
	} `json:"kustomize"`
}

type skaffoldDeploy struct {
	Kubectl                    struct{} `json:"kubectl"`
	StatusCheckDeadlineSeconds int      `json:"statusCheckDeadlineSeconds,omitempty"`
}

func TestSkaffold_buildsEveryProcessOfTheSupergraphAndDeploysBothOverlays(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "skaffold.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg skaffoldConfig
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		t.Fatalf("skaffold.yaml: %v", err)
	}
	dockerfile, err := os.ReadFile(filepath.Join("..", "docker", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^FROM runtime AS (\S+)$`).FindAllStringSubmatch(string(dockerfile), -1) {
		targets[m[1]] = true
	}
	artifactIndex := map[string]int{}
	for i, a := range cfg.Build.Artifacts {
		name := strings.TrimPrefix(a.Image, "dizhtime/")
		artifactIndex[name] = i
		if a.Docker.Target != name || !targets[name] {
			t.Errorf("artifact %s: target %q, want a Dockerfile target %q", a.Image, a.Docker.Target, name)
		}
		if _, err := os.Stat(filepath.Join("..", a.Context, a.Docker.Dockerfile)); err != nil {
			t.Errorf("artifact %s: %v", a.Image, err)
		}
	}
	for _, p := range processes(t) {
		if _, ok := artifactIndex[p.Name]; !ok {
			t.Errorf("skaffold.yaml builds no image for %s (supergraph.yaml lists it)", p.Name)
		}
	}
	profiles := map[string]bool{}
	prodImages := map[string]string{}
	for _, pr := range cfg.Profiles {
		profiles[pr.Name] = true
		if pr.Manifests == nil || len(pr.Manifests.Kustomize.Paths) != 1 || pr.Manifests.Kustomize.Paths[0] != "k8s/overlays/"+pr.Name {
			t.Errorf("profile %s must deploy k8s/overlays/%s", pr.Name, pr.Name)
		}
		for _, p := range pr.Patches {
			var i int
			if n, _ := fmt.Sscanf(p.Path, "/build/artifacts/%d/image", &i); n == 1 {
				prodImages[strings.TrimPrefix(cfg.Build.Artifacts[i].Image, "dizhtime/")] = p.Value
			}
		}
	}
	if !profiles["dev"] || !profiles["prod"] {
		t.Fatalf("want dev and prod profiles, got %v", profiles)
	}
	if len(cfg.PortForward) != 1 || cfg.PortForward[0].ResourceName != "router" {
		t.Error("dev must port-forward the router")
	}
	// prod pushes each image under the name the prod overlay deploys.
	prod := overlay(t, "prod")
	for name, d := range prod.Deployments {
		img := d.Spec.Template.Spec.Containers[0].Image
		repo, _, _ := strings.Cut(img, ":")
		if _, built := artifactIndex[name]; built && prodImages[name] != repo {
			t.Errorf("prod profile pushes %s as %q but the prod overlay runs %s", name, prodImages[name], img)
		}
	}
}
