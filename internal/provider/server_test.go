package provider

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type requestMarkKey struct{}

// requestMark is a value of a request's context whose lifetime the tests
// follow.
type requestMark struct{ _ [64]byte }

// requestContextKept reports whether a server still holds, after it
// answered, the context of a GetProviderSchema request (through a value of
// that context, followed with a weak pointer).
func requestContextKept(t *testing.T, srv tfprotov6.ProviderServer) bool {
	t.Helper()
	mark := &requestMark{}
	w := weak.Make(mark)
	ctx := context.WithValue(context.Background(), requestMarkKey{}, mark)
	if _, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	mark, ctx = nil, nil //nolint:ineffassign,wastedassign // drop the test's own references before the GC.
	_, _ = mark, ctx
	runtime.GC()
	runtime.GC()
	kept := w.Value() != nil
	runtime.KeepAlive(srv)
	return kept
}

// The framework keeps every request's context until StopProvider (the leak
// NewProtocol6Server works around). If this starts failing, the framework
// has stopped doing so and releasingServer can go.
func TestFrameworkKeepsRequestContexts(t *testing.T) {
	if !requestContextKept(t, providerserver.NewProtocol6(New("test")())()) {
		t.Fatal("the framework no longer keeps request contexts: releasingServer is not needed any more")
	}
}

// Through NewProtocol6Server, nothing holds a request's context once the
// request has been answered.
func TestProtocol6ServerReleasesRequestContexts(t *testing.T) {
	if requestContextKept(t, NewProtocol6Server("test")()) {
		t.Fatal("a request's context is still reachable after the request was answered")
	}
}

// During the request the handler's context is the request's: its values,
// its cancellation, its deadline; afterwards it is cancelled and has no
// values.
func TestReleasableContext(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), requestMarkKey{}, "v"))
	var during context.Context
	_, err := serve(parent, 1, func(ctx context.Context, _ int) (int, error) {
		during = ctx
		if got := ctx.Value(requestMarkKey{}); got != "v" {
			t.Errorf("value during the request = %v, want v", got)
		}
		if ctx.Err() != nil {
			t.Errorf("err during the request = %v", ctx.Err())
		}
		// A context derived from it is cancelled with the request.
		child, stop := context.WithCancel(ctx)
		defer stop()
		cancel()
		<-child.Done()
		if !errors.Is(child.Err(), context.Canceled) {
			t.Errorf("derived context err = %v, want canceled", child.Err())
		}
		return 0, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-during.Done():
	default:
		t.Fatal("the handler's context is not done after the request")
	}
	if !errors.Is(during.Err(), context.Canceled) || during.Value(requestMarkKey{}) != nil {
		t.Fatalf("after the request: err %v, value %v; want canceled and no value", during.Err(), during.Value(requestMarkKey{}))
	}
	if _, ok := during.Deadline(); ok {
		t.Fatal("a released context has no deadline")
	}
}

// NewProtocol6ServerWithError is NewProtocol6Server in the form
// terraform-plugin-testing's ProtoV6ProviderFactories take.
func NewProtocol6ServerWithError(version string) func() (tfprotov6.ProviderServer, error) {
	f := NewProtocol6Server(version)
	return func() (tfprotov6.ProviderServer, error) { return f(), nil }
}
