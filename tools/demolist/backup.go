package main

// The demo's backup and restore step: the team's application in its
// namespace, the objects a backup of that namespace takes, and the
// namespace's deletion with client-go (there is no kubectl).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
)

// teamApp waits until the namespace exists (Palette's agent creates it),
// then creates the team's application in it when missing: a ConfigMap, a
// Secret and a Deployment. Nothing of Palette makes them again: after the
// namespace is deleted only a restore brings them back.
func teamApp(ctx context.Context, c *kube.Client, namespace string, timeout time.Duration) error {
	if namespace == "" {
		return errors.New("team-app: --namespace is required")
	}
	k := c.Kubernetes()
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		ns, err := k.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil && ns.DeletionTimestamp == nil, err
	})
	if err != nil {
		return fmt.Errorf("namespace %s: %w", namespace, err)
	}
	labels := map[string]string{"app": "web", "team": "demo-team"}
	one := int32(1)
	small := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}
	creates := []func() error{
		func() error {
			_, err := k.CoreV1().ConfigMaps(namespace).Create(ctx, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: "web-settings", Labels: labels},
				Data:       map[string]string{"greeting": "hello from the team"},
			}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := k.CoreV1().Secrets(namespace).Create(ctx, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "web-db", Labels: labels},
				StringData: map[string]string{"password": "not-a-real-password"},
			}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := k.AppsV1().Deployments(namespace).Create(ctx, &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: labels},
				Spec: appsv1.DeploymentSpec{
					Replicas: &one,
					Selector: &metav1.LabelSelector{MatchLabels: labels},
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: labels},
						Spec: corev1.PodSpec{Containers: []corev1.Container{{
							Name: "web", Image: "nginx:1.27",
							Resources: corev1.ResourceRequirements{Requests: small, Limits: small},
						}}},
					},
				},
			}, metav1.CreateOptions{})
			return err
		},
	}
	for _, create := range creates {
		if err := create(); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating the team's application in %s: %w", namespace, err)
		}
	}
	return nil
}

// namespaceObjects are the objects a backup of the namespace takes (the
// agent's own export: owned objects, events, the default ServiceAccount and
// the like aside), one per line; none when the namespace does not exist.
func namespaceObjects(ctx context.Context, c *kube.Client, namespace string) ([]string, error) {
	objs, _, err := c.Export(ctx, kube.ExportOptions{Namespaces: []string{namespace}, ClusterResources: kube.ClusterResourcesNever})
	if err != nil {
		return nil, err
	}
	lines := make([]string, 0, len(objs))
	for i := range objs {
		lines = append(lines, kube.RefOf(&objs[i]).String())
	}
	return lines, nil
}

// listNamespace prints the namespace's objects; with out it writes them to
// the file, with want it fails unless every object of that file is there.
func listNamespace(ctx context.Context, c *kube.Client, namespace, title, out, want string) error {
	if namespace == "" {
		return errors.New("namespace: --namespace is required")
	}
	lines, err := namespaceObjects(ctx, c, namespace)
	if err != nil {
		return err
	}
	if title != "" {
		fmt.Printf("%s (%d):\n", title, len(lines))
	}
	if len(lines) == 0 {
		fmt.Printf("  (none: namespace %s does not exist)\n", namespace)
	}
	for _, l := range lines {
		fmt.Println("  " + l)
	}
	if out != "" {
		if err := os.WriteFile(out, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			return err
		}
	}
	if want == "" {
		return nil
	}
	raw, err := os.ReadFile(want)
	if err != nil {
		return err
	}
	_, missing := diff(strings.Split(strings.TrimSpace(string(raw)), "\n"), lines)
	if len(missing) > 0 {
		return fmt.Errorf("namespace %s lacks %d objects it had: %s", namespace, len(missing), strings.Join(missing, "; "))
	}
	fmt.Printf("  all %d objects it had are back\n", len(strings.Split(strings.TrimSpace(string(raw)), "\n")))
	return nil
}

// deleteNamespace deletes the namespace and waits until the API server has
// removed it (the namespace controller deletes its objects first).
func deleteNamespace(ctx context.Context, c *kube.Client, namespace string, timeout time.Duration) error {
	if namespace == "" {
		return errors.New("delete-namespace: --namespace is required")
	}
	start := time.Now()
	nss := c.Kubernetes().CoreV1().Namespaces()
	if err := nss.Delete(ctx, namespace, metav1.DeleteOptions{}); err != nil {
		return fmt.Errorf("delete Namespace %s: %w", namespace, err)
	}
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		_, err := nss.Get(ctx, namespace, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
	if err != nil {
		return fmt.Errorf("namespace %s not gone: %w", namespace, err)
	}
	fmt.Printf("  namespace %s deleted with client-go, and gone after %s\n", namespace, time.Since(start).Round(100*time.Millisecond))
	return nil
}
