package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"

	"github.com/caarlos0/env/v11"
	"gopkg.in/yaml.v3"
)

// EnvPrefix starts every environment override: a field tagged `env:"HTTP_ADDR"` is
// read from DIZHTIME_HTTP_ADDR. Nested structs add their `envPrefix` tag.
const EnvPrefix = "DIZHTIME_"

// Validator is implemented by configuration structs (at any depth) that check their own
// values. Return Invalid errors, joined with errors.Join when there are several, so Load
// can name each key by its full path.
type Validator interface {
	Validate() error
}

// Load fills cfg for service. cfg arrives holding the defaults; the YAML file at path
// (skipped when path is "") overlays them, DIZHTIME_* environment variables overlay
// that, and finally every Validator in cfg is called.
//
// YAML keys follow `yaml` tags. Embedded structs must be tagged `yaml:",inline"` (as
// yaml.v3 requires) and share their parent's key path.
func Load[T any](service, path string, cfg *T) error {
	if cfg == nil {
		return fmt.Errorf("config %s: nil destination", service)
	}
	if path != "" {
		if err := decodeFile(path, cfg); err != nil {
			return fmt.Errorf("config %s: %w", service, err)
		}
	}
	if err := env.ParseWithOptions(cfg, env.Options{Prefix: EnvPrefix}); err != nil {
		return fmt.Errorf("config %s: environment: %w", service, err)
	}
	var problems []error
	for _, fe := range validate(reflect.ValueOf(cfg).Elem(), "", true) {
		problems = append(problems, fmt.Errorf("config %s: %w", service, fe))
	}
	return errors.Join(problems...)
}

func decodeFile(path string, cfg any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()

	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	err = dec.Decode(cfg)
	if errors.Is(err, io.EOF) { // an empty file keeps the defaults
		return nil
	}
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) {
		lines := make([]string, len(typeErr.Errors))
		for i, msg := range typeErr.Errors {
			lines[i] = path + ":" + readableYAMLError(msg)
		}
		return errors.New(strings.Join(lines, "; "))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// yaml.v3 reports an unknown key as "line 3: field bogus not found in type config.Base";
// the Go type means nothing to whoever edits the file.
var unknownField = regexp.MustCompile(`^line (\d+): field (.+) not found in type .*$`)

func readableYAMLError(msg string) string {
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s: unknown key %q", m[1], m[2])
	}
	return strings.TrimPrefix(msg, "line ")
}

// validate walks v and every struct below it, calling Validate where implemented
// (v's own only when own is set) and prefixing the keys with the struct's path.
func validate(v reflect.Value, prefix string, own bool) []*FieldError {
	var out []*FieldError
	selfValidator, validates := validatorOf(v)
	if own && validates {
		out = append(out, flatten(selfValidator.Validate(), prefix)...)
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				continue
			}
			fv = fv.Elem()
		}
		if fv.Kind() != reflect.Struct {
			continue
		}
		if f.Anonymous {
			// If the parent has a Validate it is either promoted from this embedded
			// struct (and already ran) or shadows it (and is the parent's to call).
			out = append(out, validate(fv, prefix, !validates)...)
			continue
		}
		out = append(out, validate(fv, prefix+yamlKey(f)+".", true)...)
	}
	return out
}

func validatorOf(v reflect.Value) (Validator, bool) {
	if v.CanAddr() {
		if val, ok := v.Addr().Interface().(Validator); ok {
			return val, true
		}
	}
	if !v.CanInterface() {
		return nil, false
	}
	val, ok := v.Interface().(Validator)
	return val, ok
}

// flatten turns what a Validate returned into field errors under prefix.
func flatten(err error, prefix string) []*FieldError {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*FieldError
		for _, e := range joined.Unwrap() {
			out = append(out, flatten(e, prefix)...)
		}
		return out
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return []*FieldError{{Key: prefix + fe.Key, Problem: fe.Problem}}
	}
	return []*FieldError{{Key: strings.TrimSuffix(prefix, "."), Problem: err.Error()}}
}

func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" {
		return strings.ToLower(f.Name) // yaml.v3's default
	}
	return name
}
