// Package secrets answers where credentials leak: provider API keys typed
// into manifests, Secret hygiene, and (with rbac) who can read a given
// Secret.
//
// The scanner is being built (see the project's open issues); today the
// package holds only this documentation.
package secrets
