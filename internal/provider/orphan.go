package provider

import (
	"context"
	"errors"
	"log"
	"os"
	"sync"
	"time"
)

// errParentGone ends the work of a provider whose Terraform is gone.
var errParentGone = errors.New("terraform, the process that started the provider, is gone")

// processCtx ends when the provider process must stop all its work
// (WatchParent); serve ties every request's context to it.
var processCtx, abandonAll = context.WithCancelCause(context.Background())

// inflight counts the requests being served.
var inflight sync.WaitGroup

// bindToProcess returns ctx, cancelled as well when processCtx ends, and
// the function that releases it.
func bindToProcess(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	unhook := context.AfterFunc(processCtx, func() { cancel(context.Cause(processCtx)) })
	return ctx, func() {
		unhook()
		cancel(nil)
	}
}

// WatchParent stops the provider when Terraform, the process that started
// it, is gone without a word (killed): the process is then re-parented, so
// its parent process ID changes. The context of every request in flight is
// cancelled at once, so that none of them sends anything more to Palette or
// to a cluster, and exit is called once they have returned, or after grace.
// A provider started by init (parent 1: debug mode, or already orphaned) is
// not watched.
func WatchParent(interval, grace time.Duration, exit func()) {
	ppid := os.Getppid()
	if ppid <= 1 {
		return
	}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for range t.C {
			if os.Getppid() == ppid {
				continue
			}
			log.Printf("[WARN] terraform (process %d) is gone: cancelling the requests in flight and exiting", ppid)
			abandonAll(errParentGone)
			done := make(chan struct{})
			go func() {
				inflight.Wait()
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(grace):
			}
			exit()
			return
		}
	}()
}
