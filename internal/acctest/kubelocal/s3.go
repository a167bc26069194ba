package kubelocal

// A local S3-compatible server: versitygw (github.com/versity/versitygw, a
// Go S3 gateway on a directory) on 127.0.0.1, the backup location of the
// local cluster's agent. Built once from the nested module tools/s3bin
// into the cache, like the control plane.
//
// versitygw rather than MinIO's server: versitygw is Apache-2.0 (MinIO's
// server is AGPL-3.0), builds here from its pinned module version as a
// plain Go command, and serves the S3 API (buckets, objects, listing,
// multipart, SigV4) from a plain directory, which is all the agent needs.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

const (
	// S3Version is the versitygw version tools/s3bin pins.
	S3Version = "v1.8.0"
	// S3Region is the region the server answers for.
	S3Region = "us-east-1"
	// EnvS3binDir overrides where the tools/s3bin module is found.
	EnvS3binDir = "PALETTE_S3BIN_DIR"

	s3StateFile  = "s3.json"
	s3HealthPath = "/health"
)

// S3CacheDir is where versitygw is built:
// ~/.cache/terraform-provider-palette/versitygw/v1.8.0 (next to the
// control plane's directory, or $PALETTE_KUBE_CACHE/../versitygw).
func S3CacheDir() string {
	return filepath.Join(filepath.Dir(filepath.Dir(CacheDir())), "versitygw", S3Version)
}

// S3Binary is the path of the versitygw executable in the cache.
func S3Binary() string { return filepath.Join(S3CacheDir(), "versitygw") }

// EnsureS3Binary returns versitygw, building it first when it is missing
// (about 3 minutes on 2 cores, once).
func EnsureS3Binary(ctx context.Context, logf Logf) (string, error) {
	bin := S3Binary()
	present := func() bool { return isExecutable(bin) }
	if present() {
		return bin, nil
	}
	src, err := toolsModuleDir("s3bin", EnvS3binDir)
	if err != nil {
		return "", err
	}
	targets := []buildTarget{{out: "versitygw", pkg: "github.com/versity/versitygw/cmd/versitygw", ldflags: "-s -w"}}
	if err := ensureBuilt(ctx, logf, "S3 server versitygw "+S3Version, S3CacheDir(), src, targets, present); err != nil {
		return "", err
	}
	if !present() {
		return "", errors.New("kubelocal: build finished but versitygw is missing")
	}
	return bin, nil
}

// S3 is a running S3 server, persisted to DIR/s3.json (mode 0600: it holds
// the root credentials).
type S3 struct {
	// Endpoint is http://127.0.0.1:PORT.
	Endpoint  string `json:"endpoint"`
	Region    string `json:"region"`
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"`
	// Dir holds the buckets (data/), their metadata (meta/), the log and
	// the state.
	Dir string `json:"dir"`
	PID int    `json:"pid"`
}

// S3Options configure StartS3.
type S3Options struct {
	// Dir holds the data, log and state. Required.
	Dir string
	// DieWithParent kills the server when the calling process exits.
	DieWithParent bool
	// Timeout bounds start-up once the binary exists; default 30s.
	Timeout time.Duration
	Logf    Logf
}

// StartS3 starts versitygw on a free loopback port with fresh root
// credentials (passed in its environment, not its command line) and waits
// until it answers its health check.
func StartS3(ctx context.Context, o S3Options) (*S3, error) {
	if o.Dir == "" {
		return nil, errors.New("kubelocal: S3Options.Dir is required")
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	bin, err := EnsureS3Binary(ctx, o.Logf)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{filepath.Join(dir, "data"), filepath.Join(dir, "meta")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("kubelocal: %w", err)
		}
	}
	ports, err := freePorts(1)
	if err != nil {
		return nil, err
	}
	s := &S3{
		Endpoint:  "http://127.0.0.1:" + strconv.Itoa(ports[0]),
		Region:    S3Region,
		AccessKey: "palette" + randomHex(6),
		SecretKey: randomHex(20),
		Dir:       dir,
	}
	logPath := filepath.Join(dir, "versitygw.log")
	s.PID, err = startProcess(bin, []string{
		"--port", "127.0.0.1:" + strconv.Itoa(ports[0]), "--region", S3Region, "--quiet", "--health", s3HealthPath,
		"posix", "--sidecar", filepath.Join(dir, "meta"), filepath.Join(dir, "data"),
	}, logPath, o.DieWithParent, "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if err := waitFor(ctx, "versitygw health", func() (bool, error) {
		if !alive(s.PID, "versitygw") {
			return false, &exitedError{process: "versitygw", tail: tailFile(logPath, 20)}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+s3HealthPath, nil)
		if err != nil {
			return false, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	}); err != nil {
		_ = stopProcess(s.PID, "versitygw", 5*time.Second)
		return nil, err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, s3StateFile), b, 0o600); err != nil {
		_ = stopProcess(s.PID, "versitygw", 5*time.Second)
		return nil, fmt.Errorf("kubelocal: %w", err)
	}
	o.Logf.printf("kubelocal: S3 server versitygw on %s (data in %s)", s.Endpoint, filepath.Join(dir, "data"))
	return s, nil
}

// LoadS3 reads the state of the S3 server of dir.
func LoadS3(dir string) (*S3, error) {
	b, err := os.ReadFile(filepath.Join(dir, s3StateFile))
	if err != nil {
		return nil, err
	}
	var s S3
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("kubelocal: %s: %w", s3StateFile, err)
	}
	return &s, nil
}

// Stop stops the server (idempotent).
func (s *S3) Stop() error {
	if s == nil {
		return nil
	}
	return stopProcess(s.PID, "versitygw", 5*time.Second)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
