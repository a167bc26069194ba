# A Full Permission cluster: namespaces need it.
resource "palette_imported_cluster" "lab" {
  name        = "lab"
  import_mode = "full_permission"

  kubernetes = {
    config_path    = "~/.kube/config"
    config_context = "lab"
  }
}

# Palette's agent creates the namespace and a ResourceQuota of 2 cores and
# 4 GiB. Other namespaces of the cluster (of other modules, or made in
# Palette's UI) are left alone.
resource "palette_cluster_namespace" "team_a" {
  cluster_id = palette_imported_cluster.lab.id
  name       = "team-a"
  cpu_cores  = 2
  memory_mib = 4096
}

# A namespace without a quota.
resource "palette_cluster_namespace" "sandbox" {
  cluster_id = palette_imported_cluster.lab.id
  name       = "sandbox"
}
