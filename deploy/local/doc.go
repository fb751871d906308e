// Package local holds the tests of the laptop scripts in this folder (services.sh, run.sh and
// the per-service scripts they source); the scripts are the product, the package has no code.
package local
