// Package internal holds helpers shared by aigov's packages and tests: the
// synthetic cluster generator (internal/gen) and the real control plane for
// differential tests (internal/testenv).
package internal
