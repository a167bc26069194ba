package main

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
)

// server is the local import API served in-process on a fixed address.
type server struct {
	srv  *localapi.Server
	addr string
	done chan error
	// agentFirst is the first request of an agent (Bearer token); lastKey
	// the last request with an API key (the provider's).
	mu         sync.Mutex
	agentFirst time.Time
	lastKey    time.Time
	stopFn     func() error
}

func startServer(cfg localapi.Config, addr string) (*server, error) {
	srv, err := localapi.Open(cfg)
	if err != nil {
		return nil, err
	}
	var l net.Listener
	for deadline := time.Now().Add(5 * time.Second); ; {
		var lc net.ListenConfig
		l, err = lc.Listen(context.Background(), "tcp", addr)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // the previous listener's port is being released.
	}
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	s := &server{srv: srv, addr: l.Addr().String(), done: make(chan error, 1)}
	srv.SetAdvertiseURL("http://" + s.addr)
	h := srv.Handler()
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		s.mu.Lock()
		switch {
		case strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "):
			if s.agentFirst.IsZero() {
				s.agentFirst = now
			}
		case r.Header.Get("ApiKey") != "":
			s.lastKey = now
		}
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})}
	go func() { s.done <- hs.Serve(l) }()
	s.stopFn = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := hs.Shutdown(ctx)
		if cerr := srv.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return s, nil
}

func (s *server) stop() error { return s.stopFn() }

// counts sums the server's request counts: all requests, and 429s.
func (s *server) counts() (total, tooMany int) {
	for k, v := range s.srv.Requests() {
		if strings.HasPrefix(k, "fault ") || strings.Contains(k, "/debug/") {
			continue
		}
		total += v
		if strings.HasSuffix(k, " 429") {
			tooMany += v
		}
	}
	return total, tooMany
}

func (s *server) env() []string {
	return []string{
		"PALETTE_HOST=http://" + s.addr,
		"PALETTE_API_KEY=" + s.srv.BootstrapKey(),
		"PALETTE_PROJECT_UID=" + s.srv.DefaultProjectUID(),
	}
}
