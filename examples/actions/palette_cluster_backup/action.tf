# Terraform 1.14 or later:
#   terraform apply -invoke=action.palette_cluster_backup.before_upgrade
action "palette_cluster_backup" "before_upgrade" {
  config {
    cluster_id   = palette_imported_cluster.lab.id
    location_id  = palette_backup_location.minio.id
    backup_name  = "before-upgrade"
    expiry_hours = 72
    namespaces   = ["shop"]
    timeout      = "20m"
  }
}
