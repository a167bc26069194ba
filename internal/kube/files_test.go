//go:build unix

package kube

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestAccessFilesAreBounded: the files cluster access reads (the
// kubeconfig, and the certificate, key, CA and token files a kubeconfig
// names) are regular files of bounded size. /dev/zero used to take the
// provider to 6.5 GiB, a FIFO to hang the plan (in os.ReadFile, or in
// clientcmd's validation, which opens the files a kubeconfig names).
func TestAccessFilesAreBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// A writer would unblock a blocking open of the FIFO: none is ever
	// opened, so that a read that blocks hangs the test (go test -timeout).
	huge := writeFile(t, dir, "huge", "# "+strings.Repeat("x", MaxKubeconfigBytes)+"\n")
	bigPEM := writeFile(t, dir, "big.pem", strings.Repeat("x", maxCredentialFileBytes+1))
	ca := writeFile(t, dir, "ca.pem", testCAPEM)
	token := writeFile(t, dir, "token", " "+testToken+"\n")
	// refersTo is a kubeconfig whose cluster or user names file in field.
	refersTo := func(name, field, file string) string {
		clusterLine, userLine := "insecure-skip-tls-verify: true", "token: "+testToken
		if field == "certificate-authority" {
			clusterLine = field + ": " + file
		} else {
			userLine = field + ": " + file
		}
		return writeFile(t, dir, name, fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://c.example:6443
    %s
users:
- name: u
  user:
    %s
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`, clusterLine, userLine))
	}

	for _, tt := range []struct {
		name   string
		access Access
		want   []string
		field  string
	}{
		{"kubeconfig the device zero", Access{ConfigPath: "/dev/zero"}, []string{"kubeconfig /dev/zero is not a regular file (a device)"}, ""},
		{"kubeconfig FIFO", Access{ConfigPath: fifo}, []string{"kubeconfig " + fifo + " is not a regular file (a named pipe)"}, ""},
		{"kubeconfig directory", Access{ConfigPath: dir}, []string{"is not a regular file (a directory)"}, ""},
		{"kubeconfig too large", Access{ConfigPath: huge}, []string{"kubeconfig " + huge + " is larger than 4 MiB"}, ""},
		{"CA file FIFO", Access{ConfigPath: refersTo("ca-fifo", "certificate-authority", fifo)}, []string{"certificate-authority " + fifo + ` of cluster "c"`, "named pipe"}, "certificate-authority"},
		{"client key FIFO", Access{ConfigPath: refersTo("key-fifo", "client-key", fifo)}, []string{"client-key " + fifo + ` of user "u"`, "named pipe"}, "client-key"},
		{"client certificate the device zero", Access{ConfigPath: refersTo("cert-zero", "client-certificate", "/dev/zero")}, []string{"client-certificate /dev/zero", "a device"}, "client-certificate"},
		{"token file the device zero", Access{ConfigPath: refersTo("token-zero", "tokenFile", "/dev/zero")}, []string{"tokenFile /dev/zero", "a device"}, "tokenFile"},
		{"CA file too large", Access{ConfigPath: refersTo("ca-big", "certificate-authority", bigPEM)}, []string{"larger than 1 MiB"}, "certificate-authority"},
		{"content naming a FIFO", Access{ConfigContent: "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://c.example\n    certificate-authority: " + fifo +
			"\nusers:\n- name: u\n  user:\n    token: " + testToken + "\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n"}, []string{"named pipe"}, "certificate-authority"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.access.RESTConfig()
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FileError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to contain %q", err, w)
				}
			}
			if fe.Field != tt.field {
				t.Errorf("Field = %q, want %q", fe.Field, tt.field)
			}
		})
	}

	// Files a kubeconfig names are read into the configuration: client-go
	// reads none of them later (a token file is read once).
	cfg, err := Access{ConfigPath: refersTo("ca-ok", "certificate-authority", ca)}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.CAData) != testCAPEM || cfg.CAFile != "" {
		t.Errorf("CAData = %q, CAFile = %q: want the file's content, no file", cfg.CAData, cfg.CAFile)
	}
	cfg, err = Access{ConfigPath: refersTo("token-ok", "tokenFile", token)}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BearerToken != testToken || cfg.BearerTokenFile != "" {
		t.Errorf("BearerToken = %q, BearerTokenFile = %q: want the file's token, no file", cfg.BearerToken, cfg.BearerTokenFile)
	}
	// A relative path is relative to the kubeconfig, as before.
	cfg, err = Access{ConfigPath: refersTo("ca-rel", "certificate-authority", "ca.pem")}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.CAData) != testCAPEM {
		t.Errorf("relative CA: CAData = %q", cfg.CAData)
	}
}
