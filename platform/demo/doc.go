// Package demo is the laptop run's cast: the restaurant owners the demo city's seeded
// restaurants belong to, with ids fixed for good, so the restaurants seeder (which stores
// the owner ids) and identity (which makes their accounts) agree without asking each other.
package demo
