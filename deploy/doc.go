// Package deploy holds DizhTime's deployment: container images (images/, cmd/images,
// docker/), Kubernetes manifests (k8s/, validated offline by manifest/) and skaffold.yaml.
// See README.md beside this file.
package deploy
