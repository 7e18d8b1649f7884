// Package manifest is the YAML and JSON machinery behind governance's
// Loader and Decoder: it cuts files into documents (Split), reads YAML as
// kubectl does (ParseYAML: the block parser for the usual manifest shape,
// go-yaml v2 for the rest), writes the JSON text of a document's tree
// (Writer, bounded against alias bombs and deep nesting), explains typed
// decode errors by field (ExplainDecodeError), finds the line of a field
// (FieldLine) and normalizes empty collections as the apiserver stores them
// (NormalizeEmpty).
//
// It knows nothing of objects, schemes or sources: governance builds those
// from what it returns. It imports only go-yaml, sigs.k8s.io/json and
// internal/redact, so governance stays light to import.
package manifest
