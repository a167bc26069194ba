# Terraform 1.5 or later: bring a namespace configured in Palette's UI under
# Terraform's management. The ID is `<cluster_uid>:<namespace>`.
import {
  to = palette_cluster_namespace.team_a
  id = "65f0c1d2e3a4b5c6d7e8f901:team-a"
}

resource "palette_cluster_namespace" "team_a" {
  cluster_id = "65f0c1d2e3a4b5c6d7e8f901"
  name       = "team-a"
  cpu_cores  = 2
  memory_mib = 4096
}
