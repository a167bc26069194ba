package localapi

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// faultRule is one entry of a fault spec.
type faultRule struct {
	kind    string // "status", "reset", "latency", "lostresponse"
	status  int
	p       float64
	latency time.Duration
}

// parseFaults parses "429=0.1,503=0.05,reset=0.05,latency=200ms@0.1,lostresponse=0.1".
func parseFaults(spec string) ([]faultRule, error) {
	var rules []faultRule
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("fault %q: want NAME=PROBABILITY", part)
		}
		name = strings.TrimSpace(name)
		val = strings.TrimSpace(val)
		rule := faultRule{}
		switch name {
		case "reset", "lostresponse":
			rule.kind = name
		case "latency":
			rule.kind = name
			d, p, ok := strings.Cut(val, "@")
			if !ok {
				return nil, fmt.Errorf("fault %q: want latency=DURATION@PROBABILITY", part)
			}
			lat, err := time.ParseDuration(d)
			if err != nil || lat < 0 {
				return nil, fmt.Errorf("fault %q: bad duration %q", part, d)
			}
			rule.latency = lat
			val = p
		default:
			code, err := strconv.Atoi(name)
			if err != nil || code < 400 || code > 599 {
				return nil, fmt.Errorf("fault %q: unknown fault (want an HTTP status 400-599, reset, latency or lostresponse)", part)
			}
			rule.kind, rule.status = "status", code
		}
		p, err := strconv.ParseFloat(val, 64)
		if err != nil || p < 0 || p > 1 {
			return nil, fmt.Errorf("fault %q: probability must be between 0 and 1", part)
		}
		rule.p = p
		rules = append(rules, rule)
	}
	return rules, nil
}

// faultInjector draws faults with a seeded generator.
type faultInjector struct {
	mu    sync.Mutex
	rules []faultRule
	rng   *rand.Rand
}

func newFaultInjector(spec string, seed int64) (*faultInjector, error) {
	f := &faultInjector{}
	if err := f.set(spec, seed); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *faultInjector) set(spec string, seed int64) error {
	rules, err := parseFaults(spec)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = rules
	f.rng = rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)) //nolint:gosec // faults, not secrets.
	return nil
}

// draw picks this request's faults: an added latency, at most one failing
// rule, and whether the answer is to be lost (lossy routes only).
func (f *faultInjector) draw(lossy bool) (latency time.Duration, fail *faultRule, lost bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.rules {
		r := &f.rules[i]
		if r.kind == "lostresponse" && !lossy {
			continue
		}
		if r.p == 0 || f.rng.Float64() >= r.p {
			continue
		}
		switch r.kind {
		case "latency":
			latency += r.latency
		case "lostresponse":
			lost = true
		default:
			if fail == nil {
				rule := *r
				fail = &rule
			}
		}
	}
	return latency, fail, lost
}

// applyFaults injects the configured faults before a request is handled. It
// reports whether the request was answered (or dropped) here, and whether the
// answer is to be lost after the request has been processed.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request, lossy bool) (handled, lost bool) {
	latency, fail, lost := s.faults.draw(lossy)
	if latency > 0 {
		s.recordFault("latency")
	}
	if lost {
		s.recordFault("lostresponse")
	}
	if fail != nil {
		if fail.kind == "reset" {
			s.recordFault("reset")
		} else {
			s.recordFault(strconv.Itoa(fail.status))
		}
	}
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	if fail == nil {
		return false, lost
	}
	switch fail.kind {
	case "reset":
		if resetConn(w) {
			return true, false
		}
		writeAPIError(w, errf(http.StatusServiceUnavailable, wire.CodeServiceUnavailable, "injected fault: connection reset"))
	default:
		code := wire.CodeServiceUnavailable
		if fail.status == http.StatusTooManyRequests {
			code = wire.CodeTooManyRequests
			w.Header().Set(wire.HeaderRetryAfter, "1")
		}
		writeAPIError(w, errf(fail.status, code, "injected fault %d", fail.status))
	}
	return true, false
}
