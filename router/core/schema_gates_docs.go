package core

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	nodev1 "github.com/wundergraph/cosmo/router/gen/proto/wg/cosmo/node/v1"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astparser"
	"google.golang.org/protobuf/proto"
)

// withGatesInDescriptions returns a copy of rc whose schemas (the one the engine serves,
// introspection included, and the client schema) say in each gated field's description what
// the field needs: "Requires: signed in." or "Requires scopes: RESTAURANT_OWNER or ADMIN."
//
// Composition keeps @authenticated and @requiresScopes out of the schemas clients see; it
// records them per field in the router config, which is what the router enforces
// (operationAuthorizer). The text is written from that same record, so the explorer's docs
// cannot drift from the gates. Only descriptions change, spliced into the SDL at the
// parser's byte offsets: every other byte of the schema stays as composition wrote it.
func withGatesInDescriptions(rc *nodev1.RouterConfig) (*nodev1.RouterConfig, error) {
	notes := map[string]string{} // "Type.field" -> note
	for _, fc := range rc.GetEngineConfig().GetFieldConfigurations() {
		if note := gateNote(fc.GetAuthorizationConfiguration()); note != "" {
			notes[fc.GetTypeName()+"."+fc.GetFieldName()] = note
		}
	}
	if len(notes) == 0 {
		return rc, nil
	}
	out := proto.Clone(rc).(*nodev1.RouterConfig)
	ec := out.GetEngineConfig()
	sdl, err := describeGates(ec.GetGraphqlSchema(), notes)
	if err != nil {
		return nil, fmt.Errorf("document the gates in the schema: %w", err)
	}
	ec.GraphqlSchema = sdl
	if client := ec.GetGraphqlClientSchema(); client != "" {
		documented, err := describeGates(client, notes)
		if err != nil {
			return nil, fmt.Errorf("document the gates in the client schema: %w", err)
		}
		ec.GraphqlClientSchema = &documented
	}
	return out, nil
}

// gateNote is the sentence a field's gate adds to its description ("" when it has none).
func gateNote(ac *nodev1.AuthorizationConfiguration) string {
	if ac == nil {
		return ""
	}
	var sets []string
	for _, and := range ac.GetRequiredOrScopes() {
		if s := and.GetRequiredAndScopes(); len(s) > 0 {
			sets = append(sets, strings.Join(s, " and "))
		}
	}
	switch {
	case len(sets) > 0:
		return "Requires scopes: " + strings.Join(sets, " or ") + "."
	case ac.GetRequiresAuthentication():
		return "Requires: signed in."
	}
	return ""
}

// describeGates appends notes["Type.field"] to the description of each such field of sdl
// (adding a description where there is none).
func describeGates(sdl string, notes map[string]string) (string, error) {
	doc, report := astparser.ParseGraphqlDocumentString(sdl)
	if report.HasErrors() {
		return "", report
	}
	type edit struct {
		at   int
		text string
	}
	var edits []edit
	visit := func(typeName string, fields []int) {
		for _, ref := range fields {
			note, ok := notes[typeName+"."+doc.FieldDefinitionNameString(ref)]
			if !ok {
				continue
			}
			f := doc.FieldDefinitions[ref]
			d := f.Description
			switch {
			case !d.IsDefined:
				edits = append(edits, edit{int(f.Name.Start), `"` + note + `" `})
			case strings.Contains(doc.FieldDefinitionDescriptionString(ref), note):
				// already said (a schema documented before)
			case d.IsBlockString:
				content := doc.FieldDefinitionDescriptionString(ref)
				end := int(d.Content.Start) + len(strings.TrimRight(content, " \t\r\n"))
				// The engine serves block strings as written (no dedent): no indent.
				edits = append(edits, edit{end, "\n\n" + note})
			default:
				edits = append(edits, edit{int(d.Content.End), " " + note})
			}
		}
	}
	for _, t := range doc.ObjectTypeDefinitions {
		visit(doc.Input.ByteSliceString(t.Name), t.FieldsDefinition.Refs)
	}
	for _, t := range doc.ObjectTypeExtensions {
		visit(doc.Input.ByteSliceString(t.Name), t.FieldsDefinition.Refs)
	}
	for _, t := range doc.InterfaceTypeDefinitions {
		visit(doc.Input.ByteSliceString(t.Name), t.FieldsDefinition.Refs)
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].at > edits[j].at })
	edits = slices.CompactFunc(edits, func(a, b edit) bool { return a.at == b.at })
	out := sdl
	for _, e := range edits {
		out = out[:e.at] + e.text + out[e.at:]
	}
	return out, nil
}
