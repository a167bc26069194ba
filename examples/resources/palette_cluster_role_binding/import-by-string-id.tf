# Terraform 1.5 or later. The ID is `<cluster_uid>:<name>`.
import {
  to = palette_cluster_role_binding.platform_admins
  id = "65f0c1d2e3a4b5c6d7e8f901:platform-admins"
}

resource "palette_cluster_role_binding" "platform_admins" {
  cluster_id = "65f0c1d2e3a4b5c6d7e8f901"
  name       = "platform-admins"
  type       = "ClusterRoleBinding"
  role       = { kind = "ClusterRole", name = "cluster-admin" }
  subjects   = [{ kind = "Group", name = "platform" }]
}
