package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// NewProtocol6Server returns the provider's protocol 6 server: the
// framework's, with the context of each request released when the request
// ends.
//
// Why: terraform-plugin-framework (v1.19.0, internal/proto6server
// registerContext) derives a cancellable context from every request's
// context and keeps its cancel function until StopProvider, so every
// request's context stays reachable for the life of the process, with the
// per-request loggers that terraform-plugin-go puts in it (about 12 KB a
// request). A plan of 1,000 clusters and 1,000 attachments makes some 8,000
// requests: about 95 MB that the garbage collector can never free, and scans
// on every cycle. Handing the framework a context that lets go of the
// request's context when the request returns leaves the framework holding a
// few dozen bytes per request instead.
func NewProtocol6Server(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return releasingServer{providerserver.NewProtocol6(New(version)())()}
	}
}

// releasableContext is a context.Context that stands for another until
// released; from then on it is a cancelled context without values. A request
// handler gets one for the request's context and releases it when it
// returns: by then the request's own context is about to be cancelled by
// gRPC anyway, so what holds on to the releasableContext afterwards sees a
// cancelled context either way.
type releasableContext struct {
	held atomic.Pointer[heldContext]
}

type heldContext struct{ context.Context }

// released stands in for every request context after its request.
var released = func() *heldContext {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return &heldContext{ctx}
}()

func newReleasableContext(ctx context.Context) *releasableContext {
	c := &releasableContext{}
	c.held.Store(&heldContext{ctx})
	return c
}

func (c *releasableContext) release()                                { c.held.Store(released) }
func (c *releasableContext) Deadline() (deadline time.Time, ok bool) { return c.held.Load().Deadline() }
func (c *releasableContext) Done() <-chan struct{}                   { return c.held.Load().Done() }
func (c *releasableContext) Err() error                              { return c.held.Load().Err() }
func (c *releasableContext) Value(key any) any                       { return c.held.Load().Value(key) }

// serve calls one request handler with a context released when it returns
// and cancelled when the provider must stop all work (WatchParent). The
// context masks URL credentials (a proxy's user:password@) in everything
// logged with it, for every request of every resource and data source.
func serve[Req, Resp any](ctx context.Context, req Req, handler func(context.Context, Req) (Resp, error)) (Resp, error) {
	inflight.Add(1)
	defer inflight.Done()
	ctx = palette.MaskURLCredentials(ctx)
	ctx, unbind := bindToProcess(ctx)
	defer unbind()
	rc := newReleasableContext(ctx)
	defer rc.release()
	return handler(rc, req)
}

// releasingServer is the framework's server with every request of
// tfprotov6.ProviderServer served through serve, and its actions
// (tfprotov6.ActionServer). (List resources and state stores, optional
// interfaces of terraform-plugin-go, are not offered by this provider, so
// they are not passed on.)
type releasingServer struct {
	next tfprotov6.ProviderServer
}

var (
	_ tfprotov6.ProviderServer = releasingServer{}
	_ tfprotov6.ActionServer   = releasingServer{}
)

// actions is the framework's action server.
func (s releasingServer) actions() tfprotov6.ActionServer {
	a, _ := s.next.(tfprotov6.ActionServer) //nolint:forcetypeassert // the framework's server implements it
	return a
}

func (s releasingServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return serve(ctx, req, s.actions().ValidateActionConfig)
}

func (s releasingServer) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return serve(ctx, req, s.actions().PlanAction)
}

// InvokeAction is passed on with the request's own context: the action
// runs while Terraform reads the answer's stream, after this returns.
func (s releasingServer) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	return s.actions().InvokeAction(ctx, req)
}

func (s releasingServer) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return serve(ctx, req, s.next.GetMetadata)
}

func (s releasingServer) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return serve(ctx, req, s.next.GetProviderSchema)
}

func (s releasingServer) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return serve(ctx, req, s.next.GetResourceIdentitySchemas)
}

func (s releasingServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return serve(ctx, req, s.next.ValidateProviderConfig)
}

func (s releasingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return serve(ctx, req, s.next.ConfigureProvider)
}

// StopProvider is passed the request's own context: it cancels the contexts
// of the requests in flight, which is what it is for.
func (s releasingServer) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return s.next.StopProvider(ctx, req)
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return serve(ctx, req, s.next.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return serve(ctx, req, s.next.UpgradeResourceState)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return serve(ctx, req, s.next.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return serve(ctx, req, s.next.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return serve(ctx, req, s.next.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return serve(ctx, req, s.next.ImportResourceState)
}

func (s releasingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return serve(ctx, req, s.next.MoveResourceState)
}

func (s releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return serve(ctx, req, s.next.UpgradeResourceIdentity)
}

func (s releasingServer) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return serve(ctx, req, s.next.GenerateResourceConfig)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return serve(ctx, req, s.next.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return serve(ctx, req, s.next.ReadDataSource)
}

func (s releasingServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return serve(ctx, req, s.next.CallFunction)
}

func (s releasingServer) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return serve(ctx, req, s.next.GetFunctions)
}

func (s releasingServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return serve(ctx, req, s.next.ValidateEphemeralResourceConfig)
}

func (s releasingServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return serve(ctx, req, s.next.OpenEphemeralResource)
}

func (s releasingServer) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return serve(ctx, req, s.next.RenewEphemeralResource)
}

func (s releasingServer) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return serve(ctx, req, s.next.CloseEphemeralResource)
}
