package governance

import (
	"errors"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// InputError is a problem with one input document: it names the file, the
// document and the line, and wraps the cause.
type InputError struct {
	Source Source
	Err    error
}

func (e *InputError) Error() string { return e.Source.String() + ": " + e.Err.Error() }

func (e *InputError) Unwrap() error { return e.Err }

// ErrorList collects every input error of a load, so that all of them are
// reported together.
type ErrorList []*InputError

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the errors, so that errors.As finds, say, a *FieldError.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// IsInputError reports whether err is (or wraps) an input error: the CLI maps
// those to exit code 2.
func IsInputError(err error) bool {
	var one *InputError
	var many ErrorList
	return errors.As(err, &one) || errors.As(err, &many)
}

func accessor(obj runtime.Object) (metav1.Object, error) { return meta.Accessor(obj) }
