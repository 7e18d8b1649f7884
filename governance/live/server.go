package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/cluster"
)

// Options configure a Server. Only Config and Rules are required.
type Options struct {
	// Config is the client configuration (cluster.RESTConfig builds one
	// from a kubeconfig, rest.InClusterConfig in a pod).
	Config *rest.Config
	// Rules are what the engine runs (policyset.Rules).
	Rules []governance.Rule
	// Extra adds resources to watch besides cluster.DefaultResources.
	Extra []schema.GroupVersionResource
	// Rediscover is how often discovery is asked again for the resources
	// to watch that the server did not serve before, an operator's CRDs
	// installed after the start; 0 is 1 minute, negative never.
	Rediscover time.Duration
	// ReprobeMin and ReprobeMax bound the exponential backoff with which
	// a resource that could not be kept (forbidden, its discovery failed)
	// is tried again; 0 is 10 s and 5 minutes.
	ReprobeMin, ReprobeMax time.Duration

	// Reports selects the report API; "" is ReportsOpenReports.
	Reports ReportFormat
	// MaxResultsPerReport bounds one report's results (the least severe
	// are left out and counted in an annotation); 0 is 2000.
	MaxResultsPerReport int
	// WriteQPS and WriteBurst bound the report writes per second; 0 is 5
	// and 10.
	WriteQPS   float32
	WriteBurst int
	// Rewrite is how often every report is written again even if
	// unchanged, so that one someone deleted or edited comes back; 0 is
	// 10 minutes.
	Rewrite time.Duration

	// Debounce is the quiet period after a change before an evaluation;
	// 0 is 500 ms. MaxDelay bounds the wait from the first unevaluated
	// change however busy the cluster is; 0 is 2 s. Together with an
	// evaluation and the writes they keep reports within 5 s of a change.
	Debounce time.Duration
	MaxDelay time.Duration

	// HealthAddr serves /healthz and /readyz, MetricsAddr /metrics; the
	// same address serves both; "" serves neither (Handler still does).
	HealthAddr  string
	MetricsAddr string

	// WebhookAddr serves the validating admission webhook (/validate)
	// with TLS from TLSCertFile and TLSKeyFile; "" serves none. Every
	// replica serves it, leader or not, from its own evaluation; its
	// latency and verdicts are in /metrics.
	WebhookAddr             string
	TLSCertFile, TLSKeyFile string
	// WebhookTimeout bounds one review (the apiserver's timeout, when
	// shorter, wins); 0 is 10 s. WebhookFailOpen admits, with a warning,
	// a request whose review fails or times out (including before the
	// first evaluation) instead of denying it; set it with failurePolicy
	// Ignore.
	WebhookTimeout  time.Duration
	WebhookFailOpen bool

	// LeaderElect makes only the leader among replicas write reports
	// (every replica evaluates). The lock is the Lease
	// LeaderElectionNamespace/LeaderElectionName; defaults: the pod's
	// namespace (else "default") and "aigov".
	LeaderElect             bool
	LeaderElectionNamespace string
	LeaderElectionName      string
	// Identity names this replica in the Lease; "" is the host name and a
	// random suffix.
	Identity string
	// LeaseDuration, RenewDeadline and RetryPeriod are client-go's leader
	// election timings; 0 is 15 s, 10 s and 2 s.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration

	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.Reports == "" {
		o.Reports = ReportsOpenReports
	}
	setDefault(&o.MaxResultsPerReport, 2000)
	setDefault(&o.WriteQPS, 5)
	setDefault(&o.WriteBurst, 10)
	setDefault(&o.Rewrite, 10*time.Minute)
	setDefault(&o.Debounce, 500*time.Millisecond)
	setDefault(&o.MaxDelay, 2*time.Second)
	setDefault(&o.Rediscover, time.Minute)
	setDefault(&o.ReprobeMin, 10*time.Second)
	setDefault(&o.ReprobeMax, 5*time.Minute)
	setDefault(&o.LeaderElectionName, "aigov")
	setDefault(&o.WebhookTimeout, webhookTimeoutDefault)
	setDefault(&o.LeaseDuration, 15*time.Second)
	setDefault(&o.RenewDeadline, 10*time.Second)
	setDefault(&o.RetryPeriod, 2*time.Second)
	if o.LeaderElectionNamespace == "" {
		o.LeaderElectionNamespace = podNamespace()
	}
	if o.Identity == "" {
		host, _ := os.Hostname()
		o.Identity = host + "_" + randomSuffix()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// randomSuffix keeps two replicas on one host apart in the Lease.
func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// podNamespace is the namespace of the pod the server runs in, from the
// service account mount, else "default".
func podNamespace() string {
	b, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
	if ns := strings.TrimSpace(string(b)); err == nil && ns != "" {
		return ns
	}
	return "default"
}

// Snapshot is the result of one evaluation.
type Snapshot struct {
	// Generation counts evaluations, from 1.
	Generation int
	// At is when the evaluation finished.
	At       time.Time
	Findings []governance.Finding
	// Objects is the inventory's size.
	Objects int
	// Degraded are the kinds that could not be read.
	Degraded []governance.Degradation
	// InputErrors are the cluster objects that did not decode.
	InputErrors governance.ErrorList

	// inventory and pass are what the findings were computed from, kept
	// as the base of admission reviews (read-only from then on).
	inventory *governance.Inventory
	pass      *governance.Pass
}

// Server keeps findings and reports current. Make one with New and start
// it with Run.
type Server struct {
	opts    Options
	host    string
	dynamic dynamic.Interface
	writes  dynamic.Interface
	core    kubernetes.Interface
	engine  *governance.Engine
	api     reportAPI
	log     *slog.Logger
	metrics *metrics
	changes *changes
	decoded *decodedCache // used by the evaluation goroutine only
	// evaluator keeps what an evaluation needs of the last one; used by
	// the evaluation goroutine only.
	evaluator *evaluator
	admitter  *admitter
	wanted    []schema.GroupVersionResource

	// resMu guards watched, degraded, retry and starting: the re-probe
	// loop changes them while evaluations and scrapes read them.
	resMu    sync.Mutex
	watched  []*watched
	degraded []governance.Degradation // sorted
	retry    map[string]*backoff      // of the degraded resources, by name
	starting map[string]bool          // readable again, informer not synced yet

	ready    atomic.Bool
	leader   atomic.Bool
	snapshot atomic.Pointer[Snapshot]
	// published wakes the report writer; capacity 1.
	published chan struct{}
	mu        sync.Mutex // guards running
	running   bool
}

// New checks the options and builds the clients and the engine; it does
// not talk to the server.
func New(opts Options) (*Server, error) {
	if opts.Config == nil {
		return nil, errors.New("live: Options.Config is required")
	}
	opts.defaults()
	if _, err := ParseReportFormat(string(opts.Reports)); err != nil {
		return nil, fmt.Errorf("live: reports: %w", err)
	}
	if opts.WebhookAddr != "" && (opts.TLSCertFile == "" || opts.TLSKeyFile == "") {
		return nil, errors.New("live: the webhook needs TLSCertFile and TLSKeyFile (the apiserver calls webhooks over HTTPS only)")
	}
	engine, err := governance.NewEngine(opts.Rules...)
	if err != nil {
		return nil, err
	}
	cfg := rest.CopyConfig(opts.Config)
	if cfg.QPS == 0 && cfg.Burst == 0 {
		// The start probes ~30 resources twice; client-go's default of
		// 5 per second would make that take seconds.
		cfg.QPS, cfg.Burst = 50, 100
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("live: client: %w", err)
	}
	core, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("live: client: %w", err)
	}
	writeCfg := rest.CopyConfig(cfg)
	writeCfg.QPS, writeCfg.Burst = opts.WriteQPS, opts.WriteBurst
	writes, err := dynamic.NewForConfig(writeCfg)
	if err != nil {
		return nil, fmt.Errorf("live: client: %w", err)
	}
	api, _ := apiOf(opts.Reports)
	decoded, err := newDecodedCache()
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	s := &Server{opts: opts, host: cfg.Host, dynamic: dyn, writes: writes, core: core, engine: engine, api: api,
		log: opts.Logger, metrics: newMetrics(), changes: newChanges(), decoded: decoded, published: make(chan struct{}, 1),
		wanted: append(cluster.DefaultResources(), opts.Extra...), retry: map[string]*backoff{}, starting: map[string]bool{}}
	if s.admitter, err = newAdmitter(engine, s.Snapshot, s.log); err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	s.evaluator = newEvaluator(cfg.Host, engine, s.admitter.relevance, decoded)
	s.metrics.resources = s.resourceStates
	s.metrics.pending = func() time.Duration {
		first, _ := s.changes.times()
		if first.IsZero() {
			return 0
		}
		return time.Since(first)
	}
	return s, nil
}

// Run is New(opts) then Server.Run.
func Run(ctx context.Context, opts Options) error {
	s, err := New(opts)
	if err != nil {
		return err
	}
	return s.Run(ctx)
}

// Ready reports whether every informer has synced and the first evaluation
// is done.
func (s *Server) Ready() bool { return s.ready.Load() }

// Leader reports whether this server writes the reports now.
func (s *Server) Leader() bool { return s.leader.Load() }

// Snapshot returns the latest evaluation, or nil before the first.
func (s *Server) Snapshot() *Snapshot { return s.snapshot.Load() }

// Handler serves /healthz (the process is up), /readyz (200 once Ready)
// and /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.Ready() {
			http.Error(w, "informers not synced yet", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		if err := s.metrics.write(w); err != nil {
			s.log.Warn("writing metrics", "err", err)
		}
	})
	return mux
}

// Run discovers and probes the resources, starts the informers, waits for
// their first sync, evaluates, and from then on re-evaluates after changes
// and (as leader, with reports on) writes reports, until ctx ends. It
// returns nil when ctx ends, else the error that stopped it.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("live: Server.Run called twice")
	}
	s.running = true
	s.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	// failed holds the first error of a goroutine (an HTTP listener, the
	// report writer), which stops the server.
	var failed atomic.Pointer[error]
	errc := make(chan error, 4)
	go func() {
		select {
		case err := <-errc:
			failed.CompareAndSwap(nil, &err)
			cancel()
		case <-ctx.Done():
		}
	}()
	stopped := func(err error) error {
		if p := failed.Load(); p != nil {
			return *p
		}
		return err
	}
	if err := s.serveHTTP(ctx, errc); err != nil {
		return err
	}
	if err := s.serveWebhook(ctx, errc); err != nil {
		return err
	}
	if err := s.start(ctx); err != nil {
		return stopped(err)
	}
	if err := s.waitForSync(ctx); err != nil {
		return stopped(nilIfDone(ctx, err))
	}
	s.evaluate()
	s.ready.Store(true)
	s.metrics.setReady()
	watchedNow, degradedNow := s.resources()
	s.log.Info("ready", "resources", len(watchedNow), "degraded", len(degradedNow))
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.rediscover(ctx)
	}()

	if s.opts.Reports != ReportsNone {
		if err := s.checkReportAPI(); err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.writeReports(ctx); err != nil {
				errc <- err
			}
		}()
	}
	for {
		if err := s.waitForChanges(ctx); err != nil {
			return stopped(nil)
		}
		s.evaluate()
	}
}

// nilIfDone is nil when ctx ended (a stop, not a failure), else err.
func nilIfDone(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// serveHTTP listens on the health and metrics addresses.
func (s *Server) serveHTTP(ctx context.Context, errc chan<- error) error {
	addrs := map[string]bool{}
	for _, a := range []string{s.opts.HealthAddr, s.opts.MetricsAddr} {
		if a != "" {
			addrs[a] = true
		}
	}
	for addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("live: listening on %s: %w", addr, err)
		}
		srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("live: serving %s: %w", addr, err)
			}
		}()
		go func() {
			<-ctx.Done()
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(shutdown)
		}()
	}
	return nil
}

// start discovers what the server serves, probes each resource and starts
// an informer for each readable one.
func (s *Server) start(ctx context.Context) error {
	dc, err := discovery.NewDiscoveryClientForConfig(s.discoveryConfig())
	if err != nil {
		return fmt.Errorf("live: discovery client: %w", err)
	}
	served, degraded, err := servedResources(ctx, dc, s.host, s.wanted)
	if err != nil {
		return fmt.Errorf("live: %w", err)
	}
	var ws []*watched
	for _, r := range served {
		reason, err := probe(ctx, s.dynamic, s.host, r)
		if err != nil {
			return fmt.Errorf("live: %w", err)
		}
		if reason != "" {
			// Tried again with backoff (rediscover) until readable.
			degraded = append(degraded, governance.Degradation{Resource: r.name(), Reason: reason})
			s.log.Warn("cannot keep a resource; the inventory has none of its objects", "resource", r.name(), "reason", reason)
			continue
		}
		w := &watched{resource: r}
		if err := newInformer(s.dynamic, w, s.notify, s.forbidden); err != nil {
			return fmt.Errorf("live: %w", err)
		}
		ws = append(ws, w)
	}
	sortDegraded(degraded)
	now := time.Now()
	s.resMu.Lock()
	s.watched, s.degraded = ws, degraded
	for _, d := range degraded {
		s.retry[d.Resource] = &backoff{delay: s.opts.ReprobeMin, next: now.Add(s.opts.ReprobeMin)}
	}
	s.resMu.Unlock()
	for _, w := range ws {
		ictx, stop := context.WithCancel(ctx)
		w.stop = stop // reconcile stops it when the resource is no longer served
		go w.informer.RunWithContext(ictx)
	}
	return nil
}

// resources returns the watched resources and the degraded ones now.
func (s *Server) resources() ([]*watched, []governance.Degradation) {
	s.resMu.Lock()
	defer s.resMu.Unlock()
	return slices.Clone(s.watched), slices.Clone(s.degraded)
}

func (s *Server) discoveryConfig() *rest.Config {
	cfg := rest.CopyConfig(s.opts.Config)
	if cfg.QPS == 0 && cfg.Burst == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	return cfg
}

func (s *Server) waitForSync(ctx context.Context) error {
	ws, _ := s.resources()
	synced := make([]cache.InformerSynced, len(ws))
	for i, w := range ws {
		synced[i] = w.informer.HasSynced
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return errors.New("live: informers did not sync")
	}
	return nil
}

// notify records an informer event.
func (s *Server) notify(w *watched, obj any) {
	now := time.Now()
	w.lastEvent.Store(now.UnixNano())
	if w.lost.Load() != nil {
		// Events flow again: the watch is allowed again and the cache
		// relisted; its objects come back into the inventory at once.
		w.lost.Store(nil)
		s.log.Info("resource readable again", "resource", w.name())
		s.changes.add(change{gvr: w.name()}, now)
	}
	s.changes.add(change{gvr: w.name(), namespace: namespaceOf(obj), key: storeKey(obj)}, now)
}

// forbidden records that a resource's watch became forbidden.
func (s *Server) forbidden(w *watched, err error) {
	reason := readForbidden
	if w.lost.Swap(&reason) == nil {
		s.log.Warn("resource no longer readable; the inventory has none of its objects", "resource", w.name(), "err", err)
		s.changes.add(change{gvr: w.name()}, time.Now())
	}
}

// waitForChanges waits for a change, then for a quiet period of Debounce
// or until MaxDelay after the first change, whichever comes first.
func (s *Server) waitForChanges(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.changes.wake:
		}
		first, last := s.changes.times()
		if first.IsZero() {
			continue // taken by an evaluation already
		}
		for {
			deadline := last.Add(s.opts.Debounce)
			if latest := first.Add(s.opts.MaxDelay); latest.Before(deadline) {
				deadline = latest
			}
			wait := time.Until(deadline)
			if wait <= 0 {
				return nil
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			_, last = s.changes.times()
		}
	}
}

// evaluate re-evaluates after the changes recorded since the last
// evaluation: incrementally (see evaluator), the first time and after
// changes of the watched set in full.
func (s *Server) evaluate() {
	first, set := s.changes.take()
	start := time.Now()
	ws, degraded := s.resources()
	ev, err := s.evaluator.run(ws, degraded, set)
	if err != nil {
		s.log.Error("evaluating", "err", err)
		return
	}
	inv, findings, inputErrs := ev.inv, ev.findings, ev.inputErrs
	now := time.Now()
	var sinceChange time.Duration
	if !first.IsZero() {
		sinceChange = now.Sub(first)
	}
	prev := s.snapshot.Load()
	gen := 1
	if prev != nil {
		gen = prev.Generation + 1
	}
	s.snapshot.Store(&Snapshot{Generation: gen, At: now, Findings: findings, Objects: inv.Len(),
		Degraded: inv.Degraded, InputErrors: inputErrs, inventory: inv, pass: ev.pass})
	s.metrics.evaluated(findings, inv.Len(), len(inputErrs), now.Sub(start), sinceChange)
	if len(inputErrs) > 0 {
		s.log.Warn("cluster objects that do not decode are left out", "count", len(inputErrs), "first", inputErrs[0].Error())
	}
	s.log.Debug("evaluated", "generation", gen, "objects", inv.Len(), "findings", len(findings), "full", ev.full, "took", now.Sub(start))
	select {
	case s.published <- struct{}{}:
	default:
	}
}

// resourceStates is what the metrics say about each resource.
func (s *Server) resourceStates() []resourceState {
	ws, degraded := s.resources()
	var out []resourceState
	for _, w := range ws {
		st := resourceState{name: w.name(), synced: w.informer.HasSynced()}
		if ns := w.lastEvent.Load(); ns > 0 {
			st.lastEvent = time.Unix(0, ns)
		}
		if r := w.lost.Load(); r != nil {
			st.degraded = *r
		}
		out = append(out, st)
	}
	for _, d := range degraded {
		out = append(out, resourceState{name: d.Resource, degraded: d.Reason})
	}
	return out
}

// checkReportAPI fails early, with what to do, when the report kinds are
// not served.
func (s *Server) checkReportAPI() error {
	dc, err := discovery.NewDiscoveryClientForConfig(s.discoveryConfig())
	if err != nil {
		return fmt.Errorf("live: discovery client: %w", err)
	}
	gv := s.api.namespaced.GroupVersion().String()
	list, err := dc.ServerResourcesForGroupVersion(gv)
	if err != nil {
		return fmt.Errorf("live: the server does not serve %s (install its CRDs: kubectl apply -f deploy/crds for OpenReports): %w", gv, err)
	}
	have := map[string]bool{}
	for _, r := range list.APIResources {
		have[r.Name] = true
	}
	for _, gvr := range []schema.GroupVersionResource{s.api.namespaced, s.api.cluster} {
		if !have[gvr.Resource] {
			return fmt.Errorf("live: the server does not serve %s (install its CRD)", resourceName(gvr))
		}
	}
	return nil
}

// writeReports writes reports while this server leads (always, without
// leader election).
func (s *Server) writeReports(ctx context.Context) error {
	if !s.opts.LeaderElect {
		s.lead(ctx)
		return nil
	}
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: s.opts.LeaderElectionNamespace, Name: s.opts.LeaderElectionName},
		Client:     s.core.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: s.opts.Identity},
	}
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   s.opts.LeaseDuration,
		RenewDeadline:   s.opts.RenewDeadline,
		RetryPeriod:     s.opts.RetryPeriod,
		ReleaseOnCancel: true,
		Name:            s.opts.LeaderElectionName,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: s.lead,
			OnStoppedLeading: func() { s.log.Info("stopped leading", "identity", s.opts.Identity) },
		},
	})
	if err != nil {
		return fmt.Errorf("live: leader election: %w", err)
	}
	// A replica that loses the lease campaigns again: it keeps
	// evaluating meanwhile, so it can take over at once.
	for ctx.Err() == nil {
		le.Run(ctx)
	}
	return nil
}

// lead writes reports until ctx ends: at once, after every evaluation, and
// all of them again every Rewrite.
func (s *Server) lead(ctx context.Context) {
	s.leader.Store(true)
	s.metrics.setLeader(true)
	defer func() {
		s.leader.Store(false)
		s.metrics.setLeader(false)
	}()
	s.log.Info("writing reports", "format", string(s.opts.Reports), "identity", s.opts.Identity)
	w := newWriter(s.writes, s.api, s.log, s.metrics)
	b := newReportBuilder(s.api, s.opts.MaxResultsPerReport)
	rewrite := time.NewTicker(s.opts.Rewrite)
	defer rewrite.Stop()
	retry := time.NewTimer(0)
	defer retry.Stop()
	var written int // generation written
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.published:
		case <-retry.C:
		case <-rewrite.C:
			w.forget()
			written = 0
		}
		snap := s.Snapshot()
		if snap == nil || snap.Generation == written {
			continue
		}
		want, err := b.build(snap.Findings, snap.Degraded, snap.At)
		if err == nil {
			err = w.sync(ctx, want)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Error("writing reports; retrying", "err", err)
			w.forget()
			retry.Reset(time.Second)
			continue
		}
		written = snap.Generation
	}
}
