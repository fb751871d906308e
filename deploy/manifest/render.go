package manifest

import (
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Raw is one rendered object: its YAML and where it came from.
type Raw struct {
	Kind, Name, Namespace string
	APIVersion            string
	YAML                  []byte
}

// ID names the object in error messages: Kind/namespace/name.
func (r Raw) ID() string { return r.Kind + "/" + r.Namespace + "/" + r.Name }

// Render builds the kustomization in dir (an overlay or the base) the way
// `kubectl kustomize dir` does and returns every object it produces.
func Render(dir string) ([]Raw, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	var out []Raw
	for _, r := range resources.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("%s: %s/%s: %w", dir, r.GetKind(), r.GetName(), err)
		}
		out = append(out, Raw{Kind: r.GetKind(), Name: r.GetName(), Namespace: r.GetNamespace(),
			APIVersion: r.GetApiVersion(), YAML: y})
	}
	return out, nil
}
