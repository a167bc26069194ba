package localapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CACertFile is the name of the generated CA certificate in the data dir.
const CACertFile = "ca.crt"

// setupTLS loads the configured certificate, or generates (once, kept in the
// data dir) a CA and signs a serving certificate for loopback and the host.
func (s *Server) setupTLS() error {
	var cert tls.Certificate
	var err error
	switch {
	case s.cfg.TLS.CertFile != "" || s.cfg.TLS.KeyFile != "":
		if s.cfg.TLS.CertFile == "" || s.cfg.TLS.KeyFile == "" {
			return errors.New("TLS needs both a certificate and a key file")
		}
		cert, err = tls.LoadX509KeyPair(s.cfg.TLS.CertFile, s.cfg.TLS.KeyFile)
		if err != nil {
			return fmt.Errorf("loading TLS certificate: %w", err)
		}
	default:
		cert, s.caPEM, err = generatedCert(s.cfg.DataDir)
		if err != nil {
			return err
		}
	}
	s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	return nil
}

func generatedCert(dataDir string) (tls.Certificate, string, error) {
	caCertPath := filepath.Join(dataDir, CACertFile)
	caKeyPath := filepath.Join(dataDir, "ca.key")
	caCert, caKey, caPEM, err := loadCA(caCertPath, caKeyPath)
	if err != nil {
		caCert, caKey, caPEM, err = newCA(caCertPath, caKeyPath)
		if err != nil {
			return tls.Certificate{}, "", err
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("generating serving key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "palette-local"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if host, err := os.Hostname(); err == nil && host != "" && host != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("signing serving certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, caCert.Raw}, PrivateKey: key}, caPEM, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return n
}

func loadCA(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, string, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, "", err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, "", err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, nil, "", errors.New("malformed CA files")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, "", err
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, "", err
	}
	if time.Now().After(cert.NotAfter.Add(-24 * time.Hour)) {
		return nil, nil, "", errors.New("CA expires soon")
	}
	return cert, key, string(certPEM), nil
}

func newCA(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, "", fmt.Errorf("generating CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "palette-local CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, "", fmt.Errorf("creating CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, "", err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, "", err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, nil, "", fmt.Errorf("writing CA key: %w", err)
	}
	if err := os.WriteFile(certPath, certPEM, 0o644); err != nil { //nolint:gosec // the CA certificate is public.
		return nil, nil, "", fmt.Errorf("writing CA certificate: %w", err)
	}
	return cert, key, string(certPEM), nil
}
