package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// Decoder decodes rendered objects strictly: an unknown field, a duplicate field, a value
// of the wrong type, an unknown kind or a missing required field is an error.
type Decoder struct {
	scheme     *runtime.Scheme
	serializer *kjson.Serializer
}

// NewDecoder knows every built-in Kubernetes kind of client-go's scheme and KEDA's
// ScaledObject.
func NewDecoder() (*Decoder, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	s.AddKnownTypes(KEDAGroupVersion, &ScaledObject{})
	ser := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, s, s, kjson.SerializerOptions{Yaml: true, Strict: true})
	return &Decoder{scheme: s, serializer: ser}, nil
}

// Decode returns the typed object for one YAML document.
func (d *Decoder) Decode(doc []byte) (runtime.Object, error) {
	obj, gvk, err := d.serializer.Decode(doc, nil, nil)
	if err != nil {
		// Strict errors (unknown or duplicate fields) come back with a decoded object: they
		// are still errors here.
		return nil, err
	}
	var raw any
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(j, &raw); err != nil {
		return nil, err
	}
	var missing []string
	requiredFields("", reflect.TypeOf(obj), raw, &missing)
	if m, _ := raw.(map[string]any); m != nil {
		if md, _ := m["metadata"].(map[string]any); md == nil || md["name"] == nil {
			missing = append(missing, ".metadata.name")
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("%s: missing required field(s) %s", gvk.Kind, strings.Join(missing, ", "))
	}
	if so, ok := obj.(*ScaledObject); ok {
		if err := checkTriggers(so); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// requiredFields reports the fields the document lacks that the API type declares
// required. The Kubernetes API conventions mark optional fields with omitempty (or
// omitzero) in their JSON tags; a field without it is required ("+required"), e.g. a
// container's name, a port's number, a Deployment's selector, an HPA's maxReplicas.
// Decoding alone cannot see this: Go leaves a missing field at its zero value.
func requiredFields(path string, t reflect.Type, v any, missing *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return // Quantity, IntOrString, Time...: scalars with their own decoding
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" && (f.Anonymous || strings.Contains(opts, "inline")) {
				requiredFields(path, f.Type, v, missing)
				continue
			}
			if name == "" {
				name = f.Name
			}
			val, present := m[name]
			if !present {
				if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
					*missing = append(*missing, path+"."+name)
				}
				continue
			}
			requiredFields(path+"."+name, f.Type, val, missing)
		}
	case reflect.Slice, reflect.Array:
		items, ok := v.([]any)
		if !ok {
			return
		}
		for i, it := range items {
			requiredFields(fmt.Sprintf("%s[%d]", path, i), t.Elem(), it, missing)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, it := range m {
			requiredFields(path+"."+k, t.Elem(), it, missing)
		}
	}
}

// checkTriggers rejects trigger metadata KEDA would ignore or refuse at run time.
func checkTriggers(so *ScaledObject) error {
	var errs []error
	if so.Spec.ScaleTargetRef == nil || so.Spec.ScaleTargetRef.Name == "" {
		errs = append(errs, errors.New("spec.scaleTargetRef.name is required"))
	}
	if len(so.Spec.Triggers) == 0 {
		errs = append(errs, errors.New("spec.triggers must list at least one trigger"))
	}
	for i, tr := range so.Spec.Triggers {
		known, ok := kedaTriggerMetadata[tr.Type]
		if !ok {
			errs = append(errs, fmt.Errorf("triggers[%d]: trigger type %q is not one this repository uses (kafka, cpu, memory)", i, tr.Type))
			continue
		}
		for k := range tr.Metadata {
			if !known[k] {
				errs = append(errs, fmt.Errorf("triggers[%d] (%s): unknown metadata key %q", i, tr.Type, k))
			}
		}
		for _, oneOf := range kedaRequiredMetadata[tr.Type] {
			found := false
			for _, k := range oneOf {
				found = found || tr.Metadata[k] != ""
			}
			if !found {
				errs = append(errs, fmt.Errorf("triggers[%d] (%s): metadata needs %s", i, tr.Type, strings.Join(oneOf, " or ")))
			}
		}
		if (tr.Type == "cpu" || tr.Type == "memory") && tr.MetricType == "" {
			errs = append(errs, fmt.Errorf("triggers[%d] (%s): metricType is required (Utilization or AverageValue)", i, tr.Type))
		}
	}
	if errs != nil {
		return fmt.Errorf("ScaledObject %s: %w", so.Name, errors.Join(errs...))
	}
	return nil
}
