package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/dizhtime/dizhtime/deploy/images"
)

// repoRoot is the repository, two levels above this package.
var repoRoot = filepath.Join("..", "..")

var overlays = []string{"dev", "prod"}

// Objects is one rendered overlay, decoded, by kind.
type Objects struct {
	Name            string
	All             []runtime.Object
	Deployments     map[string]*appsv1.Deployment
	StatefulSets    map[string]*appsv1.StatefulSet
	Services        map[string]*corev1.Service
	ConfigMaps      []*corev1.ConfigMap
	Secrets         []*corev1.Secret
	PDBs            []*policyv1.PodDisruptionBudget
	HPAs            map[string]*autoscalingv2.HorizontalPodAutoscaler // by target Deployment
	ScaledObjects   map[string]*ScaledObject                          // by target Deployment
	NetworkPolicies map[string]*networkingv1.NetworkPolicy
	Ingresses       []*networkingv1.Ingress
}

var (
	renderOnce sync.Map // overlay -> *renderResult
)

type renderResult struct {
	once sync.Once
	objs *Objects
	err  error
}

// overlay renders and decodes deploy/k8s/overlays/<name> once per test binary.
func overlay(t *testing.T, name string) *Objects {
	t.Helper()
	v, _ := renderOnce.LoadOrStore(name, &renderResult{})
	r := v.(*renderResult)
	r.once.Do(func() { r.objs, r.err = load(filepath.Join("..", "k8s", "overlays", name), name) })
	if r.err != nil {
		t.Fatalf("overlay %s: %v", name, r.err)
	}
	return r.objs
}

func load(dir, name string) (*Objects, error) {
	raws, err := Render(dir)
	if err != nil {
		return nil, err
	}
	dec, err := NewDecoder()
	if err != nil {
		return nil, err
	}
	o := &Objects{Name: name, Deployments: map[string]*appsv1.Deployment{}, StatefulSets: map[string]*appsv1.StatefulSet{},
		Services: map[string]*corev1.Service{}, HPAs: map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		ScaledObjects: map[string]*ScaledObject{}, NetworkPolicies: map[string]*networkingv1.NetworkPolicy{}}
	var errs []string
	for _, r := range raws {
		obj, err := dec.Decode(r.YAML)
		if err != nil {
			errs = append(errs, r.ID()+": "+err.Error())
			continue
		}
		o.All = append(o.All, obj)
		switch x := obj.(type) {
		case *appsv1.Deployment:
			o.Deployments[x.Name] = x
		case *appsv1.StatefulSet:
			o.StatefulSets[x.Name] = x
		case *corev1.Service:
			o.Services[x.Name] = x
		case *corev1.ConfigMap:
			o.ConfigMaps = append(o.ConfigMaps, x)
		case *corev1.Secret:
			o.Secrets = append(o.Secrets, x)
		case *policyv1.PodDisruptionBudget:
			o.PDBs = append(o.PDBs, x)
		case *autoscalingv2.HorizontalPodAutoscaler:
			o.HPAs[x.Spec.ScaleTargetRef.Name] = x
		case *ScaledObject:
			o.ScaledObjects[x.Spec.ScaleTargetRef.Name] = x
		case *networkingv1.NetworkPolicy:
			o.NetworkPolicies[x.Name] = x
		case *networkingv1.Ingress:
			o.Ingresses = append(o.Ingresses, x)
		}
	}
	if errs != nil {
		return nil, &decodeErrors{errs}
	}
	return o, nil
}

type decodeErrors struct{ list []string }

func (e *decodeErrors) Error() string { return strings.Join(e.list, "\n") }

// processes is the router plus every subgraph of supergraph.yaml.
func processes(t *testing.T) []images.Process {
	t.Helper()
	ps, err := images.Processes(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// isConsumer says whether a subgraph reads Kafka topics: its configuration names a
// consumer group (consumer_group or consumer_group_prefix), as every consumer's does.
func isConsumer(t *testing.T, name string) bool {
	t.Helper()
	if name == "router" {
		return false
	}
	src, err := os.ReadFile(filepath.Join(repoRoot, "subgraphs", name, "service", "config.go"))
	if err != nil {
		t.Fatalf("subgraph %s: %v", name, err)
	}
	return strings.Contains(string(src), `yaml:"consumer_group`)
}

// dizhtimePods are the Deployments of DizhTime's own processes (not the dev stores).
func dizhtimePods(o *Objects) []*appsv1.Deployment {
	var out []*appsv1.Deployment
	for _, d := range o.Deployments {
		if d.Spec.Template.Labels["app.kubernetes.io/part-of"] == "dizhtime" {
			out = append(out, d)
		}
	}
	return out
}

// podSpecs are every pod template of the overlay, by workload name.
func podSpecs(o *Objects) map[string]*corev1.PodTemplateSpec {
	out := map[string]*corev1.PodTemplateSpec{}
	for n, d := range o.Deployments {
		out["Deployment/"+n] = &d.Spec.Template
	}
	for n, s := range o.StatefulSets {
		out["StatefulSet/"+n] = &s.Spec.Template
	}
	return out
}
