// Command kube-local runs a real local Kubernetes control plane (etcd,
// kube-apiserver, kube-controller-manager) on 127.0.0.1, and beside it an
// S3-compatible server (versitygw) with the bucket palette-backups, the
// backup location of the cluster's agent.
//
//	go run ./tools/kube-local build
//	go run ./tools/kube-local up --dir DIR [--flavor aws|azure|gcp|vsphere|openshift|eks-anywhere|generic] [--nodes N] [--name NAME]
//	go run ./tools/kube-local env --dir DIR
//	go run ./tools/kube-local down --dir DIR
//
// Binaries are built once into $PALETTE_KUBE_CACHE (default
// ~/.cache/terraform-provider-palette/kube/v1.33.13).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/backup"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func usage() {
	fmt.Fprintf(os.Stderr, `usage:
  kube-local build                       build etcd, kube-apiserver, kube-controller-manager into %s, and versitygw
  kube-local up --dir DIR [--flavor F] [--nodes N] [--name NAME] [--timeout D]
  kube-local env --dir DIR               print export KUBECONFIG=...
  kube-local down --dir DIR              stop the cluster (idempotent)
flavors: %v
`, kubelocal.CacheDir(), kubelocal.Flavors())
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "kube-local:", err)
		stop()
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	dir := fs.String("dir", "", "cluster directory (kubeconfig, pki, etcd data, logs, state)")
	switch cmd {
	case "build":
		if err := fs.Parse(args); err != nil {
			return err
		}
		start := time.Now()
		bins, err := kubelocal.EnsureBinaries(ctx, logf)
		if err != nil {
			return err
		}
		s3bin, err := kubelocal.EnsureS3Binary(ctx, logf)
		if err != nil {
			return err
		}
		logf("binaries ready in %s (%s):\n  %s\n  %s\n  %s\n  %s", kubelocal.CacheDir(), time.Since(start).Round(time.Second), bins.Etcd, bins.APIServer, bins.ControllerManager, s3bin)
		return nil
	case "up":
		flavor := fs.String("flavor", "generic", fmt.Sprintf("one of %v", kubelocal.Flavors()))
		nodes := fs.Int("nodes", 1, "number of fake Node objects (0 for none)")
		name := fs.String("name", "", "cluster / kubeconfig context name (default: base name of --dir)")
		timeout := fs.Duration("timeout", 90*time.Second, "start-up timeout (after binaries exist)")
		withS3 := fs.Bool("s3", true, "also start the S3 server (versitygw) with the bucket "+s3Bucket)
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *dir == "" {
			return errors.New("up: --dir is required")
		}
		f, err := kubelocal.ParseFlavor(*flavor)
		if err != nil {
			return err
		}
		abs, err := filepath.Abs(*dir)
		if err != nil {
			return err
		}
		n := *nodes
		if n == 0 {
			n = -1
		}
		if *name == "" {
			*name = sanitizeName(filepath.Base(abs))
		}
		st, err := kubelocal.Up(ctx, kubelocal.Options{Dir: abs, Name: *name, Flavor: f, Nodes: n, Timeout: *timeout, Logf: logf})
		if err != nil {
			return err
		}
		fmt.Printf("export KUBECONFIG=%s\n", st.Kubeconfig)
		if *withS3 {
			if err := startS3(ctx, abs); err != nil {
				return err
			}
			printS3Env(abs)
		}
		return nil
	case "env":
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *dir == "" {
			return errors.New("env: --dir is required")
		}
		abs, err := filepath.Abs(*dir)
		if err != nil {
			return err
		}
		fmt.Printf("export KUBECONFIG=%s\n", kubelocal.KubeconfigPath(abs))
		printS3Env(abs)
		return nil
	case "down":
		grace := fs.Duration("grace", 15*time.Second, "time between SIGTERM and SIGKILL")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *dir == "" {
			return errors.New("down: --dir is required")
		}
		if s3, err := kubelocal.LoadS3(filepath.Join(*dir, "s3")); err == nil {
			if err := s3.Stop(); err != nil {
				return err
			}
		}
		return kubelocal.Down(ctx, *dir, *grace)
	case "-h", "--help", "help":
		usage()
		return nil
	default:
		usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// s3Bucket is the bucket kube-local up creates.
const s3Bucket = "palette-backups"

// startS3 starts the S3 server in DIR/s3 and creates its bucket.
func startS3(ctx context.Context, dir string) error {
	s3, err := kubelocal.StartS3(ctx, kubelocal.S3Options{Dir: filepath.Join(dir, "s3"), Logf: logf})
	if err != nil {
		return err
	}
	pathStyle := true
	c, err := backup.NewS3Client(wire.S3StorageConfig{Region: s3.Region, S3URL: s3.Endpoint, S3ForcePathStyle: &pathStyle,
		Credentials: &wire.AwsCloudAccount{AccessKey: s3.AccessKey, SecretKey: s3.SecretKey}})
	if err != nil {
		return err
	}
	if err := c.MakeBucket(ctx, s3Bucket, minio.MakeBucketOptions{Region: s3.Region}); err != nil {
		return fmt.Errorf("creating the bucket %s: %w", s3Bucket, err)
	}
	return nil
}

// printS3Env prints the S3 server's endpoint, bucket and access key as
// shell exports, and the path of a file (mode 0600) that holds its secret
// key, which is never printed (nothing when the cluster has no S3 server).
func printS3Env(dir string) {
	s3, err := kubelocal.LoadS3(filepath.Join(dir, "s3"))
	if err != nil {
		return
	}
	secretFile := filepath.Join(dir, "s3", "secret-key")
	if err := os.WriteFile(secretFile, []byte(s3.SecretKey), 0o600); err != nil {
		fmt.Fprintf(os.Stderr, "kube-local: writing the S3 secret key file: %v\n", err)
		return
	}
	fmt.Printf("export PALETTE_S3_ENDPOINT=%s PALETTE_S3_REGION=%s PALETTE_S3_BUCKET=%s\n", s3.Endpoint, s3.Region, s3Bucket)
	fmt.Printf("export PALETTE_S3_ACCESS_KEY=%s PALETTE_S3_SECRET_KEY_FILE=%s\n", s3.AccessKey, secretFile)
}

// sanitizeName turns a directory name into a DNS label.
func sanitizeName(s string) string {
	out := make([]byte, 0, len(s))
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			out = append(out, c)
		case c >= 'A' && c <= 'Z':
			out = append(out, c+'a'-'A')
		default:
			out = append(out, '-')
		}
	}
	for len(out) > 0 && out[0] == '-' {
		out = out[1:]
	}
	if len(out) > 40 {
		out = out[:40]
	}
	for len(out) > 0 && out[len(out)-1] == '-' {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return "kubelocal"
	}
	return string(out)
}
