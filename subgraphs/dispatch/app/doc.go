// Package app holds dispatch's use cases: matching an accepted order to a driver, and
// the driver commands (online, offline, location, offer replies, delivery progress).
package app
