package kubetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// ShopNamespace is the namespace of CreateShop.
const ShopNamespace = "shop"

// CreateShop creates the namespace shop with a ConfigMap, a Secret and a
// Deployment: what the backup tests back up, delete and restore.
func CreateShop(ctx context.Context, t testing.TB, cs kubernetes.Interface) {
	t.Helper()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ShopNamespace,
		Labels: map[string]string{"team": "shop"}}}, metav1.CreateOptions{}))
	must(cs.CoreV1().ConfigMaps(ShopNamespace).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"},
		Data: map[string]string{"currency": "EUR"}}, metav1.CreateOptions{}))
	must(cs.CoreV1().Secrets(ShopNamespace).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"},
		StringData: map[string]string{"password": "hunter2"}}, metav1.CreateOptions{}))
	one, labels := int32(1), map[string]string{"app": "web"}
	must(cs.AppsV1().Deployments(ShopNamespace).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}}}}}, metav1.CreateOptions{}))
}

// ShopIsBack reports why the objects of CreateShop are not all there, with
// their data (nil when they are).
func ShopIsBack(ctx context.Context, cs kubernetes.Interface) error {
	ns, err := cs.CoreV1().Namespaces().Get(ctx, ShopNamespace, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if ns.DeletionTimestamp != nil {
		return errors.New("namespace shop is terminating")
	}
	cm, err := cs.CoreV1().ConfigMaps(ShopNamespace).Get(ctx, "settings", metav1.GetOptions{})
	if err != nil {
		return err
	}
	if cm.Data["currency"] != "EUR" {
		return fmt.Errorf("configmap data %v", cm.Data)
	}
	sec, err := cs.CoreV1().Secrets(ShopNamespace).Get(ctx, "db", metav1.GetOptions{})
	if err != nil {
		return err
	}
	if string(sec.Data["password"]) != "hunter2" {
		return errors.New("secret data differs")
	}
	dep, err := cs.AppsV1().Deployments(ShopNamespace).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		return err
	}
	if img := dep.Spec.Template.Spec.Containers[0].Image; img != "nginx:1.27" {
		return fmt.Errorf("deployment image %s", img)
	}
	return nil
}
