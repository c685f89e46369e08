// Package bench holds the SDK's performance benchmarks (test files only):
// each benchmark measures an SDK path next to a hand-written net/http
// baseline in the same function, against a loopback httptest server, so
// that the ratio between the two is meaningful even on a noisy machine.
//
// Run them with "make bench"; docs/PERFORMANCE.md explains the figures.
package bench
