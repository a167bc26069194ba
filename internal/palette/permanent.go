package palette

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
)

// permanent tells why a transport error cannot heal by retrying (empty: it
// may). Retrying these only makes a wrong configuration slower to report:
//   - the host name does not resolve (a typo, a private name off its network);
//   - no DNS server answers the lookup (the resolver's own timeout, or
//     request_timeout, ends it): every further attempt would wait as long
//     again, and a resolver that does not answer is a network to fix;
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
	if errors.As(err, &dnsErr) && dnsErr.IsTimeout {
		return fmt.Sprintf("the DNS lookup of %q timed out: no DNS server answered (check the resolver and the network)", dnsErr.Name)
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
		var staged *stagedError
		stage := stageAnswer
		if errors.As(err, &staged) {
			stage = staged.stage
		}
		switch stage {
		case stageLookup:
			return fmt.Sprintf("the DNS lookup of %q did not finish within request_timeout (%s): no DNS server answered (check the resolver and the network)",
				c.baseURL.Hostname(), c.requestTimeout)
		case stageConnect:
			return fmt.Sprintf("%s did not accept the connection within request_timeout (%s)", c.baseURL.Host, c.requestTimeout)
		}
		return fmt.Sprintf("%s accepted the connection but did not answer within request_timeout (%s)", c.baseURL.Host, c.requestTimeout)
	}
	return ""
}

// attemptStage is how far an attempt went: what it was waiting for when it
// ran out of time.
type attemptStage int32

const (
	stageLookup  attemptStage = iota + 1 // looking the host up
	stageConnect                         // connecting (TCP, TLS)
	stageAnswer                          // the request went out: waiting for the answer
)

// stagedError is an attempt's transport error with the stage it ended in.
type stagedError struct {
	stage attemptStage
	err   error
}

func (e *stagedError) Error() string { return e.err.Error() }
func (e *stagedError) Unwrap() error { return e.err }

// traceStage records, in stage, how far a request goes.
func traceStage(stage *atomic.Int32) *httptrace.ClientTrace {
	set := func(s attemptStage) { stage.Store(int32(s)) }
	return &httptrace.ClientTrace{
		DNSStart:     func(httptrace.DNSStartInfo) { set(stageLookup) },
		DNSDone:      func(httptrace.DNSDoneInfo) { set(stageConnect) },
		ConnectStart: func(string, string) { set(stageConnect) },
		GotConn:      func(httptrace.GotConnInfo) { set(stageAnswer) },
	}
}
