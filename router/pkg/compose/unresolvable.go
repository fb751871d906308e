package compose

import (
	nodev1 "github.com/wundergraph/cosmo/router/gen/proto/wg/cosmo/node/v1"
)

// withholdUnresolvableEntities keeps the planner from entering a subgraph through a key
// that subgraph declared `resolvable: false`. Composition lists such a type among the
// subgraph's root nodes (entry points) like any entity, and the engine (rc.231) then
// plans _entities calls to it when no other subgraph has the field, which the subgraph
// cannot answer. Here the type becomes a child node of that subgraph: its fields are
// still read where the subgraph itself returns the type, never fetched by key. A field
// reachable no other way then fails planning, and the query is refused as a whole.
func withholdUnresolvableEntities(rc *nodev1.RouterConfig) {
	for _, ds := range rc.GetEngineConfig().GetDatasourceConfigurations() {
		resolvable := map[string]bool{}
		declared := map[string]bool{}
		for _, k := range ds.GetKeys() {
			declared[k.GetTypeName()] = true
			if !k.GetDisableEntityResolver() {
				resolvable[k.GetTypeName()] = true
			}
		}
		var roots []*nodev1.TypeField
		for _, n := range ds.GetRootNodes() {
			if !declared[n.GetTypeName()] || resolvable[n.GetTypeName()] {
				roots = append(roots, n)
				continue
			}
			ds.ChildNodes = mergeChildNode(ds.GetChildNodes(), n)
		}
		ds.RootNodes = roots
	}
}

func mergeChildNode(children []*nodev1.TypeField, n *nodev1.TypeField) []*nodev1.TypeField {
	for _, c := range children {
		if c.GetTypeName() != n.GetTypeName() {
			continue
		}
		have := map[string]bool{}
		for _, f := range c.GetFieldNames() {
			have[f] = true
		}
		for _, f := range n.GetFieldNames() {
			if !have[f] {
				c.FieldNames = append(c.FieldNames, f)
			}
		}
		c.ExternalFieldNames = append(c.ExternalFieldNames, n.GetExternalFieldNames()...)
		return children
	}
	return append(children, n)
}
