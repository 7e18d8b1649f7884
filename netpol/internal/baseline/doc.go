// Package baseline compares netpol with a per-pair evaluator, the
// cyclonus matcher library (github.com/mattfenwick/cyclonus/pkg/matcher),
// on the same generated cluster. It is a separate module so that the
// root module never depends on cyclonus; it only has tests:
//
//	cd netpol/internal/baseline
//	go test -run TestAgreesWithCyclonus -v .
//	go test -run '^$' -bench . -benchtime 3x .
//
// cyclonus is only called, never copied. It needs what the apiserver
// would have done (policyTypes and protocol defaulted) and the destination
// pod's name of the probed port; the test supplies both.
package baseline
