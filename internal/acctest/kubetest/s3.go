package kubetest

import (
	"context"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/backup"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// S3 is a local S3 server (versitygw) of a test.
type S3 struct {
	*kubelocal.S3
}

// StartS3 starts a local S3 server for t (own temp dir) with the buckets
// given, and stops it in t.Cleanup. It fails t if the server cannot start.
func StartS3(t testing.TB, buckets ...string) *S3 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s, err := kubelocal.StartS3(ctx, kubelocal.S3Options{Dir: t.TempDir(), DieWithParent: true,
		Logf: func(format string, args ...any) { t.Logf(format, args...) }})
	if err != nil {
		t.Fatalf("kubetest.StartS3: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("kubetest: stop S3 server: %v", err)
		}
	})
	out := &S3{S3: s}
	c := out.Client(t)
	for _, b := range buckets {
		if err := c.MakeBucket(ctx, b, minio.MakeBucketOptions{Region: s.Region}); err != nil {
			t.Fatalf("kubetest: make bucket %s: %v", b, err)
		}
	}
	return out
}

// Location is the server's bucket as a location's storage config
// (path-style, with the root credentials).
func (s *S3) Location(bucket string) wire.S3StorageConfig {
	pathStyle := true
	return wire.S3StorageConfig{BucketName: bucket, Region: s.Region, S3URL: s.Endpoint, S3ForcePathStyle: &pathStyle,
		Credentials: &wire.AwsCloudAccount{AccessKey: s.AccessKey, SecretKey: s.SecretKey, CredentialType: "secret"}}
}

// Client is an S3 client of the server with its root credentials.
func (s *S3) Client(t testing.TB) *minio.Client {
	t.Helper()
	c, err := backup.NewS3Client(s.Location(""))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Objects lists the keys under prefix in bucket.
func (s *S3) Objects(t testing.TB, bucket, prefix string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var keys []string
	for obj := range s.Client(t).ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatalf("list s3://%s/%s: %v", bucket, prefix, obj.Err)
		}
		keys = append(keys, obj.Key)
	}
	return keys
}
