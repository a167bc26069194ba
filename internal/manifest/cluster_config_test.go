package manifest

import "testing"

func TestRbacBindingName(t *testing.T) {
	t.Parallel()
	const uid = "0123456789abcdef01234567"
	for _, tc := range []struct {
		name         string
		index, count int
		want         string
	}{
		{"viewers", 0, 1, "viewers"},
		{"viewers", 0, 2, "viewers-0"},
		{"viewers", 1, 2, "viewers-1"},
		{"", 0, 1, "palette-rbac-" + uid},
		{"", 2, 3, "palette-rbac-" + uid + "-2"},
	} {
		if got := RbacBindingName(tc.name, uid, tc.index, tc.count); got != tc.want {
			t.Errorf("RbacBindingName(%q, %d, %d) = %q, want %q", tc.name, tc.index, tc.count, got, tc.want)
		}
	}
}

func TestConfigSelectors(t *testing.T) {
	t.Parallel()
	const uid = "0123456789abcdef01234567"
	if got, want := NamespacesSelector(uid), "app.kubernetes.io/managed-by=palette,palette.io/cluster-uid="+uid+",palette.io/namespace-uid"; got != want {
		t.Errorf("NamespacesSelector = %q, want %q", got, want)
	}
	if got, want := RbacsSelector(uid), "app.kubernetes.io/managed-by=palette,palette.io/cluster-uid="+uid+",palette.io/rbac-uid"; got != want {
		t.Errorf("RbacsSelector = %q, want %q", got, want)
	}
	l := NamespaceLabels(uid, "e1")
	if l[LabelNamespaceUID] != "e1" || l[LabelClusterUID] != uid || l[LabelManagedBy] != LabelManagedByValue || l[LabelRbacUID] != "" {
		t.Errorf("NamespaceLabels = %v", l)
	}
	if r := RbacLabels(uid, "e2"); r[LabelRbacUID] != "e2" || r[LabelNamespaceUID] != "" || r[LabelClusterUID] != uid {
		t.Errorf("RbacLabels = %v", r)
	}
}
