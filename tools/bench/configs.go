package main

import (
	"fmt"
	"os"
	"strings"
)

func mustWrite(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }

func clustersConfig(n int, profileUID string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    palette = { source = %q }
  }
}

provider "palette" {}

resource "palette_imported_cluster" "c" {
  count       = %d
  name        = "bench-${count.index}"
  cloud_type  = "generic"
  import_mode = "full_permission"
  wait_for    = "running"
}

resource "palette_addon_profile_attachment" "a" {
  count      = %d
  cluster_id = palette_imported_cluster.c[count.index].id
  profile_id = %q
}
`, providerAddress, n, n, profileUID)
}

// emptyConfig is the plugin floor: the graph of clustersConfig (n resources,
// and n more that each refer to one of them) over a provider that does
// nothing.
func emptyConfig(n int) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    benchempty = { source = %q }
  }
}

resource "benchempty_thing" "t" {
  count = %d
  input = "floor-${count.index}"
}

resource "benchempty_thing" "u" {
  count = %d
  input = benchempty_thing.t[count.index].id
}
`, emptyProviderAddress, n, n)
}

// floorConfig is Terraform's own floor: the graph of clustersConfig (n
// resources, and n more that each refer to one of them) over terraform_data.
// The references matter: Terraform evaluates palette_imported_cluster.c
// whole for each attachment's cluster_id, a cost that grows with N² and that
// no provider can avoid.
func floorConfig(n int) string {
	return fmt.Sprintf(`resource "terraform_data" "d" {
  count = %d
  input = "floor-${count.index}"
}

resource "terraform_data" "e" {
  count = %d
  input = terraform_data.d[count.index].id
}
`, n, n)
}

// schemaFloorConfig is clustersConfig over tools/bench/emptyprovider's
// resources with the palette provider's schemas and no other code.
func schemaFloorConfig(n int, profileUID string) string {
	return strings.NewReplacer(
		fmt.Sprintf("palette = { source = %q }", providerAddress), fmt.Sprintf("benchempty = { source = %q }", emptyProviderAddress),
		`provider "palette" {}`, "",
		"palette_imported_cluster", "benchempty_imported_cluster",
		"palette_addon_profile_attachment", "benchempty_addon_profile_attachment",
	).Replace(clustersConfig(n, profileUID))
}

// flatFloorConfig is 2n terraform_data without references (informative: how
// much of the floor the references are).
func flatFloorConfig(n int) string {
	return fmt.Sprintf(`resource "terraform_data" "d" {
  count = %d
  input = "floor-${count.index}"
}
`, 2*n)
}

// day2Config is the Day-2 figure's configuration: n Full Permission
// clusters, each with two namespaces (one with a quota) and two role
// bindings (a RoleBinding in the first namespace, a ClusterRoleBinding),
// as in examples/resources/palette_cluster_role_binding.
func day2Config(n int) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    palette = { source = %q }
  }
}

provider "palette" {}

resource "palette_imported_cluster" "c" {
  count       = %d
  name        = "day2-${count.index}"
  cloud_type  = "generic"
  import_mode = "full_permission"
  wait_for    = "running"
}

resource "palette_cluster_namespace" "app" {
  count      = %d
  cluster_id = palette_imported_cluster.c[count.index].id
  name       = "app"
  cpu_cores  = 2
  memory_mib = 4096
}

resource "palette_cluster_namespace" "sandbox" {
  count      = %d
  cluster_id = palette_imported_cluster.c[count.index].id
  name       = "sandbox"
}

resource "palette_cluster_role_binding" "app_editors" {
  count      = %d
  cluster_id = palette_imported_cluster.c[count.index].id
  name       = "app-editors"
  type       = "RoleBinding"
  namespace  = palette_cluster_namespace.app[count.index].name
  role       = { kind = "ClusterRole", name = "edit" }
  subjects = [
    { kind = "Group", name = "app" },
    { kind = "ServiceAccount", name = "ci", namespace = "app" },
  ]
}

resource "palette_cluster_role_binding" "platform_admins" {
  count      = %d
  cluster_id = palette_imported_cluster.c[count.index].id
  name       = "platform-admins"
  type       = "ClusterRoleBinding"
  role       = { kind = "ClusterRole", name = "cluster-admin" }
  subjects   = [{ kind = "Group", name = "platform" }]
}
`, providerAddress, n, n, n, n, n)
}
