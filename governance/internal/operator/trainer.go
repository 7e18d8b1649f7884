package operator

// trainerKinds lists the supported kinds of this operator (to be filled).
func trainerKinds() []Kind { return nil }
