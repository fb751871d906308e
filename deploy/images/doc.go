// Package images builds DizhTime's container images without a Docker daemon: one image
// per process (the router and every subgraph supergraph.yaml lists), each a static Go
// binary on an otherwise empty filesystem (CA certificates, a passwd entry for the
// non-root user), written as an OCI image layout and a docker-archive tarball with
// go-containerregistry, and checked by reading each image's config back.
package images
