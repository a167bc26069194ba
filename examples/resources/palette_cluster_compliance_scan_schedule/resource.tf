# A Full Permission cluster: compliance scans need it.
resource "palette_imported_cluster" "lab" {
  name        = "lab"
  import_mode = "full_permission"

  kubernetes = {
    config_path    = "~/.kube/config"
    config_context = "lab"
  }
}

# The CIS benchmark (kube-bench) every Sunday at 03:00, and the conformance
# tests (Sonobuoy) on the first of each month.
resource "palette_cluster_compliance_scan_schedule" "lab" {
  cluster_id = palette_imported_cluster.lab.id
  kube_bench = "0 3 * * 0"
  sonobuoy   = "0 4 1 * *"
}
