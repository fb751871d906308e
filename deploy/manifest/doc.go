// Package manifest renders the kustomize overlays under deploy/k8s and decodes every
// object strictly against its Kubernetes API type (client-go's scheme) or, for KEDA's
// ScaledObject, against a typed mirror of KEDA's v1alpha1 API. Its tests are the offline
// validation and the deployment policies (non-root, limits, probes, PDBs, autoscaling).
package manifest
