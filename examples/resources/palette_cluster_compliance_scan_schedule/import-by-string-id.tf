# Terraform 1.5 or later: bring a schedule set in Palette's UI under
# Terraform's management. The ID is the cluster's UID.
import {
  to = palette_cluster_compliance_scan_schedule.lab
  id = "65f0c1d2e3a4b5c6d7e8f901"
}

resource "palette_cluster_compliance_scan_schedule" "lab" {
  cluster_id = "65f0c1d2e3a4b5c6d7e8f901"
  kube_bench = "0 3 * * 0"
}
