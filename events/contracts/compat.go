package contracts

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// CheckCompatible lists the changes from schema prev to schema next that break a producer
// or a consumer still on the other version; none means next may replace prev.
//
// It understands the subset of JSON Schema our contracts use: type, properties, required,
// items, enum, additionalProperties (as a map's value schema) and local $ref into $defs.
// Breaking: a removed property, a new required property, a property changing between
// optional and required, a changed type, a removed enum value. Compatible: a new optional
// property, a new enum value (consumers must tolerate unknown values), descriptions,
// titles and formats.
func CheckCompatible(prev, next []byte) ([]string, error) {
	var a, b map[string]any
	if err := json.Unmarshal(prev, &a); err != nil {
		return nil, fmt.Errorf("previous schema: %w", err)
	}
	if err := json.Unmarshal(next, &b); err != nil {
		return nil, fmt.Errorf("next schema: %w", err)
	}
	c := &compat{prevRoot: a, nextRoot: b}
	c.compare("$", a, b)
	sort.Strings(c.breaks)
	return c.breaks, c.err
}

type compat struct {
	prevRoot, nextRoot map[string]any
	breaks             []string
	err                error
}

func (c *compat) breaking(at, format string, args ...any) {
	c.breaks = append(c.breaks, at+": "+fmt.Sprintf(format, args...))
}

func (c *compat) resolve(root, s map[string]any) map[string]any {
	for range 16 { // bounded: a ref cycle is an error, not a hang
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := root["$defs"].(map[string]any)
		target, found := defs[name].(map[string]any)
		if !ok || !found {
			c.err = fmt.Errorf("unsupported or dangling $ref %q", ref)
			return map[string]any{}
		}
		s = target
	}
	c.err = fmt.Errorf("$ref chain too deep")
	return map[string]any{}
}

func (c *compat) compare(at string, prev, next map[string]any) {
	prev, next = c.resolve(c.prevRoot, prev), c.resolve(c.nextRoot, next)
	if pt, nt := types(prev), types(next); !slices.Equal(pt, nt) {
		c.breaking(at, "type changed from %v to %v", pt, nt)
		return
	}
	if pe, ok := prev["enum"].([]any); ok {
		ne, _ := next["enum"].([]any)
		if _, constrained := next["enum"]; constrained {
			for _, v := range pe {
				if !slices.Contains(ne, v) {
					c.breaking(at, "enum value %v removed", v)
				}
			}
		}
	} else if _, ok := next["enum"]; ok {
		c.breaking(at, "enum added to a property that had none")
	}

	pp, _ := prev["properties"].(map[string]any)
	np, _ := next["properties"].(map[string]any)
	preq, nreq := strings_(prev["required"]), strings_(next["required"])
	for name, ps := range pp {
		ns, ok := np[name]
		if !ok {
			c.breaking(at+"."+name, "property removed")
			continue
		}
		switch wasReq, isReq := slices.Contains(preq, name), slices.Contains(nreq, name); {
		case wasReq && !isReq:
			c.breaking(at+"."+name, "required property became optional")
		case !wasReq && isReq:
			c.breaking(at+"."+name, "optional property became required")
		}
		c.compareSub(at+"."+name, ps, ns)
	}
	for name := range np {
		if _, ok := pp[name]; !ok && slices.Contains(nreq, name) {
			c.breaking(at+"."+name, "new required property")
		}
	}
	c.compareSub(at+"[]", prev["items"], next["items"])
	c.compareSub(at+"{}", prev["additionalProperties"], next["additionalProperties"])
}

func (c *compat) compareSub(at string, prev, next any) {
	ps, pok := prev.(map[string]any)
	ns, nok := next.(map[string]any)
	switch {
	case pok && nok:
		c.compare(at, ps, ns)
	case pok != nok:
		c.breaking(at, "schema %v replaced by %v", prev, next)
	}
}

func types(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		out := strings_(t)
		slices.Sort(out)
		return out
	}
	return nil
}

func strings_(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
