package netpol

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

// TestInternetLabel: on examples/multitenant (egress to 0.0.0.0/0 except
// the private ranges) exactly one external endpoint is the internet; text
// names it InternetLabel, JSON and Lookup keep its exact ranges.
func TestInternetLabel(t *testing.T) {
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.Load("../examples/multitenant")
	if err != nil {
		t.Fatal(err)
	}
	g, err := Build(inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var internet []*Endpoint
	for _, e := range g.Endpoints() {
		if e.IsInternet() {
			internet = append(internet, e)
		} else if e.Label() != e.Name {
			t.Errorf("%s: label %q, want its name", e.Name, e.Label())
		}
	}
	if len(internet) != 1 {
		t.Fatalf("internet endpoints: %d, want 1", len(internet))
	}
	e := internet[0]
	if len(e.Ranges) != 6 || e.Label() != InternetLabel || g.Label(e.Name) != InternetLabel {
		t.Fatalf("ranges %v label %q", e.Ranges, e.Label())
	}
	if got, ok := g.Lookup(e.Name); !ok || got != e {
		t.Errorf("Lookup(%q) does not find the internet endpoint", e.Name)
	}
	if got, ok := g.Lookup("8.8.8.8"); !ok || got != e {
		t.Errorf("Lookup(8.8.8.8) = %v, want the internet endpoint", got)
	}

	m := g.Matrix()
	var text bytes.Buffer
	if err := m.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), e.Name) || !strings.Contains(text.String(), "nlp-team/llm-service -> "+InternetLabel+": TCP/443\n") {
		t.Errorf("matrix text does not name the internet:\n%s", text.String())
	}
	js := m.AllPortsDocument(nil)
	if _, ok := js.Connections["cv-team/cv-notebook"][e.Name]; !ok {
		t.Errorf("matrix JSON lost the exact ranges %q", e.Name)
	}
}

// TestLabelRanges: only a range list that leaves out nothing but
// non-public addresses is the internet.
func TestLabelRanges(t *testing.T) {
	for in, want := range map[string]string{
		// The complement of 10/8, 172.16/12, 192.168/16.
		"a -> 0.0.0.0-9.255.255.255,11.0.0.0-172.15.255.255,172.32.0.0-192.167.255.255,192.169.0.0-255.255.255.255: TCP/443": "a -> " + InternetLabel + ": TCP/443",
		"0.0.0.0/0":                 InternetLabel,
		"::/0, x":                   InternetLabel6 + ", x",
		"ns/pod -> 10.0.0.0/8: all": "ns/pod -> 10.0.0.0/8: all",
		// 8.8.8.8 is cut off by another ipBlock: this is not all of the internet.
		"0.0.0.0-8.8.8.7,8.8.8.9-255.255.255.255": "0.0.0.0-8.8.8.7,8.8.8.9-255.255.255.255",
		// Mixed families are two endpoints, never one.
		"0.0.0.0/0,::/0": "0.0.0.0/0,::/0",
		"TCP/80,UDP/53":  "TCP/80,UDP/53",
	} {
		if got := LabelRanges(in); got != want {
			t.Errorf("LabelRanges(%q) = %q, want %q", in, got, want)
		}
	}
}
