# A team's namespace on a cluster another module imported, with its quota
# and the team's access: each team's instance of this module adds its own
# entries to the cluster's lists in Palette and leaves the others alone.
resource "palette_cluster_namespace" "this" {
  cluster_id = var.cluster_id
  name       = var.name
  cpu_cores  = var.cpu_cores
  memory_mib = var.memory_mib
}

resource "palette_cluster_role_binding" "editors" {
  cluster_id = var.cluster_id
  name       = "${var.name}-editors"
  type       = "RoleBinding"
  namespace  = palette_cluster_namespace.this.name
  role       = { kind = "ClusterRole", name = var.role }
  subjects   = [for g in var.groups : { kind = "Group", name = g }]
}
