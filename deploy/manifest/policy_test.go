package manifest

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

func TestPolicy_everyProcessOfTheSupergraphHasADeploymentAServiceAndItsImage(t *testing.T) {
	for _, name := range overlays {
		o := overlay(t, name)
		for _, p := range processes(t) {
			d, ok := o.Deployments[p.Name]
			if !ok {
				t.Errorf("%s: no Deployment for %s (supergraph.yaml lists it)", name, p.Name)
				continue
			}
			c := d.Spec.Template.Spec.Containers[0]
			repo, _, _ := strings.Cut(c.Image, ":")
			if !strings.HasSuffix(repo, "/"+p.Name) {
				t.Errorf("%s: Deployment %s runs image %s, want the %s image", name, p.Name, c.Image, p.Name)
			}
			if len(c.Ports) != 1 || c.Ports[0].ContainerPort != int32(p.Port) {
				t.Errorf("%s: Deployment %s exposes %v, want port %d (supergraph.yaml)", name, p.Name, c.Ports, p.Port)
			}
			svc, ok := o.Services[p.Name]
			if !ok || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != int32(p.Port) {
				t.Errorf("%s: Service %s must exist and serve port %d", name, p.Name, p.Port)
			}
		}
	}
}

func TestPolicy_dizhtimePodsRunNonRootOnAReadOnlyRootWithoutPrivileges(t *testing.T) {
	for _, name := range overlays {
		for _, d := range dizhtimePods(overlay(t, name)) {
			ps := d.Spec.Template.Spec
			sc := ps.SecurityContext
			if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
				t.Errorf("%s: %s: pod must set runAsNonRoot and a non-zero runAsUser", name, d.Name)
			}
			if sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("%s: %s: pod must use the RuntimeDefault seccomp profile", name, d.Name)
			}
			if ps.AutomountServiceAccountToken == nil || *ps.AutomountServiceAccountToken {
				t.Errorf("%s: %s: no process talks to the Kubernetes API: automountServiceAccountToken must be false", name, d.Name)
			}
			for _, c := range ps.Containers {
				csc := c.SecurityContext
				if csc == nil || csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem {
					t.Errorf("%s: %s/%s: readOnlyRootFilesystem must be true", name, d.Name, c.Name)
				}
				if csc == nil || csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
					t.Errorf("%s: %s/%s: allowPrivilegeEscalation must be false", name, d.Name, c.Name)
				}
				if csc == nil || csc.Capabilities == nil || !slices.Contains(csc.Capabilities.Drop, "ALL") {
					t.Errorf("%s: %s/%s: must drop ALL capabilities", name, d.Name, c.Name)
				}
			}
		}
	}
}

func TestPolicy_everyContainerHasRequestsAndLimitsForCPUAndMemory(t *testing.T) {
	for _, name := range overlays {
		for w, pod := range podSpecs(overlay(t, name)) {
			for _, c := range pod.Spec.Containers {
				for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
					req, hasReq := c.Resources.Requests[r]
					lim, hasLim := c.Resources.Limits[r]
					if !hasReq || !hasLim || req.IsZero() || lim.IsZero() {
						t.Errorf("%s: %s/%s: %s request and limit must both be set", name, w, c.Name, r)
					} else if req.Cmp(lim) > 0 {
						t.Errorf("%s: %s/%s: %s request %s exceeds limit %s", name, w, c.Name, r, req.String(), lim.String())
					}
				}
			}
		}
	}
}

func TestPolicy_processesProbeHealthzForLivenessAndReadyzForReadiness(t *testing.T) {
	for _, name := range overlays {
		o := overlay(t, name)
		for _, d := range dizhtimePods(o) {
			for _, c := range d.Spec.Template.Spec.Containers {
				checkHTTPProbe(t, name, d.Name, c, "liveness", c.LivenessProbe, "/healthz")
				checkHTTPProbe(t, name, d.Name, c, "readiness", c.ReadinessProbe, "/readyz")
			}
		}
		for n, s := range o.StatefulSets {
			for _, c := range s.Spec.Template.Spec.Containers {
				if c.LivenessProbe == nil || c.ReadinessProbe == nil {
					t.Errorf("%s: StatefulSet %s/%s: liveness and readiness probes must be set", name, n, c.Name)
				}
			}
		}
	}
}

func checkHTTPProbe(t *testing.T, overlay, workload string, c corev1.Container, kind string, p *corev1.Probe, path string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path {
		t.Errorf("%s: %s/%s: %s probe must GET %s", overlay, workload, c.Name, kind, path)
		return
	}
	port := p.HTTPGet.Port
	for _, cp := range c.Ports {
		if (port.StrVal != "" && port.StrVal == cp.Name) || (port.StrVal == "" && port.IntVal == cp.ContainerPort) {
			return
		}
	}
	t.Errorf("%s: %s/%s: %s probe port %s is not a container port", overlay, workload, c.Name, kind, port.String())
}

var pinnedImage = regexp.MustCompile(`^[a-z0-9./_-]+(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$`)

func TestPolicy_noImageIsUntaggedOrLatest(t *testing.T) {
	for _, name := range overlays {
		for w, pod := range podSpecs(overlay(t, name)) {
			for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
				img := c.Image
				last := img[strings.LastIndex(img, "/")+1:]
				_, tag, hasTag := strings.Cut(strings.Split(last, "@")[0], ":")
				if !pinnedImage.MatchString(img) || (!hasTag && !strings.Contains(img, "@sha256:")) || tag == "latest" {
					t.Errorf("%s: %s/%s: image %q must carry a version tag (not latest) or a digest", name, w, c.Name, img)
				}
			}
		}
	}
}

// Termination must outlast the drain: the preStop pause, then the process's own
// shutdown_timeout for in-flight requests, then up to 5 s flushing telemetry.
func TestPolicy_terminationGraceOutlastsPreStopPlusDrain(t *testing.T) {
	for _, name := range overlays {
		for _, d := range dizhtimePods(overlay(t, name)) {
			ps := d.Spec.Template.Spec
			c := ps.Containers[0]
			drain := time.Duration(0)
			for _, e := range c.Env {
				if e.Name == "DIZHTIME_SHUTDOWN_TIMEOUT" || e.Name == "DIZHTIME_ROUTER_SHUTDOWN_TIMEOUT" {
					v, err := time.ParseDuration(e.Value)
					if err != nil {
						t.Fatalf("%s: %s: %s=%q: %v", name, d.Name, e.Name, e.Value, err)
					}
					drain = v
				}
			}
			if drain == 0 {
				t.Errorf("%s: %s: set the shutdown timeout explicitly so the grace period can be checked against it", name, d.Name)
				continue
			}
			preStop := time.Duration(0)
			if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
				preStop = time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
			}
			if preStop == 0 {
				t.Errorf("%s: %s: a preStop sleep must let endpoints drop the pod before it drains", name, d.Name)
			}
			if ps.TerminationGracePeriodSeconds == nil {
				t.Errorf("%s: %s: terminationGracePeriodSeconds must be set", name, d.Name)
				continue
			}
			grace := time.Duration(*ps.TerminationGracePeriodSeconds) * time.Second
			if need := preStop + drain + 5*time.Second; grace <= need {
				t.Errorf("%s: %s: terminationGracePeriodSeconds %s must exceed preStop %s + drain %s + 5s flush", name, d.Name, grace, preStop, drain)
			}
		}
	}
}

func TestPolicy_prodRunsTwoOrMoreReplicasWithAPDBAndTopologySpread(t *testing.T) {
	o := overlay(t, "prod")
	for n, d := range o.Deployments {
		if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
			t.Errorf("prod: Deployment %s must run at least 2 replicas", n)
		}
		var covering []string
		for _, pdb := range o.PDBs {
			sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
			if err != nil {
				t.Fatalf("PDB %s: %v", pdb.Name, err)
			}
			if !sel.Empty() && sel.Matches(labels.Set(d.Spec.Template.Labels)) {
				covering = append(covering, pdb.Name)
			}
		}
		if len(covering) != 1 {
			t.Errorf("prod: Deployment %s must be covered by exactly one PodDisruptionBudget, got %v", n, covering)
		}
		keys := map[string]bool{}
		for _, tsc := range d.Spec.Template.Spec.TopologySpreadConstraints {
			if slices.Contains(tsc.MatchLabelKeys, "app.kubernetes.io/name") {
				keys[tsc.TopologyKey] = true
			}
		}
		if !keys["topology.kubernetes.io/zone"] || !keys["kubernetes.io/hostname"] {
			t.Errorf("prod: Deployment %s must spread its own pods over zones and nodes", n)
		}
	}
	for n := range o.Deployments {
		if h, ok := o.HPAs[n]; ok && (h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2) {
			t.Errorf("prod: HPA for %s must keep at least 2 replicas", n)
		}
		if so, ok := o.ScaledObjects[n]; ok && (so.Spec.MinReplicaCount == nil || *so.Spec.MinReplicaCount < 2) {
			t.Errorf("prod: ScaledObject for %s must keep at least 2 replicas", n)
		}
	}
}

func TestPolicy_prodScalesConsumersOnKafkaLagAndTheRestOnCPUAndMemory(t *testing.T) {
	o := overlay(t, "prod")
	for _, p := range processes(t) {
		hpa, hasHPA := o.HPAs[p.Name]
		so, hasSO := o.ScaledObjects[p.Name]
		if hasHPA && hasSO {
			t.Errorf("prod: %s has both an HPA and a ScaledObject: KEDA's own HPA and this one would fight", p.Name)
		}
		if isConsumer(t, p.Name) {
			if !hasSO {
				t.Errorf("prod: %s consumes Kafka topics but has no KEDA ScaledObject", p.Name)
				continue
			}
			types := map[string]int{}
			for _, tr := range so.Spec.Triggers {
				types[tr.Type]++
				if tr.Type == "kafka" && tr.Metadata["lagThreshold"] == "" {
					t.Errorf("prod: %s: Kafka trigger %s needs a lagThreshold", p.Name, tr.Name)
				}
			}
			if types["kafka"] == 0 || types["cpu"] != 1 || types["memory"] != 1 {
				t.Errorf("prod: %s's ScaledObject must scale on Kafka lag, CPU and memory, has %v", p.Name, types)
			}
			if so.Spec.MaxReplicaCount == nil || so.Spec.CooldownPeriod == nil || *so.Spec.MaxReplicaCount <= *so.Spec.MinReplicaCount {
				t.Errorf("prod: %s's ScaledObject needs a max above its min and a cooldown", p.Name)
			}
			continue
		}
		if !hasHPA {
			t.Errorf("prod: %s has no HorizontalPodAutoscaler", p.Name)
			continue
		}
		res := map[string]bool{}
		for _, m := range hpa.Spec.Metrics {
			if m.Type == autoscalingv2.ResourceMetricSourceType {
				res[string(m.Resource.Name)] = true
			}
		}
		if !res["cpu"] || !res["memory"] {
			t.Errorf("prod: %s's HPA must scale on CPU and memory, has %v", p.Name, res)
		}
	}
	router := o.HPAs["router"]
	if router == nil || !slices.ContainsFunc(router.Spec.Metrics, func(m autoscalingv2.MetricSpec) bool {
		return m.Type == autoscalingv2.PodsMetricSourceType && m.Pods.Metric.Name == "router_active_subscriptions"
	}) {
		t.Error("prod: the router's HPA must scale on active subscriptions per pod (router_active_subscriptions)")
	}
}

var credentialKey = regexp.MustCompile(`(?i)(password|secret|token|credential|private)`)

// Secrets come from Secret objects: no ConfigMap and no literal env value carries a
// password, a token or a URL with credentials.
func TestPolicy_secretsComeFromSecretsNeverConfigMaps(t *testing.T) {
	for _, name := range overlays {
		o := overlay(t, name)
		for _, cm := range o.ConfigMaps {
			for k, v := range cm.Data {
				if credentialKey.MatchString(k) || hasURLCredentials(v) {
					t.Errorf("%s: ConfigMap %s key %s holds a secret: move it to a Secret", name, cm.Name, k)
				}
			}
		}
		for w, pod := range podSpecs(o) {
			for _, c := range pod.Spec.Containers {
				for _, e := range c.Env {
					if e.Value != "" && (credentialKey.MatchString(e.Name) || hasURLCredentials(e.Value)) {
						t.Errorf("%s: %s/%s: env %s is a literal secret: use secretKeyRef", name, w, c.Name, e.Name)
					}
					if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil && credentialKey.MatchString(e.Name) {
						t.Errorf("%s: %s/%s: env %s comes from a ConfigMap: use secretKeyRef", name, w, c.Name, e.Name)
					}
				}
			}
		}
	}
}

func hasURLCredentials(v string) bool {
	for _, part := range strings.Split(v, ",") {
		if u, err := url.Parse(strings.TrimSpace(part)); err == nil && u.User != nil {
			if _, hasPassword := u.User.Password(); hasPassword {
				return true
			}
		}
	}
	return false
}

// Every DIZHTIME_* variable a manifest sets is one the process reads (its Config's env
// tags), so a misspelt or stale name cannot silently fall back to a laptop default.
func TestPolicy_everyEnvVarIsOneTheProcessReads(t *testing.T) {
	for _, name := range overlays {
		for _, d := range dizhtimePods(overlay(t, name)) {
			root, files := ProcessConfigSources(repoRoot, d.Name)
			known, err := EnvNames(root, files...)
			if err != nil {
				// A process whose sources are not in this tree yet (a subgraph landing in
				// parallel) cannot be checked here; every other one is.
				t.Logf("%s: %s: configuration sources not found (%v): its env names are not checked on this tree", name, d.Name, err)
				continue
			}
			for _, c := range d.Spec.Template.Spec.Containers {
				for _, e := range c.Env {
					if strings.HasPrefix(e.Name, "DIZHTIME_") && !known[e.Name] {
						t.Errorf("%s: %s sets %s, which its configuration does not read", name, d.Name, e.Name)
					}
				}
				if len(c.EnvFrom) > 0 {
					t.Errorf("%s: %s uses envFrom: name each variable so this test can check it", name, d.Name)
				}
			}
		}
	}
}

func TestPolicy_networkPoliciesDenyByDefaultAndOpenOnlyTheDeclaredPaths(t *testing.T) {
	for _, name := range overlays {
		o := overlay(t, name)
		deny, ok := o.NetworkPolicies["default-deny"]
		if !ok || deny.Spec.PodSelector.MatchLabels["app.kubernetes.io/part-of"] != "dizhtime" ||
			len(deny.Spec.Ingress) != 0 || len(deny.Spec.Egress) != 0 || len(deny.Spec.PolicyTypes) != 2 {
			t.Fatalf("%s: a default-deny policy for ingress and egress must select every DizhTime pod", name)
		}
		procs := map[string]bool{}
		for _, p := range processes(t) {
			procs[p.Name] = true
		}
		for _, d := range dizhtimePods(o) {
			procs[d.Name] = true
		}
		for p := range procs {
			np, ok := o.NetworkPolicies[p]
			if !ok || np.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"] != p {
				t.Errorf("%s: no NetworkPolicy selects %s", name, p)
				continue
			}
			for i, r := range np.Spec.Ingress {
				for _, peer := range r.From {
					if err := checkPeer(peer, procs, p == "router"); err != nil {
						t.Errorf("%s: %s ingress[%d]: %v", name, p, i, err)
					}
				}
				if len(r.From) == 0 {
					t.Errorf("%s: %s ingress[%d] admits everyone", name, p, i)
				}
			}
			for i, r := range np.Spec.Egress {
				if len(r.To) == 0 {
					t.Errorf("%s: %s egress[%d] allows every destination", name, p, i)
				}
				for _, peer := range r.To {
					if err := checkEgressPeer(peer, procs, p); err != nil {
						t.Errorf("%s: %s egress[%d]: %v", name, p, i, err)
					}
				}
			}
		}
		// Only the router is reached from outside the namespace (the ingress controller).
		for p, np := range o.NetworkPolicies {
			if p == "router" || p == "allow-prometheus-scrape" {
				continue
			}
			for _, r := range np.Spec.Ingress {
				for _, peer := range r.From {
					if peer.NamespaceSelector != nil {
						t.Errorf("%s: %s admits traffic from other namespaces", name, p)
					}
				}
			}
		}
	}
}

// checkPeer allows, as a source, DizhTime's own processes, and for the router only, the
// ingress controller's namespace.
func checkPeer(peer networkingv1.NetworkPolicyPeer, procs map[string]bool, router bool) error {
	if peer.IPBlock != nil {
		return fmt.Errorf("ipBlock source %s", peer.IPBlock.CIDR)
	}
	if peer.NamespaceSelector != nil {
		if router && peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == "ingress-nginx" {
			return nil
		}
		return fmt.Errorf("namespace source %v", peer.NamespaceSelector)
	}
	if peer.PodSelector == nil || !procs[peer.PodSelector.MatchLabels["app.kubernetes.io/name"]] {
		return fmt.Errorf("source %v is not a DizhTime process", peer.PodSelector)
	}
	return nil
}

// checkEgressPeer: the router reaches subgraphs (and Redis for rate limits); a subgraph
// reaches stores (by dizhtime.io/store in store namespaces) and the processes it calls.
func checkEgressPeer(peer networkingv1.NetworkPolicyPeer, procs map[string]bool, from string) error {
	if peer.IPBlock != nil {
		if from == "notifications" && peer.IPBlock.CIDR == "0.0.0.0/0" && len(peer.IPBlock.Except) >= 3 {
			return nil // a hosted SMTP relay, private ranges excluded
		}
		return fmt.Errorf("ipBlock destination %s", peer.IPBlock.CIDR)
	}
	if peer.PodSelector == nil {
		return fmt.Errorf("destination without a pod selector")
	}
	if store := peer.PodSelector.MatchLabels["dizhtime.io/store"]; store != "" {
		if peer.NamespaceSelector == nil || peer.NamespaceSelector.MatchLabels["dizhtime.io/stores"] != "true" {
			return fmt.Errorf("store %s must be selected in store namespaces", store)
		}
		return nil
	}
	to := peer.PodSelector.MatchLabels["app.kubernetes.io/name"]
	if !procs[to] || to == "router" {
		return fmt.Errorf("destination %q is not a subgraph", to)
	}
	return nil
}

func TestPolicy_theRouterIsServedBehindAnIngressWithTLS(t *testing.T) {
	for _, name := range overlays {
		o := overlay(t, name)
		if len(o.Ingresses) != 1 {
			t.Fatalf("%s: want one Ingress, got %d", name, len(o.Ingresses))
		}
		ing := o.Ingresses[0]
		tlsHosts := map[string]bool{}
		for _, tls := range ing.Spec.TLS {
			if tls.SecretName == "" {
				t.Errorf("%s: Ingress TLS entry without a certificate Secret", name)
			}
			for _, h := range tls.Hosts {
				tlsHosts[h] = true
			}
		}
		for _, r := range ing.Spec.Rules {
			if !tlsHosts[r.Host] {
				t.Errorf("%s: Ingress host %q is served without TLS", name, r.Host)
			}
			for _, p := range r.HTTP.Paths {
				if p.Backend.Service == nil || p.Backend.Service.Name != "router" {
					t.Errorf("%s: Ingress routes %s to something other than the router", name, p.Path)
				}
			}
		}
	}
}

// The dev overlay is one replica of everything, with the real stores beside it.
func TestPolicy_devRunsOneReplicaEachAgainstRealStores(t *testing.T) {
	o := overlay(t, "dev")
	for n, d := range o.Deployments {
		if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
			t.Errorf("dev: Deployment %s should run one replica", n)
		}
	}
	for _, store := range []string{"postgres", "redis", "kafka", "mongo", "elasticsearch", "clickhouse", "mailpit"} {
		if _, ok := o.StatefulSets[store]; !ok {
			t.Errorf("dev: no %s StatefulSet", store)
		}
	}
	if len(o.HPAs)+len(o.ScaledObjects) != 0 {
		t.Error("dev: no autoscalers (a dev cluster need not run KEDA or a metrics adapter)")
	}
	// every Secret a dev pod references exists in the overlay
	secrets := map[string]*corev1.Secret{}
	for _, s := range o.Secrets {
		secrets[s.Name] = s
	}
	for w, pod := range podSpecs(o) {
		for _, c := range pod.Spec.Containers {
			for _, e := range c.Env {
				if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
					continue
				}
				ref := e.ValueFrom.SecretKeyRef
				s, ok := secrets[ref.Name]
				if !ok {
					t.Errorf("dev: %s: env %s refers to missing Secret %s", w, e.Name, ref.Name)
				} else if _, ok := s.Data[ref.Key]; !ok {
					if _, ok := s.StringData[ref.Key]; !ok {
						t.Errorf("dev: %s: env %s refers to missing key %s of Secret %s", w, e.Name, ref.Key, ref.Name)
					}
				}
			}
		}
	}
}
