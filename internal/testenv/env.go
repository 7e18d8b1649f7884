package testenv

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Controllers run by kube-controller-manager.
const controllers = "clusterrole-aggregation-controller,serviceaccount-controller,serviceaccount-token-controller," +
	"resourcequota-controller,namespace-controller,garbage-collector-controller"

// Timeouts of the start sequence (each step is also bounded by Start's ctx).
const (
	etcdReadyTimeout      = 60 * time.Second
	apiserverReadyTimeout = 3 * time.Minute
	kcmReadyTimeout       = 2 * time.Minute
	stopGrace             = 20 * time.Second
)

// AdminUser and AdminGroup are the identity of Env.Config.
const (
	AdminUser  = "aigov-admin"
	AdminGroup = "system:masters"
)

// Env is a running control plane: etcd, kube-apiserver and
// kube-controller-manager on loopback.
type Env struct {
	// Config is an admin client config (a bearer token of a system:masters
	// user; TLS verified against the apiserver's self-signed serving CA).
	// Treat it as read-only; use rest.CopyConfig to change it.
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file holding the same admin
	// credentials (for kubectl or other tools).
	Kubeconfig string
	// DataDir holds etcd's data, certificates, keys and the process logs
	// (etcd.log, kube-apiserver.log, kube-controller-manager.log).
	DataDir string
	// Version is the Kubernetes version the binaries were built from.
	Version string

	procs []*process // in start order

	stopOnce sync.Once

	clientOnce sync.Once
	clientset  kubernetes.Interface
	dynClient  dynamic.Interface
	mapper     *restmapper.DeferredDiscoveryRESTMapper
	clientErr  error

	buildDuration time.Duration // non-zero when Start built the binaries
	startDuration time.Duration // from the first process start to ready
}

// process is one child process of the control plane.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	logFile *os.File
	done    chan struct{} // closed when the process has exited
	waitErr error
}

// Start builds (or reuses) the binaries and starts a fresh control plane
// with its own temporary data directory. It returns when the apiserver is
// ready and kube-controller-manager has created the "default"
// ServiceAccount of namespace default. The caller must call Stop.
func Start(ctx context.Context) (*Env, error) {
	b, buildDuration, err := ensureBinaries(ctx, logStderr)
	if err != nil {
		return nil, fmt.Errorf("building the control plane binaries: %w", err)
	}
	cleanStaleDataDirs()

	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		env, err := start(ctx, b)
		if err == nil {
			env.buildDuration = buildDuration
			return env, nil
		}
		lastErr = err
		// Another process may have taken a port between picking and binding it.
		if ctx.Err() != nil || !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	return nil, lastErr
}

func logStderr(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

func start(ctx context.Context, b *buildInfo) (_ *Env, err error) {
	dir, err := os.MkdirTemp("", dataDirPrefix)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	env := &Env{DataDir: dir, Version: b.version}
	defer func() {
		if err != nil {
			// A process that is not ready yet may not handle SIGTERM promptly.
			env.stop(2 * time.Second)
		}
	}()

	ports, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	etcdClient, etcdPeer, apiPort, kcmPort := ports[0], ports[1], ports[2], ports[3]
	began := time.Now()

	// etcd.
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", etcdClient)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPeer)
	etcd, err := env.startProcess(b.path(binEtcd), binEtcd,
		"--name=testenv",
		"--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL,
		"--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL,
		"--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=testenv="+peerURL,
		"--initial-cluster-state=new",
		"--unsafe-no-fsync=true",
		"--logger=zap",
		"--log-level=warn",
	)
	if err != nil {
		return nil, err
	}
	plain := &http.Client{Timeout: 5 * time.Second}
	if err := waitReady(ctx, etcd, etcdReadyTimeout, func(ctx context.Context) error {
		return httpOK(ctx, plain, etcdURL+"/health", `"health":"true"`)
	}); err != nil {
		return nil, err
	}

	// kube-apiserver.
	keyFile := filepath.Join(dir, "sa.key")
	if err := writeRSAKey(keyFile); err != nil {
		return nil, err
	}
	token := randomHex(24)
	tokenFile := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(fmt.Sprintf("%s,%s,%s-uid,%q\n", token, AdminUser, AdminUser, AdminGroup)), 0o600); err != nil {
		return nil, err
	}
	certDir := filepath.Join(dir, "apiserver-certs")
	api, err := env.startProcess(b.path(binAPIServer), binAPIServer,
		"--etcd-servers="+etcdURL,
		"--secure-port="+strconv.Itoa(apiPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--cert-dir="+certDir,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+keyFile,
		"--service-account-signing-key-file="+keyFile,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=RBAC",
		"--token-auth-file="+tokenFile,
		"--allow-privileged=true",
		"--profiling=false",
		"--v=1",
	)
	if err != nil {
		return nil, err
	}
	host := fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	var cfg *rest.Config
	if err := waitReady(ctx, api, apiserverReadyTimeout, func(ctx context.Context) error {
		if cfg == nil {
			// The apiserver writes its self-signed serving certificate (and
			// the CA that signed it) before it listens.
			caData, err := os.ReadFile(filepath.Join(certDir, "apiserver.crt"))
			if err != nil {
				return err
			}
			cfg = &rest.Config{
				Host:            host,
				BearerToken:     token,
				TLSClientConfig: rest.TLSClientConfig{CAData: caData},
				QPS:             200,
				Burst:           400,
				Timeout:         30 * time.Second,
			}
		}
		hc, err := rest.HTTPClientFor(cfg)
		if err != nil {
			return err
		}
		hc.Timeout = 5 * time.Second
		return httpOK(ctx, hc, host+"/readyz", "ok")
	}); err != nil {
		return nil, err
	}
	env.Config = cfg

	env.Kubeconfig = filepath.Join(dir, "admin.kubeconfig")
	if err := writeKubeconfig(env.Kubeconfig, cfg); err != nil {
		return nil, err
	}

	// kube-controller-manager.
	kcm, err := env.startProcess(b.path(binKCM), binKCM,
		"--kubeconfig="+env.Kubeconfig,
		"--authentication-kubeconfig="+env.Kubeconfig,
		"--authorization-kubeconfig="+env.Kubeconfig,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(kcmPort),
		"--controllers="+controllers,
		"--service-account-private-key-file="+keyFile,
		"--use-service-account-credentials=false",
		"--profiling=false",
		"--v=1",
	)
	if err != nil {
		return nil, err
	}
	// kube-controller-manager serves a self-signed certificate it keeps in
	// memory; this loopback health probe does not verify it.
	insecure := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback health probe
	}}
	if err := env.initClients(); err != nil {
		return nil, err
	}
	kcmURL := fmt.Sprintf("https://127.0.0.1:%d/healthz", kcmPort)
	if err := waitReady(ctx, kcm, kcmReadyTimeout, func(ctx context.Context) error {
		if err := httpOK(ctx, insecure, kcmURL, "ok"); err != nil {
			return err
		}
		// The serviceaccount controller is running once namespace default
		// has its ServiceAccount.
		_, err := env.clientset.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		return err
	}); err != nil {
		return nil, err
	}
	env.startDuration = time.Since(began)
	return env, nil
}

// startProcess starts a binary with its output appended to DataDir/<name>.log.
//
// The child is started from a goroutine locked to its OS thread that stays
// alive until the child exits: Pdeathsig fires when the starting thread dies,
// so the thread must not be recycled while the child runs.
func (e *Env) startProcess(path, name string, args ...string) (*process, error) {
	logPath := filepath.Join(e.DataDir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logFile, "# %s %s\n", path, strings.Join(args, " "))
	cmd := exec.Command(path, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Dir = e.DataDir
	setProcAttr(cmd)
	p := &process{name: name, cmd: cmd, logPath: logPath, logFile: logFile, done: make(chan struct{})}

	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the thread exits with this goroutine, after the child.
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	e.procs = append(e.procs, p)
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to grace, then kills.
func (p *process) stop(grace time.Duration) {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	p.logFile.Close()
}

// failure describes a process that did not become ready, with its log tail.
func (p *process) failure(what string) error {
	return fmt.Errorf("%s; last lines of %s:\n%s", what, p.logPath, tailFile(p.logPath, 30))
}

// waitReady polls probe until it succeeds, the process exits, the timeout
// passes or ctx ends.
func waitReady(parent context.Context, p *process, timeout time.Duration, probe func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if p.exited() {
			return p.failure(fmt.Sprintf("%s exited before it was ready (%v)", p.name, p.waitErr))
		}
		if last = probe(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			if err := parent.Err(); err != nil {
				return fmt.Errorf("%s not ready: %w", p.name, err)
			}
			return p.failure(fmt.Sprintf("%s not ready after %s (last probe: %v)", p.name, timeout, last))
		case <-p.done:
		case <-tick.C:
		}
	}
}

// httpOK GETs url and checks for status 200 and a body containing want.
func httpOK(ctx context.Context, c *http.Client, url, want string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// Stop terminates the control plane (SIGTERM, then SIGKILL after about 20
// seconds) and removes the data directory unless AIGOV_TESTENV_KEEP=1. It is
// safe to call more than once.
func (e *Env) Stop() {
	e.stop(stopGrace)
}

func (e *Env) stop(grace time.Duration) {
	if e == nil {
		return
	}
	e.stopOnce.Do(func() {
		// kube-controller-manager and kube-apiserver together, then etcd.
		var wg sync.WaitGroup
		var etcd *process
		for _, p := range e.procs {
			if p.name == binEtcd {
				etcd = p
				continue
			}
			wg.Add(1)
			go func(p *process) {
				defer wg.Done()
				p.stop(grace)
			}(p)
		}
		wg.Wait()
		if etcd != nil {
			etcd.stop(grace)
		}
		if os.Getenv("AIGOV_TESTENV_KEEP") == "1" {
			logStderr("testenv: AIGOV_TESTENV_KEEP=1: keeping %s", e.DataDir)
			return
		}
		_ = os.RemoveAll(e.DataDir)
	})
}

// Logs returns the last n lines of a control-plane process's log:
// "etcd", "kube-apiserver" or "kube-controller-manager".
func (e *Env) Logs(name string, n int) string {
	return tailFile(filepath.Join(e.DataDir, name+".log"), n)
}

// initClients makes the admin clientset, dynamic client and RESTMapper once.
func (e *Env) initClients() error {
	e.clientOnce.Do(func() {
		cfg := rest.CopyConfig(e.Config)
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			e.clientErr = err
			return
		}
		dyn, err := dynamic.NewForConfig(cfg)
		if err != nil {
			e.clientErr = err
			return
		}
		e.clientset = cs
		e.dynClient = dyn
		e.mapper = restmapper.NewDeferredDiscoveryRESTMapper(newMemCache(cs))
	})
	return e.clientErr
}

// freePorts returns n distinct free loopback ports. All listeners are held
// until every port is picked, then closed for the processes to bind.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func writeRSAKey(path string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return os.WriteFile(path, data, 0o600)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func writeKubeconfig(path string, cfg *rest.Config) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["testenv"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: cfg.BearerToken}
	kc.Contexts["testenv"] = &clientcmdapi.Context{Cluster: "testenv", AuthInfo: "admin", Namespace: metav1.NamespaceDefault}
	kc.CurrentContext = "testenv"
	return clientcmd.WriteToFile(*kc, path)
}

// dataDirPrefix names the data directories under os.TempDir().
const dataDirPrefix = "aigov-testenv-"

// cleanStaleDataDirs removes data directories left by test binaries that
// were killed (their processes died with them through Pdeathsig).
func cleanStaleDataDirs() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), dataDirPrefix+"*"))
	for _, dir := range matches {
		data, err := os.ReadFile(filepath.Join(dir, "pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if !processAlive(pid) {
			_ = os.RemoveAll(dir)
		}
	}
}
