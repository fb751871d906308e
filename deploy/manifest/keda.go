package manifest

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// KEDA's ScaledObject (keda.sh/v1alpha1), mirrored field for field (names, JSON tags and
// omitempty, which says what is required) from github.com/kedacore/keda/v2 v2.20.2
// apis/keda/v1alpha1/scaledobject_types.go and scaletriggers_types.go. Why a mirror and
// not the module: KEDA v2.21 needs Go 1.27, and v2.20.2 brings controller-runtime, its
// webhooks and the scalers' cloud SDKs into the build: more than fifteen minutes of
// compiling on this machine for a handful of structs. Status is left out on purpose: a
// manifest that sets it fails to decode.

// KEDAGroupVersion is the ScaledObject's API group and version.
var KEDAGroupVersion = schema.GroupVersion{Group: "keda.sh", Version: "v1alpha1"}

// ScaledObject scales a Deployment on event sources (here: Kafka lag, CPU, memory).
type ScaledObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ScaledObjectSpec `json:"spec"`
}

// ScaledObjectSpec is keda's ScaledObjectSpec.
type ScaledObjectSpec struct {
	ScaleTargetRef        *ScaleTarget    `json:"scaleTargetRef"`
	PollingInterval       *int32          `json:"pollingInterval,omitempty"`
	InitialCooldownPeriod *int32          `json:"initialCooldownPeriod,omitempty"`
	CooldownPeriod        *int32          `json:"cooldownPeriod,omitempty"`
	IdleReplicaCount      *int32          `json:"idleReplicaCount,omitempty"`
	MinReplicaCount       *int32          `json:"minReplicaCount,omitempty"`
	MaxReplicaCount       *int32          `json:"maxReplicaCount,omitempty"`
	Advanced              *AdvancedConfig `json:"advanced,omitempty"`
	Triggers              []ScaleTriggers `json:"triggers"`
	Fallback              *Fallback       `json:"fallback,omitempty"`
}

// Fallback is keda's Fallback.
type Fallback struct {
	FailureThreshold int32  `json:"failureThreshold"`
	Replicas         int32  `json:"replicas"`
	Behavior         string `json:"behavior,omitempty"`
}

// AdvancedConfig is keda's AdvancedConfig.
type AdvancedConfig struct {
	HorizontalPodAutoscalerConfig *HorizontalPodAutoscalerConfig `json:"horizontalPodAutoscalerConfig,omitempty"`
	RestoreToOriginalReplicaCount bool                           `json:"restoreToOriginalReplicaCount,omitempty"`
	ScalingModifiers              *ScalingModifiers              `json:"scalingModifiers,omitempty"`
}

// ScalingModifiers is keda's ScalingModifiers.
type ScalingModifiers struct {
	Formula          string                         `json:"formula,omitempty"`
	Target           string                         `json:"target,omitempty"`
	ActivationTarget string                         `json:"activationTarget,omitempty"`
	MetricType       autoscalingv2.MetricTargetType `json:"metricType,omitempty"`
}

// HorizontalPodAutoscalerConfig is keda's HorizontalPodAutoscalerConfig.
type HorizontalPodAutoscalerConfig struct {
	Behavior *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
	Name     string                                         `json:"name,omitempty"`
}

// ScaleTarget is keda's ScaleTarget.
type ScaleTarget struct {
	Name                   string `json:"name"`
	APIVersion             string `json:"apiVersion,omitempty"`
	Kind                   string `json:"kind,omitempty"`
	EnvSourceContainerName string `json:"envSourceContainerName,omitempty"`
}

// ScaleTriggers is keda's ScaleTriggers.
type ScaleTriggers struct {
	Type              string                         `json:"type"`
	Name              string                         `json:"name,omitempty"`
	UseCachedMetrics  bool                           `json:"useCachedMetrics,omitempty"`
	Metadata          map[string]string              `json:"metadata"`
	AuthenticationRef *AuthenticationRef             `json:"authenticationRef,omitempty"`
	MetricType        autoscalingv2.MetricTargetType `json:"metricType,omitempty"`
}

// AuthenticationRef is keda's AuthenticationRef.
type AuthenticationRef struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
}

// DeepCopyObject makes ScaledObject a runtime.Object for the scheme (a shallow copy is
// enough: decoded objects are only read).
func (s *ScaledObject) DeepCopyObject() runtime.Object { c := *s; return &c }

// kedaTriggerMetadata lists the metadata keys each trigger type used here accepts (KEDA
// 2.20 docs: scalers/kafka, scalers/cpu, scalers/memory); a misspelt key is ignored by
// KEDA at run time, so it is an error here.
var kedaTriggerMetadata = map[string]map[string]bool{
	"kafka": set("bootstrapServers", "bootstrapServersFromEnv", "consumerGroup", "consumerGroupFromEnv",
		"topic", "topicFromEnv", "lagThreshold", "activationLagThreshold", "offsetResetPolicy",
		"allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset",
		"limitToPartitionsWithLag", "partitionLimitation", "version", "sasl", "tls", "ensureEvenDistributionOfPartitions"),
	"cpu":    set("type", "value", "containerName"),
	"memory": set("type", "value", "containerName"),
}

// kedaRequiredMetadata are the keys a trigger type cannot do without.
var kedaRequiredMetadata = map[string][][]string{
	"kafka":  {{"bootstrapServers", "bootstrapServersFromEnv"}, {"consumerGroup", "consumerGroupFromEnv"}},
	"cpu":    {{"value"}},
	"memory": {{"value"}},
}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
