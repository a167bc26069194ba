package kube

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// The files cluster access reads: the kubeconfig, and the files a
// kubeconfig names (certificate-authority, client-certificate, client-key,
// tokenFile). Each is read once, by readAccessFile, and only if it is a
// regular file of bounded size: a path to /dev/zero used to take the
// provider to 6.5 GiB and "Plugin did not respond", and a FIFO hung the
// plan (os.ReadFile, and clientcmd's validation, which opens every file a
// kubeconfig names, block on a FIFO without a writer). client-go would read
// the named files again later (the TLS files when a client is made, a token
// file at every request): they are loaded into the configuration's *Data
// fields instead, so client-go reads no file of ours.
const (
	// MaxKubeconfigBytes is the largest kubeconfig read: 4 MiB holds more
	// than a thousand contexts with their certificates embedded (a few KiB
	// each), and keeps a wrong path from filling the provider's memory.
	MaxKubeconfigBytes = 4 << 20
	// maxCredentialFileBytes is the largest certificate, key, CA bundle or
	// token file read: a full public CA bundle is about 200 KiB.
	maxCredentialFileBytes = 1 << 20
	// fileReadTimeout bounds the read of one file (a hung network file
	// system): a local file of a few MiB reads in milliseconds.
	fileReadTimeout = 10 * time.Second
)

// FileError is a file of the cluster access that the provider does not
// read: not a regular file, too large, or not read in time.
type FileError struct {
	// Field is the kubeconfig field that names the file
	// ("certificate-authority", "client-certificate", "client-key",
	// "tokenFile"), or "" for the kubeconfig itself.
	Field string
	// Owner is the kubeconfig entry of the field (`cluster "c"`, `user "u"`).
	Owner string
	Path  string
	Err   error
}

func (e *FileError) Error() string {
	what := "kubeconfig"
	if e.Field != "" {
		what = e.Field
	}
	s := fmt.Sprintf("kube: %s %s", what, e.Path)
	if e.Owner != "" {
		s += " of " + e.Owner
	}
	return s + " " + e.Err.Error()
}

func (e *FileError) Unwrap() error { return e.Err }

// Why a file is not read.
var (
	ErrNotRegularFile  = errors.New("is not a regular file")
	ErrFileTooLarge    = errors.New("is too large")
	ErrFileReadTimeout = errors.New("was not read in time")
)

// fileProblem is ErrNotRegularFile, ErrFileTooLarge or ErrFileReadTimeout,
// said with the details.
type fileProblem struct {
	kind error
	msg  string
}

func (p *fileProblem) Error() string { return p.msg }
func (p *fileProblem) Unwrap() error { return p.kind }

// readAccessFile reads a regular file of at most limit bytes, within
// fileReadTimeout. The errors it makes itself are *fileProblem; those of
// the file system (not found, permission denied) are returned as they are.
func readAccessFile(path string, limit int64) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		data, err := readRegularFile(path, limit)
		ch <- result{data, err}
	}()
	t := time.NewTimer(fileReadTimeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.data, r.err
	case <-t.C:
		// The read goes on until the file system answers, bounded by limit.
		return nil, &fileProblem{ErrFileReadTimeout, fmt.Sprintf("was not read within %s", fileReadTimeout)}
	}
}

func readRegularFile(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(fi, limit); err != nil {
		return nil, err
	}
	// Non-blocking: a FIFO put in the file's place after the Stat does not
	// block the open, and the check below refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := checkRegular(fi, limit); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(limit)
	}
	return data, nil
}

func checkRegular(fi fs.FileInfo, limit int64) error {
	m := fi.Mode()
	if !m.IsRegular() {
		return &fileProblem{ErrNotRegularFile, "is not a regular file (" + fileKind(m) + ")"}
	}
	if fi.Size() > limit {
		return tooLarge(limit)
	}
	return nil
}

func tooLarge(limit int64) error {
	return &fileProblem{ErrFileTooLarge, fmt.Sprintf("is larger than %d MiB, the most the provider reads of such a file", limit>>20)}
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "not a plain file: " + m.Type().String()
}

// loadReferencedFiles reads the files the context's cluster and user name
// into their *Data fields (and a token file into Token), and clears the
// paths: client-go then reads no file. source names the kubeconfig in
// errors. Entries of other contexts are left alone.
func loadReferencedFiles(c *clientcmdapi.Config, ctxName, source string) error {
	kctx := c.Contexts[ctxName]
	if kctx == nil {
		return nil
	}
	if cl := c.Clusters[kctx.Cluster]; cl != nil && cl.CertificateAuthority != "" {
		owner := fmt.Sprintf("cluster %q (%s)", kctx.Cluster, source)
		data, err := readReferencedFile("certificate-authority", owner, cl.CertificateAuthority)
		if err != nil {
			return err
		}
		cl.CertificateAuthorityData, cl.CertificateAuthority = data, ""
	}
	ai := c.AuthInfos[kctx.AuthInfo]
	if ai == nil {
		return nil
	}
	owner := fmt.Sprintf("user %q (%s)", kctx.AuthInfo, source)
	for _, f := range []struct {
		field string
		path  *string
		data  *[]byte
	}{
		{"client-certificate", &ai.ClientCertificate, &ai.ClientCertificateData},
		{"client-key", &ai.ClientKey, &ai.ClientKeyData},
	} {
		if *f.path == "" {
			continue
		}
		data, err := readReferencedFile(f.field, owner, *f.path)
		if err != nil {
			return err
		}
		*f.data, *f.path = data, ""
	}
	if ai.TokenFile != "" {
		data, err := readReferencedFile("tokenFile", owner, ai.TokenFile)
		if err != nil {
			return err
		}
		// As client-go reads it: the file wins over a token, blanks trimmed.
		ai.Token, ai.TokenFile = strings.TrimSpace(string(data)), ""
	}
	return nil
}

func readReferencedFile(field, owner, path string) ([]byte, error) {
	data, err := readAccessFile(path, maxCredentialFileBytes)
	var p *fileProblem
	switch {
	case errors.As(err, &p):
		return nil, &FileError{Field: field, Owner: owner, Path: path, Err: err}
	case err != nil:
		return nil, fmt.Errorf("kube: %s %s of %s: %w", field, path, owner, err)
	}
	return data, nil
}
