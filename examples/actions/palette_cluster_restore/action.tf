data "palette_cluster_backups" "lab" {
  cluster_id = palette_imported_cluster.lab.id
}

# Terraform 1.14 or later:
#   terraform apply -invoke=action.palette_cluster_restore.shop
action "palette_cluster_restore" "shop" {
  config {
    cluster_id         = palette_imported_cluster.lab.id
    backup_name        = "before-upgrade"
    backup_request_uid = one([for b in data.palette_cluster_backups.lab.backups : b.request_uid if b.name == "before-upgrade"])
    namespaces         = ["shop"]
    timeout            = "20m"
  }
}
