package operator

// kserveKinds lists the supported kinds of this operator (to be filled).
func kserveKinds() []Kind { return nil }
