// Package examples holds runnable programs and the bundled example platform
// (examples/multitenant) that the README's main job runs on.
package examples
