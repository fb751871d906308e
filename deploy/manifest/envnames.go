package manifest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

// EnvNames returns every DIZHTIME_* variable a process's configuration reads, from the
// `env` and `envPrefix` tags of its Config struct (caarlos0/env, as platform/config.Load
// applies them with the DIZHTIME_ prefix), following embedded and nested structs. files
// are the Go sources declaring the structs (the process's config plus platform/config's
// Base); root is the struct to start from.
func EnvNames(root string, files ...string) (map[string]bool, error) {
	structs := map[string]*ast.StructType{}
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if st, ok := ts.Type.(*ast.StructType); ok {
					structs[ts.Name.Name] = st
				}
			}
			return true
		})
	}
	out := map[string]bool{}
	var walk func(name, prefix string, depth int) error
	walk = func(name, prefix string, depth int) error {
		st, ok := structs[name]
		if !ok {
			return fmt.Errorf("struct %s not found in %s", name, strings.Join(files, ", "))
		}
		if depth > 8 {
			return fmt.Errorf("struct %s nests too deep", name)
		}
		for _, f := range st.Fields.List {
			tag := reflect.StructTag("")
			if f.Tag != nil {
				s, err := strconv.Unquote(f.Tag.Value)
				if err != nil {
					return err
				}
				tag = reflect.StructTag(s)
			}
			typeName := baseTypeName(f.Type)
			if env, ok := tag.Lookup("env"); ok {
				name, _, _ := strings.Cut(env, ",")
				out["DIZHTIME_"+prefix+name] = true
				continue
			}
			if p, ok := tag.Lookup("envPrefix"); ok {
				if err := walk(typeName, prefix+p, depth+1); err != nil {
					return err
				}
				continue
			}
			if len(f.Names) == 0 { // embedded, e.g. config.Base
				if _, known := structs[typeName]; known {
					if err := walk(typeName, prefix, depth+1); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if err := walk(root, "", 0); err != nil {
		return nil, err
	}
	return out, nil
}

func baseTypeName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.StarExpr:
		return baseTypeName(t.X)
	}
	return ""
}

// ProcessConfigSources returns the files and root struct declaring a process's
// configuration in the repository at repo: the router's router/pkg/config, a subgraph's
// service/config.go (with platform/config's Base and Telemetry).
func ProcessConfigSources(repo, process string) (root string, files []string) {
	platformBase := filepath.Join(repo, "platform", "config", "base.go")
	if process == "router" {
		return "Config", []string{filepath.Join(repo, "router", "pkg", "config", "config.go"), platformBase}
	}
	return "Config", []string{filepath.Join(repo, "subgraphs", process, "service", "config.go"), platformBase}
}
