package governance

// SchemaVersion is the version of every JSON document aigov writes — the
// check report, the analyzers' documents (netpol matrix, rbac risks, quota
// status, secrets exposure, ...) — each of which carries it as
// "schemaVersion". A change to any of their shapes that a reader could
// notice raises it.
const SchemaVersion = 1
