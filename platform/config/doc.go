// Package config loads a process's typed configuration: defaults set in code, then a
// YAML file (unknown keys are an error), then DIZHTIME_* environment overrides, then
// validation that names the offending key. Base holds the settings every process shares.
package config
