// Package config holds the router's typed configuration (router.yaml) and the
// supergraph description (supergraph.yaml), both loaded strictly: an unknown key is
// an error that names the key.
package config
