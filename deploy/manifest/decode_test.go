package manifest

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestOverlays_renderWithKustomizeAndDecodeStrictly(t *testing.T) {
	for _, dir := range []string{"base", "overlays/dev", "overlays/prod"} {
		t.Run(dir, func(t *testing.T) {
			raws, err := Render(filepath.Join("..", "k8s", filepath.FromSlash(dir)))
			if err != nil {
				t.Fatal(err)
			}
			dec, err := NewDecoder()
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			for _, r := range raws {
				if _, err := dec.Decode(r.YAML); err != nil {
					t.Errorf("%s: %v", r.ID(), err)
				}
				kinds[r.Kind]++
			}
			if kinds["Deployment"] == 0 {
				t.Fatalf("%s rendered no Deployment: %v", dir, kinds)
			}
			t.Logf("%s: %d objects %v", dir, len(raws), kinds)
		})
	}
}

func TestDecode_refusesUnknownFieldsWrongTypesAndMissingRequiredFields(t *testing.T) {
	const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers:
        - CONTAINER
`
	const scaledObject = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: x}
spec:
  scaleTargetRef: {name: x}
  EXTRA
  triggers:
    - type: kafka
      metadata: METADATA
`
	cases := []struct {
		name, doc, wantErr string
	}{
		{"a valid Deployment decodes", strings.NewReplacer("REPLICAS", "2", "CONTAINER", "{name: x, image: x:1}").Replace(deployment), ""},
		{"an unknown field", strings.NewReplacer("REPLICAS", "2", "CONTAINER", "{name: x, image: x:1, imagePullPolicyy: Always}").Replace(deployment), `unknown field "spec.template.spec.containers[0].imagePullPolicyy"`},
		{"a wrong type", strings.NewReplacer("REPLICAS", `"two"`, "CONTAINER", "{name: x, image: x:1}").Replace(deployment), "cannot unmarshal string"},
		{"a container without its required name", strings.NewReplacer("REPLICAS", "2", "CONTAINER", "{image: x:1}").Replace(deployment), "containers[0].name"},
		{"an unknown kind", "apiVersion: v1\nkind: Podd\nmetadata: {name: x}\n", "no kind"},
		{"an object without a name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", ".metadata.name"},
		{"a valid ScaledObject decodes", strings.NewReplacer("EXTRA", "minReplicaCount: 2", "METADATA", `{bootstrapServers: "k:9092", consumerGroup: g, lagThreshold: "10"}`).Replace(scaledObject), ""},
		{"a ScaledObject's unknown field", strings.NewReplacer("EXTRA", "minReplicas: 2", "METADATA", `{bootstrapServers: "k:9092", consumerGroup: g}`).Replace(scaledObject), `unknown field "spec.minReplicas"`},
		{"a ScaledObject's number where KEDA wants a string", strings.NewReplacer("EXTRA", "minReplicaCount: 2", "METADATA", `{bootstrapServers: "k:9092", consumerGroup: g, lagThreshold: 10}`).Replace(scaledObject), "cannot unmarshal number"},
		{"a ScaledObject without triggers", "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec:\n  scaleTargetRef: {name: x}\n", ".spec.triggers"},
		{"a Kafka trigger without a consumer group", strings.NewReplacer("EXTRA", "minReplicaCount: 2", "METADATA", `{bootstrapServers: "k:9092"}`).Replace(scaledObject), "consumerGroup"},
		{"a Kafka trigger's misspelt key", strings.NewReplacer("EXTRA", "minReplicaCount: 2", "METADATA", `{bootstrapServers: "k:9092", consumerGroup: g, lagTreshold: "5"}`).Replace(scaledObject), `unknown metadata key "lagTreshold"`},
		{"an HPA without maxReplicas", "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: x}\nspec:\n  scaleTargetRef: {kind: Deployment, name: x}\n", ".spec.maxReplicas"},
	}
	dec, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := dec.Decode([]byte(c.doc))
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("want no error, got %v", err)
			case c.wantErr != "" && err == nil:
				t.Fatalf("want an error mentioning %q, got none", c.wantErr)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Fatalf("want an error mentioning %q, got %v", c.wantErr, err)
			}
		})
	}
}
