// Package templates embeds the notification template catalog (catalog.yaml): one entry per
// kind of notification, its category, channels, typed parameters and texts in every locale.
// domain.ParseCatalog checks it at start.
package templates

import _ "embed"

// Catalog is catalog.yaml.
//
//go:embed catalog.yaml
var Catalog []byte
