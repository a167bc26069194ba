# The latest scan runs of a cluster.
data "palette_cluster_compliance_scan_report" "lab" {
  cluster_id = palette_imported_cluster.lab.id
}

# Every plan and apply checks that the latest CIS benchmark run found no
# failing check, and names the ones it found.
check "no_cis_failures" {
  assert {
    condition = try(data.palette_cluster_compliance_scan_report.lab.kube_bench.fail, 0) == 0
    error_message = format("kube-bench found failing CIS checks on the cluster: %s", join(", ", [
      for c in try(data.palette_cluster_compliance_scan_report.lab.kube_bench.failed_checks, []) : "${c.id} (${c.target})"
    ]))
  }
}

output "cis_summary" {
  value = {
    ran_at = data.palette_cluster_compliance_scan_report.lab.kube_bench.end_time
    pass   = data.palette_cluster_compliance_scan_report.lab.kube_bench.pass
    fail   = data.palette_cluster_compliance_scan_report.lab.kube_bench.fail
    warn   = data.palette_cluster_compliance_scan_report.lab.kube_bench.warn
  }
}
