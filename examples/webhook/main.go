package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/aigov/aigov/examples/webhook/server"
	"github.com/aigov/aigov/governance/cluster"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "webhook:", err)
		stop()
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage error")

// run parses the flags, builds the server and serves until ctx is done.
// onListen, when set, is called with the bound address once the server
// listens (tests pass --addr 127.0.0.1:0).
func run(ctx context.Context, args []string, stderr io.Writer, onListen func(net.Addr)) error {
	fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		addr       = fs.String("addr", ":8443", "address to serve HTTPS on")
		certFile   = fs.String("tls-cert-file", "", "serving certificate (PEM, required)")
		keyFile    = fs.String("tls-private-key-file", "", "serving certificate's private key (PEM, required)")
		policyFile = fs.String("policy", "", "GovernancePolicy file; default: the catalog's default checks")
		timeout    = fs.Duration("timeout", server.DefaultTimeout, "longest time one review may take before it is denied")
		kubeconfig = fs.String("kubeconfig", "", "kubeconfig to read namespace labels with (optional; in a pod, the service account is not used unless this is set)")
		kubeCtx    = fs.String("context", "", "kubeconfig context")
		maxReviews = fs.Int("max-concurrent-reviews", server.DefaultMaxConcurrentReviews(),
			"reviews decoded and evaluated at once; more are answered 429 (the apiserver retries, then applies the failurePolicy)")
		maxRequest  = byteSize(fs, "max-request-bytes", server.MaxRequestBytes, "largest AdmissionReview body; larger ones are answered 413")
		maxInFlight = byteSize(fs, "max-in-flight-bytes", server.DefaultMaxInFlightBytes,
			"bytes of request bodies all requests in flight may hold; beyond it requests are answered 429")
	)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	if *certFile == "" || *keyFile == "" {
		return fmt.Errorf("%w: --tls-cert-file and --tls-private-key-file are required", errUsage)
	}
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		return fmt.Errorf("loading serving certificate: %w", err)
	}
	rules, err := server.PolicyRules(*policyFile)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	opts := server.Options{Rules: rules, Timeout: *timeout, Logger: logger,
		MaxRequestBytes: *maxRequest, MaxConcurrentReviews: *maxReviews, MaxInFlightBytes: *maxInFlight}
	if *kubeconfig != "" {
		cfg, err := cluster.RESTConfig(*kubeconfig, *kubeCtx)
		if err != nil {
			return err
		}
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return err
		}
		opts.Namespaces = namespaceGetter(cs)
	}
	srv, err := server.New(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	logger.Info("serving", "addr", ln.Addr().String(), "rules", len(rules), "timeout", timeout.String(),
		"max-concurrent-reviews", *maxReviews, "max-request-bytes", *maxRequest, "max-in-flight-bytes", *maxInFlight)
	if onListen != nil {
		onListen(ln.Addr())
	}
	return srv.Serve(ctx, ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
}

// byteSize defines a flag holding a byte count, written as a Kubernetes
// quantity (65536, 64Mi, 8M); it must be positive.
func byteSize(fs *flag.FlagSet, name string, value int64, usage string) *int64 {
	p := &value
	fs.Func(name, usage+" (a quantity; default "+resource.NewQuantity(value, resource.BinarySI).String()+")",
		func(s string) error {
			q, err := resource.ParseQuantity(s)
			if err != nil {
				return err
			}
			n, ok := q.AsInt64()
			if !ok || n <= 0 {
				return fmt.Errorf("%q is not a positive whole number of bytes", s)
			}
			*p = n
			return nil
		})
	return p
}

// namespaceGetter reads a Namespace from the cluster; one that does not
// exist (yet) is unknown, not an error.
func namespaceGetter(cs kubernetes.Interface) server.NamespaceGetter {
	return func(ctx context.Context, name string) (*corev1.Namespace, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ns, err := cs.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return ns, err
	}
}
