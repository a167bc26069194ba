# Terraform 1.14 or later. Run it with
#   terraform apply -invoke=action.palette_cluster_compliance_scan.cis
# It waits for kube-bench, and fails listing the failing checks with their
# remediation.
action "palette_cluster_compliance_scan" "cis" {
  config {
    cluster_id = palette_imported_cluster.lab.id
    timeout    = "15m"
  }
}

# A scan after each change of the cluster's add-on profile, whose failing
# checks only warn.
action "palette_cluster_compliance_scan" "after_change" {
  config {
    cluster_id          = palette_imported_cluster.lab.id
    drivers             = ["kube_bench"]
    allow_failed_checks = true
  }
}

resource "palette_addon_profile_attachment" "monitoring" {
  cluster_id = palette_imported_cluster.lab.id
  profile_id = "65f0c1d2e3a4b5c6d7e8f9aa"

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.palette_cluster_compliance_scan.after_change]
    }
  }
}
