resource "palette_cluster_namespace" "team_a" {
  cluster_id = palette_imported_cluster.lab.id
  name       = "team-a"
  cpu_cores  = 2
  memory_mib = 4096
}

# The team's group may edit its namespace; its CI service account too.
resource "palette_cluster_role_binding" "team_a_editors" {
  cluster_id = palette_imported_cluster.lab.id
  name       = "team-a-editors"
  type       = "RoleBinding"
  namespace  = palette_cluster_namespace.team_a.name
  role       = { kind = "ClusterRole", name = "edit" }
  subjects = [
    { kind = "Group", name = "team-a" },
    { kind = "ServiceAccount", name = "ci", namespace = "team-a" },
  ]
}

# The platform team administers the whole cluster.
resource "palette_cluster_role_binding" "platform_admins" {
  cluster_id = palette_imported_cluster.lab.id
  name       = "platform-admins"
  type       = "ClusterRoleBinding"
  role       = { kind = "ClusterRole", name = "cluster-admin" }
  subjects   = [{ kind = "Group", name = "platform" }]
}
