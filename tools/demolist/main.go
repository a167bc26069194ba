// Command demolist shows, for `make demo` (scripts/demo.sh), what Terraform
// did to the local cluster: the objects of the Palette agent and of an add-on
// profile (by label), and whether the cluster is the same after destroy as it
// was before the import. It needs no kubectl.
//
//	demolist objects --kubeconfig FILE --selector LABELS [--title TEXT]
//	demolist canary  --kubeconfig FILE
//	demolist snapshot --kubeconfig FILE --out FILE
//	demolist compare --kubeconfig FILE --before FILE [--wait 90s]
//	demolist configmap --kubeconfig FILE --namespace NS --name NAME
//	demolist access --kubeconfig FILE --namespace NS
//	demolist team-app --kubeconfig FILE --namespace NS [--wait 90s]
//	demolist namespace --kubeconfig FILE --namespace NS [--title TEXT] [--out FILE | --want FILE]
//	demolist delete-namespace --kubeconfig FILE --namespace NS [--wait 90s]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
)

// The canary stands for the user's own workloads: created before the import,
// it must be exactly as it was (same UID and resourceVersion) after destroy.
const (
	canaryNamespace = "default"
	canaryName      = "demo-canary"
	// everything matches every object: no object carries this label.
	everything = "!demo.palette.io/never-set"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: demolist objects|canary|snapshot|compare --kubeconfig FILE ...")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "demolist:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster")
	selector := fs.String("selector", "", "label selector (objects)")
	title := fs.String("title", "", "heading (objects)")
	out := fs.String("out", "", "snapshot file to write (snapshot)")
	before := fs.String("before", "", "snapshot file to compare with (compare)")
	namespace := fs.String("namespace", "", "namespace (configmap)")
	name := fs.String("name", "", "name (configmap)")
	wait := fs.Duration("wait", 90*time.Second, "how long compare, team-app and delete-namespace wait")
	want := fs.String("want", "", "listing (namespace --out) whose objects must all be there (namespace)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kubeconfig == "" {
		return errors.New("--kubeconfig is required")
	}
	c, err := kube.NewClient(kube.Access{ConfigPath: *kubeconfig}, "palette-demo")
	if err != nil {
		return err
	}
	switch cmd {
	case "objects":
		if *selector == "" {
			return errors.New("objects: --selector is required")
		}
		refs, err := c.ListByLabel(ctx, *selector)
		if err != nil {
			return err
		}
		refs = withoutEvents(refs)
		if *title != "" {
			fmt.Printf("%s (%d, label %s):\n", *title, len(refs), *selector)
		}
		if len(refs) == 0 {
			fmt.Println("  (none)")
		}
		for _, r := range refs {
			fmt.Println("  " + r.String())
		}
		return nil
	case "canary":
		return canary(ctx, c)
	case "configmap":
		cm, err := c.Kubernetes().CoreV1().ConfigMaps(*namespace).Get(ctx, *name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("get ConfigMap %s/%s: %w", *namespace, *name, err)
		}
		keys := slices.Sorted(maps.Keys(cm.Data))
		fmt.Printf("ConfigMap %s/%s:\n", *namespace, *name)
		for _, k := range keys {
			fmt.Printf("  %s: %q\n", k, cm.Data[k])
		}
		return nil
	case "access":
		return access(ctx, c, *namespace)
	case "team-app":
		return teamApp(ctx, c, *namespace, *wait)
	case "namespace":
		return listNamespace(ctx, c, *namespace, *title, *out, *want)
	case "delete-namespace":
		return deleteNamespace(ctx, c, *namespace, *wait)
	case "snapshot":
		if *out == "" {
			return errors.New("snapshot: --out is required")
		}
		lines, err := snapshot(ctx, c)
		if err != nil {
			return err
		}
		fmt.Printf("  %d objects in the cluster (events aside); canary %s\n", len(lines)-1, lines[0])
		return os.WriteFile(*out, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	case "compare":
		if *before == "" {
			return errors.New("compare: --before is required")
		}
		return compare(ctx, c, *before, *wait)
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// canary creates the ConfigMap default/demo-canary when it is missing.
func canary(ctx context.Context, c *kube.Client) error {
	cms := c.Kubernetes().CoreV1().ConfigMaps(canaryNamespace)
	_, err := cms.Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: canaryName, Labels: map[string]string{"app": "team-workload"}},
		Data:       map[string]string{"owner": "the cluster's own team", "note": "not Palette's: must survive the demo untouched"},
	}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create the canary ConfigMap: %w", err)
	}
	return nil
}

// snapshot returns the canary's identity followed by every object of the
// cluster (events aside), one per line, sorted.
func snapshot(ctx context.Context, c *kube.Client) ([]string, error) {
	cm, err := c.Kubernetes().CoreV1().ConfigMaps(canaryNamespace).Get(ctx, canaryName, metav1.GetOptions{})
	var head string
	switch {
	case apierrors.IsNotFound(err):
		head = fmt.Sprintf("%s/%s missing", canaryNamespace, canaryName)
	case err != nil:
		return nil, fmt.Errorf("get the canary: %w", err)
	default:
		head = fmt.Sprintf("%s/%s uid=%s resourceVersion=%s", canaryNamespace, canaryName, cm.UID, cm.ResourceVersion)
	}
	refs, err := c.ListByLabel(ctx, everything)
	if err != nil {
		return nil, err
	}
	lines := []string{head}
	for _, r := range withoutEvents(refs) {
		lines = append(lines, r.String())
	}
	return lines, nil
}

// compare polls until the cluster holds exactly the objects of the snapshot
// (the agent and add-on objects are removed asynchronously), then reports.
func compare(ctx context.Context, c *kube.Client, file string, wait time.Duration) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	want := strings.Split(strings.TrimSpace(string(raw)), "\n")
	deadline := time.Now().Add(wait)
	for {
		got, err := snapshot(ctx, c)
		if err != nil {
			return err
		}
		added, removed := diff(want[1:], got[1:])
		canarySame := got[0] == want[0]
		if canarySame && len(added) == 0 && len(removed) == 0 {
			fmt.Printf("  cluster untouched: the same %d objects as before the import (events aside)\n", len(got)-1)
			fmt.Printf("  canary %s (unchanged)\n", got[0])
			return nil
		}
		if time.Now().After(deadline) {
			fmt.Printf("  the cluster differs from before the import:\n")
			if !canarySame {
				fmt.Printf("    canary before: %s\n    canary after:  %s\n", want[0], got[0])
			}
			for _, a := range added {
				fmt.Println("    + " + a)
			}
			for _, r := range removed {
				fmt.Println("    - " + r)
			}
			return errors.New("the cluster is not as it was before the import")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// diff returns the lines only in got (added) and only in want (removed).
func diff(want, got []string) (added, removed []string) {
	for _, g := range got {
		if !slices.Contains(want, g) {
			added = append(added, g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			removed = append(removed, w)
		}
	}
	return added, removed
}

func withoutEvents(refs []kube.ObjectRef) []kube.ObjectRef {
	out := refs[:0:0]
	for _, r := range refs {
		if r.Kind == "Event" {
			continue
		}
		out = append(out, r)
	}
	return out
}

// access prints a namespace's ResourceQuotas and RoleBindings as the cluster
// has them (what palette_cluster_namespace and palette_cluster_role_binding
// asked Palette's agent for).
func access(ctx context.Context, c *kube.Client, namespace string) error {
	if namespace == "" {
		return errors.New("access: --namespace is required")
	}
	k := c.Kubernetes()
	if _, err := k.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{}); err != nil {
		return fmt.Errorf("get Namespace %s: %w", namespace, err)
	}
	quotas, err := k.CoreV1().ResourceQuotas(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list ResourceQuotas of %s: %w", namespace, err)
	}
	fmt.Printf("Namespace %s:\n", namespace)
	for _, q := range quotas.Items {
		names := slices.Sorted(maps.Keys(q.Spec.Hard))
		hard := make([]string, 0, len(names))
		for _, n := range names {
			v := q.Spec.Hard[n]
			hard = append(hard, fmt.Sprintf("%s=%s", n, v.String()))
		}
		fmt.Printf("  ResourceQuota %s: %s\n", q.Name, strings.Join(hard, ", "))
	}
	bindings, err := k.RbacV1().RoleBindings(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list RoleBindings of %s: %w", namespace, err)
	}
	for _, b := range bindings.Items {
		subjects := make([]string, 0, len(b.Subjects))
		for _, s := range b.Subjects {
			subjects = append(subjects, s.Kind+" "+s.Name)
		}
		fmt.Printf("  RoleBinding %s: %s %s → %s\n", b.Name, b.RoleRef.Kind, b.RoleRef.Name, strings.Join(subjects, ", "))
	}
	return nil
}
