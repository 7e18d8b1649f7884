package operator

// lwsKinds lists the supported kinds of this operator (to be filled).
func lwsKinds() []Kind { return nil }
