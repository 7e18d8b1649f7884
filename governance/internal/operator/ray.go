package operator

// rayKinds lists the supported kinds of this operator (to be filled).
func rayKinds() []Kind { return nil }
