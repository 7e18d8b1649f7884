// Package fix turns findings into edits of the manifests they were read
// from: the safe defaults a person would write, made in the YAML files
// without disturbing anything else in them.
//
// Plan reads the findings of a run and returns typed edits (file, document,
// object, field path, operation, old and new value, the check whose
// finding each resolves) and suggestions; Apply makes edits in files'
// bytes; Fix does both after reading the files, Run after running the
// rules; WriteDiff writes a unified diff. A platform bot can take the edits
// and open pull requests; `aigov fix` prints the diff or writes the files.
//
// The edits, each only where the finding's object calls for it:
//
//   - automount-token: automountServiceAccountToken: false where the pod
//     leaves it unset and mounts no projected service account token (a pod
//     that sets true, or projects a token, says it calls the API);
//   - pod-security-level: allowPrivilegeEscalation: false where a
//     container leaves it unset, "ALL" in capabilities.drop,
//     seccompProfile RuntimeDefault on a pod that sets none, privileged:
//     false, and runAsNonRoot as below;
//   - run-as-non-root: runAsNonRoot: true only where a runAsUser above 0 is
//     in the manifest (on the pod when it covers every container, else on
//     each such container): the image's own user is not in the manifest,
//     and a root image with runAsNonRoot would not start;
//   - privileged-container: privileged: false;
//   - required-labels: the team label copied from the namespace onto a
//     built-in workload (its labels do not reach its pods, so nothing new is
//     selected);
//   - gpu-node-targeting: a toleration of the GPU taint (operator Exists,
//     effect NoSchedule) on a GPU pod, the one the check's mutating policy
//     adds (catalog.GPUTolerationKey: nvidia.com/gpu for every nvidia.com/
//     resource, MIG slices included, else the resource);
//   - rbac-unknown-resource: a subresource written in the plural that the
//     resource serves in the singular (pods/logs → pods/log);
//   - quota-invalid-key, quota-inert-key: the key renamed to the one the
//     quota evaluator enforces (limits.gpu, nvidia.com/gpu →
//     requests.nvidia.com/gpu) when the quota lacks it and its scopes allow
//     it;
//   - kyverno-deprecated-action: spec.validationFailureAction (and its
//     overrides) moved into each validate rule as failureAction (and
//     failureActionOverrides), capitalized, and lowercase actions
//     capitalized.
//
// Pinning an image by digest (model-image-digest, latest-tag) needs the
// digest of the build a person verified: those findings, and those whose
// safe edit does not apply to the object, are suggestions, never edits.
//
// Edits are splices: the field is found in the document's yaml.v3 node tree,
// which gives its line and column, and only its bytes change (a scalar
// replaced, lines inserted after a block, text inserted in a flow
// collection, an entry's lines removed). Comments, key order, quoting,
// indentation and every other line stay byte for byte. Each splice is
// checked: the edited document must decode to exactly the original with
// the one change made; an edit that fails the check (an alias, a block
// scalar, an unusual layout) is refused and reported as a suggestion, and
// the edits of one finding are made together or not at all. JSON files
// are not rewritten: their edits come back as suggestions.
package fix
