package kubetest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubetest"
)

// eventually polls fn until it returns nil or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %s: %v", what, timeout, err)
		}
		<-tick.C
	}
}

func TestClusterBasics(t *testing.T) {
	kubetest.SkipUnlessEnabled(t)
	ctx := context.Background()
	began := time.Now()
	c := kubetest.Start(t, kubetest.Options{Name: "basics"})
	t.Logf("cluster up in %s", time.Since(began))
	cs := c.Clientset()

	body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil || string(body) != "ok" {
		t.Fatalf("/readyz = %q, %v", body, err)
	}
	v, err := cs.Discovery().ServerVersion()
	if err != nil || v.GitVersion != kubelocal.KubernetesVersion {
		t.Fatalf("server version = %+v, %v", v, err)
	}
	if _, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{}); err != nil {
		t.Fatalf("default ServiceAccount: %v", err)
	}
	for _, role := range []string{"view", "edit", "admin"} {
		r, err := cs.RbacV1().ClusterRoles().Get(ctx, role, metav1.GetOptions{})
		if err != nil || len(r.Rules) == 0 {
			t.Fatalf("aggregated ClusterRole %s empty: %v", role, err)
		}
	}

	// TokenRequest for a new ServiceAccount.
	ns := "sa-test"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "robot"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	exp := int64(3600)
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "robot", &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
	if err != nil || tr.Status.Token == "" {
		t.Fatalf("TokenRequest: %v", err)
	}
	admin := c.RESTConfig()
	saCfg := &rest.Config{Host: admin.Host, BearerToken: tr.Status.Token, TLSClientConfig: rest.TLSClientConfig{CAData: admin.CAData}}
	saCS := kubernetes.NewForConfigOrDie(saCfg)
	ssr, err := saCS.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("SelfSubjectReview with SA token: %v", err)
	}
	if want := "system:serviceaccount:" + ns + ":robot"; ssr.Status.UserInfo.Username != want {
		t.Fatalf("token authenticates as %q, want %q", ssr.Status.UserInfo.Username, want)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}
	if _, err := saCS.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("write outside SA's RBAC: got %v, want Forbidden", err)
	}
	// Bind the aggregated "edit" role in the namespace: now it may write there, still not elsewhere.
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "robot-edit"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "robot", Namespace: ns}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "SA may create ConfigMap after RoleBinding to edit", func() error {
		_, err := saCS.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{})
		return err
	})
	if _, err := saCS.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("write in other namespace: got %v, want Forbidden", err)
	}

	// Namespace deletion completes (namespace controller runs).
	if err := cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "namespace deleted", func() error {
		got, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("phase %s", got.Status.Phase)
	})
}

var providerPrefix = map[kubelocal.Flavor]string{
	kubelocal.FlavorAWS:         "aws:///us-east-1",
	kubelocal.FlavorAzure:       "azure:///subscriptions/",
	kubelocal.FlavorGCP:         "gce://palette-local/us-central1-",
	kubelocal.FlavorVSphere:     "vsphere://",
	kubelocal.FlavorOpenShift:   "aws:///us-east-1",
	kubelocal.FlavorEKSAnywhere: "vsphere://",
	kubelocal.FlavorGeneric:     "",
}

var instanceType = map[kubelocal.Flavor]string{
	kubelocal.FlavorAWS:         "m5.large",
	kubelocal.FlavorAzure:       "Standard_D4s_v3",
	kubelocal.FlavorGCP:         "n2-standard-4",
	kubelocal.FlavorVSphere:     "vsphere-vm",
	kubelocal.FlavorOpenShift:   "m6i.xlarge",
	kubelocal.FlavorEKSAnywhere: "vsphere-vm",
	kubelocal.FlavorGeneric:     "generic-node",
}

func TestFlavors(t *testing.T) {
	kubetest.SkipUnlessEnabled(t)
	for _, f := range kubelocal.Flavors() {
		t.Run(string(f), func(t *testing.T) {
			ctx := context.Background()
			c := kubetest.Start(t, kubetest.Options{Flavor: f, Nodes: 3, Name: "flavor-" + string(f)})
			cs := c.Clientset()
			nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(nodes.Items) != 3 {
				t.Fatalf("got %d nodes, want 3", len(nodes.Items))
			}
			for _, n := range nodes.Items {
				pid := n.Spec.ProviderID
				if want := providerPrefix[f]; want == "" && pid != "" || want != "" && !strings.HasPrefix(pid, want) {
					t.Errorf("%s: providerID %q, want prefix %q", n.Name, pid, want)
				}
				l := n.Labels
				if l[kubelocal.LabelInstanceType] != instanceType[f] || l[kubelocal.LabelRegion] == "" || l[kubelocal.LabelZone] == "" || l[kubelocal.LabelOS] != "linux" {
					t.Errorf("%s: labels %v", n.Name, l)
				}
				if f == kubelocal.FlavorGeneric && l[kubelocal.LabelRegion] != "local" {
					t.Errorf("generic region = %q", l[kubelocal.LabelRegion])
				}
				if (f == kubelocal.FlavorOpenShift) != (l[kubelocal.LabelOpenShiftOS] == "rhcos") {
					t.Errorf("%s: openshift os_id label = %q", n.Name, l[kubelocal.LabelOpenShiftOS])
				}
				if n.Status.NodeInfo.KubeletVersion != kubelocal.KubernetesVersion {
					t.Errorf("%s: kubeletVersion %q", n.Name, n.Status.NodeInfo.KubeletVersion)
				}
				ready := false
				for _, cond := range n.Status.Conditions {
					if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
						ready = true
					}
				}
				if !ready || len(n.Spec.Taints) > 0 {
					t.Errorf("%s: ready=%v taints=%v", n.Name, ready, n.Spec.Taints)
				}
			}
			dyn := dynamic.NewForConfigOrDie(c.RESTConfig())
			cvs, err := dyn.Resource(kubelocal.ClusterVersionGVR).List(ctx, metav1.ListOptions{})
			if f == kubelocal.FlavorOpenShift {
				if err != nil || len(cvs.Items) != 1 || cvs.Items[0].GetName() != "version" {
					t.Fatalf("ClusterVersion: %v %v", cvs, err)
				}
			} else if !apierrors.IsNotFound(err) {
				t.Errorf("clusterversions on %s: %v", f, err)
			}
			eks, err := dyn.Resource(kubelocal.EKSAClusterGVR).Namespace("default").List(ctx, metav1.ListOptions{})
			if f == kubelocal.FlavorEKSAnywhere {
				if err != nil || len(eks.Items) != 1 || eks.Items[0].GetName() != c.Name {
					t.Fatalf("EKS-A Cluster: %v %v", eks, err)
				}
			} else if !apierrors.IsNotFound(err) {
				t.Errorf("EKS-A clusters on %s: %v", f, err)
			}
		})
	}
}

func TestSideBySideAndDown(t *testing.T) {
	kubetest.SkipUnlessEnabled(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	clusters := make([]*kubetest.Cluster, 2)
	errs := make([]error, 2)
	for i := range clusters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, stop, err := kubetest.StartShared(kubetest.Options{Name: fmt.Sprintf("side-%d", i), Nodes: i + 1})
			clusters[i], errs[i] = c, err
			if err == nil {
				t.Cleanup(stop)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	a, b := clusters[0], clusters[1]
	if a.State.APIServerPort == b.State.APIServerPort || a.Dir == b.Dir || a.State.EtcdClientPort == b.State.EtcdClientPort {
		t.Fatalf("clusters share ports/dirs: %+v %+v", a.State, b.State)
	}
	for i, c := range clusters {
		nodes, err := c.Clientset().CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil || len(nodes.Items) != i+1 {
			t.Fatalf("cluster %d nodes: %d %v", i, len(nodes.Items), err)
		}
	}
	// Stop a; b keeps working, a's processes are gone, Down is idempotent.
	st := a.State
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{st.EtcdPID, st.APIServerPID, st.ControllerManagerPID} {
		if err := processGone(pid); err != nil {
			t.Error(err)
		}
	}
	if err := kubelocal.Down(ctx, a.Dir, time.Second); err != nil {
		t.Fatalf("second Down: %v", err)
	}
	if s, err := kubelocal.LoadState(a.Dir); err != nil || s.Running() {
		t.Fatalf("state after down: %+v %v", s, err)
	}
	if _, err := b.Clientset().CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{}); err != nil {
		t.Fatalf("second cluster broken after stopping the first: %v", err)
	}
}
