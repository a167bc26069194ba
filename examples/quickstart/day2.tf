# Step 4 of the quickstart: Day-2 settings of the Full Permission cluster, a
# team namespace with a quota and a role binding for the team's group.
# Palette's agent creates them in the cluster, and removes them with the
# cluster's deregistration.

variable "team_access" {
  description = "Configure the demo team's namespace and role binding (needs full_permission)."
  type        = bool
  default     = false
}

resource "palette_cluster_namespace" "team" {
  count      = var.team_access ? 1 : 0
  cluster_id = palette_imported_cluster.this.id
  name       = "demo-team"
  cpu_cores  = 2
  memory_mib = 2048
}

resource "palette_cluster_role_binding" "team" {
  count      = var.team_access ? 1 : 0
  cluster_id = palette_imported_cluster.this.id
  name       = "demo-team-editors"
  type       = "RoleBinding"
  namespace  = palette_cluster_namespace.team[0].name
  role       = { kind = "ClusterRole", name = "edit" }
  subjects   = [{ kind = "Group", name = "demo-team" }]
}

output "team_text" {
  description = "The team's line of the summary."
  value       = try("namespace ${palette_cluster_namespace.team[0].name}: ${palette_cluster_namespace.team[0].cpu_cores} cores, ${palette_cluster_namespace.team[0].memory_mib} MiB; ${palette_cluster_role_binding.team[0].role.kind} ${palette_cluster_role_binding.team[0].role.name} for group demo-team", "team access (not configured)")
}
