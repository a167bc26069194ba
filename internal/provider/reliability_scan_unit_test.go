package provider

import (
	"strings"
	"testing"
)

func TestWithoutConfigEcho(t *testing.T) {
	log := "2026-11-25T15:26:28.179Z [TRACE] sdk.helper_resource: Setting Terraform configuration: test_step_number=1\n" +
		"  test_terraform_configuration=\n" +
		"  | provider \"palette\" {\n" +
		"  |   api_key = \"SECRET-IN-CONFIG\"\n" +
		"  | }\n" +
		"\n" +
		"2026-11-25T15:26:28.180Z [DEBUG] provider: key=SECRET-LEAKED\n" +
		"  | a multi-line value of another line: SECRET-CONTINUED\n"
	got := withoutConfigEcho(log)
	if strings.Contains(got, "SECRET-IN-CONFIG") {
		t.Errorf("the harness's echo of the configuration is kept:\n%s", got)
	}
	for _, want := range []string{"SECRET-LEAKED", "SECRET-CONTINUED"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s, logged outside the echo, was dropped:\n%s", want, got)
		}
	}
}

func TestWithoutAPIKeyLiteral(t *testing.T) {
	plan := `{"configuration":{"provider_config":{"palette":{"expressions":{
		"api_key":{"constant_value":"KEY-LITERAL"},"host":{"constant_value":"http://127.0.0.1:1"}}}}},
		"planned_values":{"root_module":{"resources":[{"values":{"import_command":"KEY-IN-VALUES"}}]}}}`
	got, removed, err := withoutAPIKeyLiteral(plan)
	if err != nil {
		t.Fatal(err)
	}
	if removed != 1 || strings.Contains(got, "KEY-LITERAL") {
		t.Errorf("the api_key literal is not removed (%d): %s", removed, got)
	}
	if !strings.Contains(got, "KEY-IN-VALUES") || !strings.Contains(got, "127.0.0.1") {
		t.Errorf("more than the api_key literal was removed: %s", got)
	}
	// An api_key from a reference (no constant_value) is not an echo.
	ref := `{"configuration":{"provider_config":{"palette":{"expressions":{"api_key":{"references":["var.k"]}}}}}}`
	if _, removed, _ := withoutAPIKeyLiteral(ref); removed != 0 {
		t.Errorf("a reference was removed")
	}
}

func TestKubeconfigNeedles(t *testing.T) {
	raw := []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: abcdefghijklmnopqrstuvwxyz012345}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`)
	n, err := kubeconfigNeedles(raw)
	if err != nil {
		t.Fatal(err)
	}
	if n["kubeconfig token (u)"] != "abcdefghijklmnopqrstuvwxyz012345" {
		t.Errorf("token not found: %v", n)
	}
	if _, err := kubeconfigNeedles([]byte("apiVersion: v1\nkind: Config\n")); err == nil {
		t.Error("a kubeconfig without credentials gives needles")
	}
}
