package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const testCA = `-----BEGIN CERTIFICATE-----
MIIBdzCCAR2gAwIBAgIBATAKBggqhkjOPQQDAjAQMQ4wDAYDVQQDEwV0ZXN0czAe
Fw0yNDAxMDEwMDAwMDBaFw0zNDAxMDEwMDAwMDBaMBAxDjAMBgNVBAMTBXRlc3Rz
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9bYqW1ZKx9z6rZ0w1u1nq3oE3q9x
-----END CERTIFICATE-----`

// The plan-time rules of backups, on known values.
func TestBackupRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		rule  validator.String
		value string
		ok    bool
	}{
		{"cron five fields", cronRule, "0 2 * * *", true},
		{"cron descriptor", cronRule, "@daily", true},
		{"cron every", cronRule, "@every 6h", true},
		{"cron hour 25", cronRule, "0 25 * * *", false},
		{"cron six fields", cronRule, "0 0 2 * * *", false},
		{"cron words", cronRule, "nightly", false},
		{"bucket", bucketNameRule, "palette-backups", true},
		{"bucket upper case", bucketNameRule, "Backups", false},
		{"bucket too short", bucketNameRule, "ab", false},
		{"endpoint https", endpointURLRule, "https://minio.example.com:9000", true},
		{"endpoint ftp", endpointURLRule, "ftp://host", false},
		{"endpoint with path", endpointURLRule, "https://host/bucket", false},
		{"endpoint with user", endpointURLRule, "https://u:p@host", false},
		{"prefix", backupPrefixRule, "nightly", true},
		{"prefix upper case", backupPrefixRule, "Nightly", false},
		{"prefix too long", backupPrefixRule, "a123456789012345678901234567890123456789012345678", false},
		{"backup name", backupNameRule, "before-upgrade", true},
		{"backup name underscore", backupNameRule, "shop_1", false},
		{"CA not PEM", pemCertificateRule, "not a certificate", false},
		{"CA bad certificate", pemCertificateRule, testCA, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var resp validator.StringResponse
			tc.rule.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringValue(tc.value)}, &resp)
			if got := !resp.Diagnostics.HasError(); got != tc.ok {
				t.Fatalf("%q: ok = %v, want %v (%v)", tc.value, got, tc.ok, resp.Diagnostics)
			}
		})
	}
}
