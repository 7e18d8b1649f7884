package operator

// kubeflowKinds lists the supported kinds of this operator (to be filled).
func kubeflowKinds() []Kind { return nil }
