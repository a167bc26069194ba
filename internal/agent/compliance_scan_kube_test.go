package agent_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestAgent_complianceScanOnDemand runs an on-demand scan through the agent
// against the local control plane: kube-bench's master, etcd and
// controlplane checks run against this cluster's own kube-apiserver, etcd
// and kube-controller-manager processes (a flag the local apiserver sets
// passes, flags it lacks fail), and kube-hunter and syft are reported as
// unavailable with the reason, without a report.
func TestAgent_complianceScanOnDemand(t *testing.T) {
	skipUnlessKube(t)
	e := newEnv(t, kubelocal.FlavorGeneric)
	uid := e.importAndApply("scan-on-demand", "generic", wire.ImportModeFullPermission)
	e.waitState(uid, wire.StateRunning)

	requestUID, err := e.pc.RunComplianceScan(e.ctx, uid, wire.ClusterComplianceOnDemandConfig{
		KubeBench:  &wire.ClusterComplianceScanRunConfig{RunScan: true},
		KubeHunter: &wire.ClusterComplianceScanRunConfig{RunScan: true},
		Syft: &wire.ClusterComplianceScanSyftConfig{RunScan: true,
			Config: &wire.ClusterComplianceScanSyftDriverConfig{Format: "spdx-json", Scope: "cluster"}},
	})
	if err != nil {
		t.Fatalf("on-demand scan: %v", err)
	}
	var logs *wire.ClusterComplianceScanLogs
	e.eventually("every driver's run finished", 3*time.Minute, func() error {
		l, err := e.pc.GetComplianceScanLogs(e.ctx, uid)
		if err != nil {
			return err
		}
		logs = l
		if len(l.KubeBenchLogs) != 1 || len(l.KubeHunterLogs) != 1 || len(l.SyftLogs) != 1 || len(l.SonobuoyLogs) != 0 {
			return fmt.Errorf("logs: %d kubeBench, %d kubeHunter, %d syft, %d sonobuoy", len(l.KubeBenchLogs), len(l.KubeHunterLogs),
				len(l.SyftLogs), len(l.SonobuoyLogs))
		}
		for _, s := range []string{l.KubeBenchLogs[0].Status.State, l.KubeHunterLogs[0].Status.State, l.SyftLogs[0].Status.State} {
			if s != wire.ScanCompleted && s != wire.ScanFailed {
				return fmt.Errorf("a run is %s", s)
			}
		}
		return nil
	})
	for _, o := range []wire.ClusterScanLog{logs.KubeHunterLogs[0], logs.SyftLogs[0]} {
		if o.Status.State != wire.ScanFailed || !strings.HasPrefix(o.Status.Message, "unavailable: ") || o.Status.RequestUID != requestUID {
			t.Errorf("%s run: state %q, message %q, request %q; want Failed, unavailable: …, %s", o.Spec.DriverType, o.Status.State,
				o.Status.Message, o.Status.RequestUID, requestUID)
		}
	}
	kb, err := e.pc.GetKubeBenchLog(e.ctx, uid, logs.KubeBenchLogs[0].Metadata.UID)
	if err != nil {
		t.Fatal(err)
	}
	if kb.Status.State != wire.ScanCompleted || kb.Status.RequestUID != requestUID || kb.Status.ScanTime == nil || kb.Status.ScanTime.EndTime == nil {
		t.Fatalf("kube-bench run: %+v", kb.Status)
	}
	t.Logf("kube-bench: %s", kb.Status.Message)
	states := map[string]string{}
	for _, target := range []string{"master", "etcd", "controlplane"} {
		r, ok := kb.Status.Reports[target]
		if !ok {
			t.Fatalf("no %s report in %v", target, kb.Status.Reports)
		}
		if int(r.Pass+r.Fail+r.Warn+r.Info) != len(r.Logs) || len(r.Logs) == 0 || (target != "controlplane" && r.Fail == 0) ||
			(target == "master" && r.Pass == 0) {
			t.Errorf("%s report: pass %d fail %d warn %d info %d, %d checks", target, r.Pass, r.Fail, r.Warn, r.Info, len(r.Logs))
		}
		for _, l := range r.Logs {
			states[l.TestID] = l.State
			if l.State == "FAIL" && l.Remediation == "" {
				t.Errorf("failing check %s has no remediation", l.TestID)
			}
		}
	}
	for id, want := range map[string]string{
		"1.2.15": "PASS", // the local kube-apiserver runs with --profiling=false
		"1.2.7":  "PASS", // --authorization-mode=Node,RBAC
		"1.3.2":  "FAIL", // the local kube-controller-manager keeps profiling on
		"2.1":    "FAIL", // the local etcd serves plain HTTP: no --cert-file
	} {
		if states[id] != want {
			t.Errorf("check %s: %q, want %s", id, states[id], want)
		}
	}
}
