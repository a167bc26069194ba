package kubelocal

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki holds the generated credentials of one cluster, as PEM.
type pki struct {
	CACert, CAKey           []byte
	ServingCert, ServingKey []byte
	AdminCert, AdminKey     []byte
	KCMCert, KCMKey         []byte
	SAKey, SAPub            []byte
}

type keyPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
}

func encodeKey(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func issue(ca *keyPair, tmpl *x509.Certificate) (certPEM, keyPEM []byte, kp *keyPair, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	if tmpl.SerialNumber, err = newSerial(); err != nil {
		return nil, nil, nil, err
	}
	now := time.Now()
	tmpl.NotBefore = now.Add(-time.Hour)
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = now.Add(365 * 24 * time.Hour)
	}
	parent, signer := tmpl, key
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, err
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	return encodeCert(der), keyPEM, &keyPair{cert: cert, key: key}, nil
}

func newPKI(clusterName string) (*pki, error) {
	p := &pki{}
	var ca *keyPair
	var err error
	p.CACert, p.CAKey, ca, err = issue(nil, &x509.Certificate{
		Subject:               pkix.Name{CommonName: clusterName + "-ca"},
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	})
	if err != nil {
		return nil, fmt.Errorf("kubelocal: CA: %w", err)
	}
	p.ServingCert, p.ServingKey, _, err = issue(ca, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(serviceIP)},
	})
	if err != nil {
		return nil, fmt.Errorf("kubelocal: serving cert: %w", err)
	}
	client := func(cn string, orgs ...string) ([]byte, []byte, error) {
		c, k, _, err := issue(ca, &x509.Certificate{
			Subject:     pkix.Name{CommonName: cn, Organization: orgs},
			KeyUsage:    x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		})
		return c, k, err
	}
	if p.AdminCert, p.AdminKey, err = client(AdminUser, "system:masters"); err != nil {
		return nil, fmt.Errorf("kubelocal: admin cert: %w", err)
	}
	if p.KCMCert, p.KCMKey, err = client("system:kube-controller-manager"); err != nil {
		return nil, fmt.Errorf("kubelocal: controller-manager cert: %w", err)
	}
	sa, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	if p.SAKey, err = encodeKey(sa); err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	if err != nil {
		return nil, err
	}
	p.SAPub = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	return p, nil
}

// pkiFiles are the on-disk locations of the PKI under DIR/pki.
type pkiFiles struct {
	CACert, CAKey, ServingCert, ServingKey, SAKey, SAPub string
}

func (p *pki) write(dir string) (pkiFiles, error) {
	d := filepath.Join(dir, "pki")
	f := pkiFiles{
		CACert: filepath.Join(d, "ca.crt"), CAKey: filepath.Join(d, "ca.key"),
		ServingCert: filepath.Join(d, "apiserver.crt"), ServingKey: filepath.Join(d, "apiserver.key"),
		SAKey: filepath.Join(d, "sa.key"), SAPub: filepath.Join(d, "sa.pub"),
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return f, err
	}
	for path, data := range map[string][]byte{
		f.CACert: p.CACert, f.CAKey: p.CAKey, f.ServingCert: p.ServingCert, f.ServingKey: p.ServingKey,
		f.SAKey: p.SAKey, f.SAPub: p.SAPub,
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return f, err
		}
	}
	return f, nil
}
