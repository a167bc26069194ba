# Nightly backups of two namespaces of a Full Permission cluster, kept a week.
resource "palette_cluster_backup_policy" "lab" {
  cluster_id   = palette_imported_cluster.lab.id
  location_id  = palette_backup_location.minio.id
  schedule     = "0 2 * * *"
  expiry_hours = 168
  prefix       = "nightly"
  namespaces   = ["shop", "payments"]

  include_cluster_resources = "auto"
}
