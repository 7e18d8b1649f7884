package cel

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FuzzCompile feeds random expressions to the rule compiler: no panic, and
// no compilation that runs away (the bound is a guard against a hang or an
// exponential blow-up, far above any compile time, not a speed target: a
// deeply nested seed takes seconds on a loaded 2-core machine).
func FuzzCompile(f *testing.F) {
	for _, s := range []string{`true`, `object.spec.containers.all(c, has(c.image))`, `isSemver("1.0.0")`,
		`[1,2].map(x, x * 2)`, `"a".matches("(")`, `object.metadata.?labels[?"a"].orValue("")`, `quantity("1Gi").isGreaterThan(quantity("1G"))`,
		`((((((((((1))))))))))`, `a.b.c.d`, `{"a": 1, "b": "x"}`} {
		f.Add(s)
	}
	comp, err := NewCompiler("1.30")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		start := time.Now()
		_, _ = comp.Compile(Rule{Name: "fuzz", Expression: expr})
		if d := time.Since(start); d > slowdown*60*time.Second {
			t.Fatalf("compiling %q took %v", expr, d)
		}
	})
}

// FuzzEvaluate compiles and evaluates random expressions on a Pod: no
// panic, and the cost limits bound the time.
func FuzzEvaluate(f *testing.F) {
	for _, s := range []string{`object.spec.containers.exists(c, c.name == "app")`, `object.metadata.name.size() < 10`,
		`object.spec.containers.all(c, c.image.split("/").size() > 1)`, `[1,2,3].all(a, [1,2,3].all(b, a + b > 0))`} {
		f.Add(s, "app")
	}
	comp, err := NewCompiler("1.37")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr, name string) {
		// A hang never returns to the checks below: the watchdog crashes
		// the worker so that the fuzzer keeps the input.
		watchdog := time.AfterFunc(slowdown*20*time.Second, func() { panic(fmt.Sprintf("compiling and evaluating %q (name %q) hangs", expr, name)) })
		defer watchdog.Stop()
		start := time.Now()
		prog, err := comp.Compile(Rule{Expression: expr})
		if d := time.Since(start); d > slowdown*60*time.Second {
			t.Fatalf("compiling %q took %v", expr, d)
		}
		if err != nil {
			return
		}
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Labels: map[string]string{"a": name}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: name + "/x:1"}}}}
		start = time.Now()
		_ = prog.Evaluate(context.Background(), pod, Input{})
		if d := time.Since(start); d > slowdown*60*time.Second {
			t.Fatalf("evaluating %q took %v", expr, d)
		}
	})
}
