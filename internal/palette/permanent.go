package palette

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
)

// permanent tells why a transport error cannot heal by retrying (empty: it
// may). Retrying these only makes a wrong configuration slower to report:
//   - the host name does not resolve (a typo, a private name off its network);
//   - TLS cannot work: https to a plain-HTTP port, plain HTTP to a TLS port,
//     a certificate the client does not trust or that names another host;
//   - the host accepted the connection and never answered within
//     request_timeout: every further attempt would wait as long again.
//
// A refused or reset connection stays retryable: a restarting API heals.
func (c *Client) permanent(ctx context.Context, err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return fmt.Sprintf("the host %q does not resolve (check host)", dnsErr.Name)
	}
	var recErr tls.RecordHeaderError
	if errors.As(err, &recErr) {
		return fmt.Sprintf("%s does not speak TLS on that port (use http:// for a plain-HTTP API, or the TLS port)", c.baseURL.Host)
	}
	if strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return fmt.Sprintf("%s answers plain HTTP on that port (use http://, or the TLS port)", c.baseURL.Host)
	}
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verifyErr *tls.CertificateVerificationError
	if errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalid) || errors.As(err, &verifyErr) {
		return fmt.Sprintf("the TLS certificate of %s is not trusted (set ca_certificate for a private CA)", c.baseURL.Host)
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return fmt.Sprintf("%s accepted the connection but did not answer within request_timeout (%s)", c.baseURL.Host, c.requestTimeout)
	}
	return ""
}
