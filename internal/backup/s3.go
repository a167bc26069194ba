package backup

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// NewS3Client connects to a location's bucket: its s3Url (an S3-compatible
// server: MinIO, versitygw) or AWS S3, with path-style addressing when the
// location asks for it and its CA certificate trusted, with the location's
// access key pair.
//
// minio-go is the S3 client: one module, with S3-compatible endpoints,
// path-style and virtual-host addressing and custom transports as plain
// options, where aws-sdk-go-v2 needs its config, credentials and s3
// modules and endpoint resolvers for the same.
func NewS3Client(cfg wire.S3StorageConfig) (*minio.Client, error) {
	if cfg.Credentials == nil {
		return nil, errors.New("the location has no credentials")
	}
	endpoint, secure := "s3."+cfg.Region+".amazonaws.com", true
	if cfg.S3URL != "" {
		u, err := url.Parse(cfg.S3URL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("s3Url %q is not an http or https URL", cfg.S3URL)
		}
		endpoint, secure = u.Host, u.Scheme == "https"
	}
	lookup := minio.BucketLookupAuto
	if cfg.S3ForcePathStyle != nil && *cfg.S3ForcePathStyle {
		lookup = minio.BucketLookupPath
	}
	tr, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, errors.New("http.DefaultTransport is not an *http.Transport")
	}
	tr = tr.Clone()
	if cfg.CaCert != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(cfg.CaCert)) {
			return nil, errors.New("the location's CA certificate does not parse")
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	c, err := minio.New(endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.Credentials.AccessKey, cfg.Credentials.SecretKey, ""),
		Secure:       secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    tr,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 client for %s: %w", endpoint, err)
	}
	return c, nil
}
