// Package domain holds the notifications model without I/O: notifications and deliveries,
// the template catalog with typed parameters checked when it is loaded, and users'
// settings (opt-outs per category and channel, quiet hours) with the rule that decides
// whether, and when, a message goes out.
package domain
