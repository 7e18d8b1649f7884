package operator

// jobSetKinds lists the supported kinds of this operator (to be filled).
func jobSetKinds() []Kind { return nil }
