package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// ruleViolation is a Palette rule a configuration breaks, reported on the
// attribute that breaks it. The same constructor serves at plan time and
// when the API refuses a request for that rule, so that both say the same.
type ruleViolation struct {
	path    path.Path
	summary string
	detail  string
}

// addTo reports the violation as an error.
func (v *ruleViolation) addTo(diags *diag.Diagnostics) {
	diags.AddAttributeError(v.path, v.summary, v.detail)
}

// destroyWayOut is what a plan-time rule that depends on what Palette or
// the target cluster hold adds to its error: `terraform destroy` first plans
// every resource of the configuration (the pre-destroy refresh is a normal
// plan), so such a rule, broken by a resource the state does not hold yet,
// would block the destroy; -refresh=false skips that plan.
const destroyWayOut = "\nIf this error stops `terraform destroy` (which plans every resource of the configuration first, " +
	"this one included), run `terraform destroy -refresh=false`: it destroys what the state holds without planning the rest."

// addAtPlanTo reports, at plan time, the violation of a rule that depends
// on what Palette or the target cluster hold, with the way out of a
// destroy it would block.
func (v *ruleViolation) addAtPlanTo(diags *diag.Diagnostics) {
	diags.AddAttributeError(v.path, v.summary, v.detail+destroyWayOut)
}

// addPlannedTo reports, at plan time, a rule broken by the cluster of an
// attachment yet to be created. When that cluster is a resource of the same
// configuration, it is a warning: Terraform plans every resource of the
// configuration before a destroy (the pre-destroy refresh is a normal
// plan), and an error there would block `terraform destroy` after an apply
// that created the cluster and failed on the attachment; the apply checks
// the rule again and fails before changing anything. The rules that need
// only this resource's own configuration stay errors.
func (v *ruleViolation) addPlannedTo(diags *diag.Diagnostics, sameConfiguration bool) {
	if !sameConfiguration {
		v.addAtPlanTo(diags)
		return
	}
	diags.AddAttributeWarning(v.path, v.summary, v.detail+"\nApplying this configuration fails with this error "+
		"(a warning at plan time, so that `terraform destroy` is not blocked by a resource never made).")
}

// sameArguments reports whether the named (configurable) attributes of the
// plan equal those of the state: nothing the user sets changes, so the
// rules held when the resource was made and a refresh of many resources
// costs no API call in ModifyPlan.
func sameArguments(ctx context.Context, req resource.ModifyPlanRequest, names []string) bool {
	return sameAttributes(ctx, req.Plan, req.State, names)
}

// sameAttributes reports whether the named attributes of plan equal those
// of state.
func sameAttributes(ctx context.Context, plan tfsdk.Plan, state tfsdk.State, names []string) bool {
	for _, name := range names {
		var p, s attr.Value
		if plan.GetAttribute(ctx, path.Root(name), &p).HasError() || state.GetAttribute(ctx, path.Root(name), &s).HasError() {
			return false
		}
		switch {
		case p == nil && s == nil:
		case p == nil || s == nil || !p.Equal(s):
			return false
		}
	}
	return true
}
